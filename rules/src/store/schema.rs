//! The store's tables and their migrations, versioned by `PRAGMA user_version`.
//!
//! Version 0 is the first release's `alerts` table (no version was set).
//! Every step upgrades in place; no step drops or rewrites an alert.

use rusqlite::{Connection, TransactionBehavior};

use super::row::parse_time;

/// The schema version this build writes.
pub(super) const CURRENT_VERSION: i64 = 1;

/// Version 0: what the first release created.
const V0: &str = "
CREATE TABLE IF NOT EXISTS alerts (
    id            TEXT PRIMARY KEY,
    rule_id       TEXT NOT NULL,
    severity      TEXT NOT NULL,
    title_ja      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    tenant        TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'acknowledged', 'resolved', 'false_positive')),
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    event_count   INTEGER NOT NULL,
    key_json      TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    runbook_ja    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_time ON alerts (tenant, last_seen);
";

/// Version 1: assignee, reproducing SQL, samples, a sortable last_seen,
/// history and comments.
const V1: &str = "
ALTER TABLE alerts ADD COLUMN assignee TEXT;
ALTER TABLE alerts ADD COLUMN evidence_sql TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN samples_json TEXT NOT NULL DEFAULT '[]';
-- last_seen as microseconds since the epoch: RFC 3339 text with varying
-- fractional digits does not sort as text.
ALTER TABLE alerts ADD COLUMN last_seen_us INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_by_group ON alerts (rule_id, tenant);
CREATE INDEX alerts_by_last_seen ON alerts (last_seen_us);
CREATE TABLE alert_history (
    seq         INTEGER PRIMARY KEY,
    alert_id    TEXT NOT NULL REFERENCES alerts (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    detail      TEXT
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id, seq);
CREATE TABLE alert_comments (
    seq      INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL REFERENCES alerts (id),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX alert_comments_by_alert ON alert_comments (alert_id, seq);
";

/// Why the schema could not be brought to [`CURRENT_VERSION`].
#[derive(Debug)]
pub(super) enum MigrateError {
    Sqlite(rusqlite::Error),
    /// The file was written by a newer bannin.
    TooNew(i64),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Creates or upgrades the tables. Several processes may open the same
/// file at once: the upgrade holds the write lock and re-reads the version.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    if version(conn)? == CURRENT_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > CURRENT_VERSION {
        return Err(MigrateError::TooNew(found));
    }
    if found < 1 {
        tx.execute_batch(V0)?;
        tx.execute_batch(V1)?;
        fill_last_seen_us(&tx)?;
    }
    tx.pragma_update(None, "user_version", CURRENT_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Computes `last_seen_us` of alerts written before the column existed.
fn fill_last_seen_us(conn: &Connection) -> rusqlite::Result<()> {
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT id, last_seen FROM alerts")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = conn.prepare("UPDATE alerts SET last_seen_us = ?2 WHERE id = ?1")?;
    for (id, last_seen) in rows {
        match parse_time(&last_seen) {
            Some(time) => {
                update.execute(rusqlite::params![id, time.timestamp_micros()])?;
            }
            None => {
                tracing::warn!(alert = %id, %last_seen, "alert has an unreadable last_seen; it sorts last");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_file_gets_the_current_version_and_a_second_run_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), CURRENT_VERSION);
        migrate(&mut conn).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'
                 AND name IN ('alerts', 'alert_history', 'alert_comments')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 3);
    }

    #[test]
    fn a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(MigrateError::TooNew(v)) if v == CURRENT_VERSION + 1
        ));
    }
}
