//! The gate every entry point shares (the HTTP API, the PostgreSQL
//! listener): the token store, the throttle, and a count of refusals.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use chrono::Utc;

use super::store::AuthError;
use super::{AuditEntry, AuthStore, Principal, Throttle};

/// Failures from one address before it is refused for a while.
const MAX_FAILURES: u32 = 10;
/// How long failures are counted, and an address refused.
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Tokens, the throttle and the audit log; cheap to clone.
#[derive(Clone)]
pub struct Gate {
    pub store: Arc<AuthStore>,
    pub throttle: Arc<Throttle>,
    /// Requests and logins refused for a missing, unknown or revoked token.
    pub failures: Arc<AtomicU64>,
}

impl Gate {
    pub fn new(store: Arc<AuthStore>) -> Self {
        Self {
            store,
            throttle: Arc::new(Throttle::new(MAX_FAILURES, FAILURE_WINDOW)),
            failures: Arc::default(),
        }
    }

    /// Writes `entry` off the async threads; a failure to write is logged
    /// (the request it describes has already been answered).
    pub async fn audit(&self, entry: AuditEntry) {
        let store = Arc::clone(&self.store);
        let written = tokio::task::spawn_blocking(move || store.audit(entry, Utc::now())).await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "cannot write the audit log"),
            Err(e) => tracing::error!(error = %e, "audit task failed"),
        }
    }

    /// The principal `token` acts as, if it is a live token.
    pub async fn verify(&self, token: String) -> Result<Option<Principal>, AuthError> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || store.verify(&token, Utc::now()))
            .await
            .map_err(|e| AuthError::Invalid(format!("token check failed: {e}")))?
    }
}
