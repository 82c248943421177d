//! The HTTP API (`/api/v1`, JSON) and the embedded web console.

mod alerts;
mod audit;
pub mod auth;
mod console;
mod error;
mod handover;
mod health;
mod ingest;
mod metrics;
mod notifications;
mod query;
mod rules;
mod sources;
mod stream;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use bannin_ingest::listen::Endpoint;
use bannin_ingest::pipeline::Pipeline;
use tokio::sync::Notify;

use self::auth::{Guard, authorize};
use crate::auth::Gate;
use crate::auth::Role::{self, Admin, Analyst, Auditor, Ingest};
use crate::config::DataDir;
use crate::query_access::QueryAccess;

/// Who may use each group of routes (docs/api.md has the matrix).
pub mod roles {
    use super::*;
    /// Reading alerts, sources, rules, SQL, metrics.
    pub const READERS: &[Role] = &[Admin, Analyst, Auditor];
    /// Acting on alerts.
    pub const RESPONDERS: &[Role] = &[Admin, Analyst];
    /// Switching rules on and off.
    pub const ADMINS: &[Role] = &[Admin];
    /// Reading the audit log.
    pub const AUDITORS: &[Role] = &[Admin, Auditor];
    /// Sending records.
    pub const SENDERS: &[Role] = &[Admin, Ingest];
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub data: DataDir,
    /// The durable ingest pipeline, when this server receives records.
    pub pipeline: Option<Arc<Pipeline>>,
    /// The syslog listeners running, with their counters.
    pub endpoints: Arc<Vec<Endpoint>>,
    /// Sessions for `POST /api/v1/query`.
    pub query: QueryAccess,
    /// Longer records are cut to this and kept as `unparsed`.
    pub max_record_bytes: usize,
    /// Tokens, throttling and the audit log.
    pub auth: Gate,
    /// Woken when this process changes an alert (the streams then read
    /// the feed at once instead of at their next poll).
    pub alert_changed: Arc<Notify>,
    /// Open alert streams.
    pub streams: Arc<AtomicUsize>,
    /// The rules this server runs and their tuning (for `/api/v1/rules`).
    pub rules: Arc<RuleSet>,
}

/// The loaded rules and the configuration's tuning of them.
#[derive(Default)]
pub struct RuleSet {
    pub rules: Vec<bannin_rules::Rule>,
    pub tuning: bannin_rules::Tuning,
}

impl AppState {
    /// The state of a server over `data`, behind `gate`.
    pub fn new(
        data: DataDir,
        query: QueryAccess,
        gate: Gate,
        pipeline: Option<Arc<Pipeline>>,
        endpoints: Vec<Endpoint>,
        max_record_bytes: usize,
    ) -> Self {
        Self {
            auth: gate,
            data,
            pipeline,
            endpoints: Arc::new(endpoints),
            query,
            max_record_bytes,
            alert_changed: Arc::default(),
            streams: Arc::default(),
            rules: Arc::default(),
        }
    }
}

impl AppState {
    /// With the rules of `config` for `/api/v1/rules`.
    pub fn with_rules(mut self, config: &crate::config::Config) -> anyhow::Result<Self> {
        self.rules = Arc::new(RuleSet {
            rules: config.rules.load()?,
            tuning: config.rules.tuning(),
        });
        Ok(self)
    }
}

pub fn router(state: AppState) -> Router {
    use roles::*;
    let guard = |roles| {
        from_fn_with_state(
            Guard {
                auth: state.auth.clone(),
                roles,
            },
            authorize,
        )
    };
    let readers = Router::new()
        .route("/api/v1/alerts", get(alerts::list))
        .route("/api/v1/alerts/stream", get(stream::alerts))
        .route("/api/v1/alerts/{id}", get(alerts::get))
        .route("/api/v1/sources", get(sources::list))
        .route("/api/v1/rules", get(rules::list))
        .route("/api/v1/handover", get(handover::summary))
        .route("/metrics", get(metrics::metrics))
        .route(
            "/api/v1/notifications/dead-letters",
            get(notifications::dead_letters),
        )
        .route(
            "/api/v1/query",
            post(query::query).layer(DefaultBodyLimit::max(query::MAX_BODY_BYTES)),
        )
        .route_layer(guard(READERS));
    let responders = Router::new()
        .route(
            "/api/v1/alerts/{id}/{action}",
            post(alerts::act).layer(DefaultBodyLimit::max(alerts::MAX_ACTION_BODY_BYTES)),
        )
        .route(
            "/api/v1/notifications/dead-letters/{id}/retry",
            post(notifications::retry),
        )
        .route_layer(guard(RESPONDERS));
    let admins = Router::new()
        .route("/api/v1/rules/{id}/enable", post(rules::enable))
        .route("/api/v1/rules/{id}/disable", post(rules::disable))
        .route_layer(guard(ADMINS));
    let auditors = Router::new()
        .route("/api/v1/audit", get(audit::list))
        .route_layer(guard(AUDITORS));
    let senders = Router::new()
        .route(
            "/api/v1/ingest",
            post(ingest::ingest).layer(DefaultBodyLimit::max(ingest::MAX_BODY_BYTES)),
        )
        .route_layer(guard(SENDERS));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(readers)
        .merge(responders)
        .merge(auditors)
        .merge(admins)
        .merge(senders)
        .fallback(console::asset)
        .with_state(state)
}
