//! The alert store: SQLite, one file in the data directory.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::{Alert, RulesError};

const SCHEMA: &str = "
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

/// What storing an alert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// Already known; its counts/evidence were refreshed.
    Updated,
    /// Already known and identical.
    Unchanged,
}

/// Alerts in a SQLite database.
pub struct AlertStore {
    conn: Connection,
    path: PathBuf,
}

impl AlertStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, RulesError> {
        let err = store_err(path);
        let conn = Connection::open(path).map_err(&err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&err)?;
        conn.execute_batch(SCHEMA).map_err(&err)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> RulesError + '_ {
        store_err(&self.path)
    }

    /// Records an alert found by a rule run (merging with the same group's
    /// alert within `suppress` is the store helper's to finish).
    pub fn record(
        &mut self,
        alert: &Alert,
        _suppress: chrono::Duration,
    ) -> Result<Stored, RulesError> {
        self.upsert(alert)
    }

    /// Inserts a new alert, or refreshes a known one (keeping its status).
    pub fn upsert(&mut self, alert: &Alert) -> Result<Stored, RulesError> {
        let key = serde_json::to_string(&alert.key).map_err(json_err)?;
        let evidence = serde_json::to_string(&alert.evidence).map_err(json_err)?;
        let path = self.path.clone();
        let err = store_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        let existing: Option<(String, i64, String)> = tx
            .query_row(
                "SELECT last_seen, event_count, evidence_json FROM alerts WHERE id = ?1",
                [&alert.id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(&err)?;
        let stored = match existing {
            None => {
                tx.execute(
                    "INSERT INTO alerts (id, rule_id, severity, title_ja, title_en, tenant, status,
                        first_seen, last_seen, event_count, key_json, evidence_json, runbook_ja,
                        created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
                    params![
                        alert.id,
                        alert.rule_id,
                        alert.severity,
                        alert.title_ja,
                        alert.title_en,
                        alert.tenant,
                        alert.status.as_str(),
                        alert.first_seen,
                        alert.last_seen,
                        alert.event_count,
                        key,
                        evidence,
                        alert.runbook_ja,
                        alert.updated_at,
                    ],
                )
                .map_err(&err)?;
                Stored::New
            }
            Some((last_seen, count, old_evidence))
                if last_seen == alert.last_seen
                    && count == alert.event_count
                    && old_evidence == evidence =>
            {
                Stored::Unchanged
            }
            Some(_) => {
                tx.execute(
                    "UPDATE alerts SET last_seen = ?2, event_count = ?3, evidence_json = ?4,
                        updated_at = ?5 WHERE id = ?1",
                    params![
                        alert.id,
                        alert.last_seen,
                        alert.event_count,
                        evidence,
                        alert.updated_at
                    ],
                )
                .map_err(&err)?;
                Stored::Updated
            }
        };
        tx.commit().map_err(&err)?;
        Ok(stored)
    }

    /// Alerts, newest activity first.
    pub fn list(&self, limit: usize) -> Result<Vec<Alert>, RulesError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, rule_id, severity, title_ja, title_en, tenant, status, first_seen,
                        last_seen, event_count, key_json, evidence_json, runbook_ja, created_at,
                        updated_at
                 FROM alerts ORDER BY last_seen DESC, id LIMIT ?1",
            )
            .map_err(self.err())?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map([limit], alert_from_row)
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// Number of alerts stored.
    pub fn count(&self) -> Result<u64, RulesError> {
        self.conn
            .query_row("SELECT count(*) FROM alerts", [], |row| {
                row.get::<_, u64>(0)
            })
            .map_err(self.err())
    }
}

fn store_err(path: &Path) -> impl Fn(rusqlite::Error) -> RulesError + use<> {
    let path = path.display().to_string();
    move |source| RulesError::Store {
        path: path.clone(),
        source,
    }
}

fn json_err(e: serde_json::Error) -> RulesError {
    RulesError::Data(format!("cannot encode alert JSON: {e}"))
}

/// Reads a row of the `list` query (columns in table order).
fn alert_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    let corrupt = |column: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e)
    };
    let object = |column: usize| -> rusqlite::Result<Map<String, Value>> {
        let text: String = row.get(column)?;
        serde_json::from_str(&text).map_err(|e| corrupt(column, Box::new(e)))
    };
    let status: String = row.get(6)?;
    Ok(Alert {
        id: row.get(0)?,
        rule_id: row.get(1)?,
        severity: row.get(2)?,
        title_ja: row.get(3)?,
        title_en: row.get(4)?,
        tenant: row.get(5)?,
        status: status
            .parse()
            .map_err(|e: RulesError| corrupt(6, Box::new(e)))?,
        first_seen: row.get(7)?,
        last_seen: row.get(8)?,
        event_count: row.get(9)?,
        key: object(10)?,
        evidence: object(11)?,
        evidence_sql: String::new(),
        samples: Vec::new(),
        assignee: None,
        runbook_ja: row.get(12)?,
        created_at: row.get(13)?,
        updated_at: row.get(14)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AlertStatus;
    use serde_json::json;

    fn alert(count: i64) -> Alert {
        Alert {
            id: "abc".into(),
            rule_id: "priv.bruteforce".into(),
            severity: "high".into(),
            title_ja: "特権IDへの連続ログイン失敗".into(),
            title_en: "x".into(),
            tenant: "demo".into(),
            status: AlertStatus::New,
            first_seen: "2026-11-21T17:10:00Z".into(),
            last_seen: "2026-11-21T17:15:00Z".into(),
            event_count: count,
            key: json!({"user": "root"}).as_object().cloned().unwrap(),
            evidence: json!({"user": "root", "event_count": count})
                .as_object()
                .cloned()
                .unwrap(),
            evidence_sql: String::new(),
            samples: Vec::new(),
            assignee: None,
            runbook_ja: "手順".into(),
            created_at: "2026-11-23T00:00:00Z".into(),
            updated_at: "2026-11-23T00:00:00Z".into(),
        }
    }

    #[test]
    fn upsert_inserts_once_then_updates() {
        let dir = std::env::temp_dir().join(format!("bannin-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("alerts.sqlite");
        let _ = std::fs::remove_file(&path);
        let mut store = AlertStore::open(&path).unwrap();
        assert_eq!(store.upsert(&alert(3)).unwrap(), Stored::New);
        assert_eq!(store.upsert(&alert(3)).unwrap(), Stored::Unchanged);
        assert_eq!(store.upsert(&alert(5)).unwrap(), Stored::Updated);
        assert_eq!(store.count().unwrap(), 1);
        let listed = store.list(10).unwrap();
        assert_eq!(listed[0].event_count, 5);
        assert_eq!(listed[0].key, alert(5).key);
        assert_eq!(listed[0].status, AlertStatus::New);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
