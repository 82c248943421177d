//! The alert store: SQLite, one file in the data directory (docs/alerts.md).
//!
//! - [`schema`]: tables and in-place migrations (`PRAGMA user_version`);
//! - [`record`]: what a rule run found, merged within the suppression period;
//! - [`lifecycle`]: acknowledge, assign, comment, resolve, false positive,
//!   reopen — each written to the history;
//! - [`queries`]: one alert with comments and history, filtered lists, counts;
//! - [`feed`]: every change in order, a cursor for the live stream and
//!   the notifier;
//! - [`handover`]: a shift's summary — opened, acknowledged, resolved,
//!   still open, and who acted;
//! - `row`: columns, JSON cells and times shared by the others.

mod feed;
mod handover;
mod lifecycle;
mod queries;
mod record;
mod row;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use feed::{AlertChange, ChangePage};
pub use handover::{ActorActions, AlertSummary, Handover, HandoverQuery, OPEN_ALERTS_LIMIT, Tally};
pub use lifecycle::{Action, can_transition};
pub use queries::{AlertCounts, AlertDetail, AlertFilter, Comment, HistoryEntry};
pub use record::{Recorded, Stored};

use crate::RulesError;

/// The actor of changes bannin makes itself (creating and merging alerts).
pub const SYSTEM_ACTOR: &str = "bannin";

/// Alerts in a SQLite database.
pub struct AlertStore {
    conn: Connection,
    path: PathBuf,
}

impl AlertStore {
    /// Opens (creating if needed) the store at `path`, upgrading an older
    /// file in place.
    pub fn open(path: &Path) -> Result<Self, RulesError> {
        let err = store_err(path);
        let mut conn = Connection::open(path).map_err(&err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&err)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrateError::Sqlite(e) => err(e),
            schema::MigrateError::TooNew(found) => RulesError::Data(format!(
                "{} has schema version {found}, written by a newer bannin \
                 (this one knows up to {})",
                path.display(),
                schema::CURRENT_VERSION
            )),
        })?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err_fn(&self) -> impl Fn(rusqlite::Error) -> RulesError + use<> {
        store_err(&self.path)
    }
}

fn store_err(path: &Path) -> impl Fn(rusqlite::Error) -> RulesError + use<> {
    let path = path.display().to_string();
    move |source| RulesError::Store {
        path: path.clone(),
        source,
    }
}
