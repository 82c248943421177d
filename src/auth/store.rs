//! The SQLite file that keeps API tokens (hashes only) and the audit log:
//! `state/auth.sqlite` in the data directory, readable by the bannin user
//! alone.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS api_tokens (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    tenant        TEXT,
    secret_sha256 TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    revoked_at    TEXT,
    revoked_by    TEXT,
    last_used_at  TEXT
);
CREATE TABLE IF NOT EXISTS bannin_audit (
    seq     INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    at_us   INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    token   TEXT,
    role    TEXT,
    tenant  TEXT,
    action  TEXT NOT NULL,
    target  TEXT,
    detail  TEXT,
    outcome TEXT NOT NULL,
    client  TEXT
);
CREATE INDEX IF NOT EXISTS bannin_audit_by_time ON bannin_audit (at_us);
";

/// Errors of the token and audit store.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("no token with id {0}")]
    UnknownToken(String),
    #[error("cannot draw a random token: {0}")]
    Random(String),
}

/// Tokens and the audit log.
pub struct AuthStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl AuthStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, AuthError> {
        let err = |source| AuthError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| AuthError::Invalid(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(err)?;
        restrict(path);
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    pub(super) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (every
        // change is one statement or transaction): go on with it.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn err(&self) -> impl Fn(rusqlite::Error) -> AuthError + use<> {
        let path = self.path.clone();
        move |source| AuthError::Sqlite {
            path: path.clone(),
            source,
        }
    }
}

/// Only the owner may read the file: it holds token hashes and the audit log.
fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(error = %e, path = %path.display(), "cannot restrict the auth store's permissions");
        }
    }
}

/// The store's time text: RFC 3339, UTC, whole seconds or finer, `Z`.
pub(super) fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}
