//! The outbox: `<data>/state/notify.sqlite`, the notifier's own SQLite
//! file beside the alert store. It holds the cursor in the alert change
//! feed and one row per (change, channel). Rows are written in the same
//! transaction that moves the cursor, before anything is sent, so a
//! restart neither loses a notification nor routes a change twice; a row
//! is `pending` until sent (`sent`) or given up (`dead`, see
//! [`super::deadletter`]).

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::notice::Notice;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS notify_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    change_seq INTEGER NOT NULL,
    channel TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    notice TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (change_seq, channel)
);
CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox (state, next_at);
";

/// One delivery to make.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub channel: String,
    pub notice: Notice,
    /// Attempts made so far.
    pub attempts: u32,
}

/// Totals for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NotifyCounts {
    /// Notifications delivered.
    pub sent: u64,
    /// Attempts that failed (each retry that failed counts).
    pub failed_attempts: u64,
    /// Deliveries given up, waiting for an operator.
    pub dead_letters: u64,
    /// Deliveries not yet made (including those waiting to retry).
    pub pending: u64,
}

pub struct Outbox {
    pub(super) conn: Connection,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(super) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Outbox {
    /// Opens (creating if needed) the outbox at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the outbox {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)
            .with_context(|| format!("cannot set up the outbox {}", path.display()))?;
        Ok(Self { conn })
    }

    /// Where the notifier is in the alert change feed; `None` before the
    /// first start.
    pub fn cursor(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT seq FROM notify_cursor WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Records `deliveries` (notice, channel) and moves the cursor to
    /// `cursor`, all or nothing. A (change, channel) already recorded is
    /// not added again.
    pub fn enqueue(&mut self, cursor: i64, deliveries: &[(Notice, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO notify_outbox
                   (change_seq, channel, alert_id, tenant, notice, state, next_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?7)",
            )?;
            let (now, at) = (now_ms(), now_text());
            for (notice, channel) in deliveries {
                let json = serde_json::to_string(notice)?;
                insert.execute(params![
                    notice.seq,
                    channel,
                    notice.alert_id,
                    notice.tenant,
                    json,
                    now,
                    at
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO notify_cursor (id, seq) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
            [cursor],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Pending deliveries due at `now` (ms), oldest first.
    pub fn due(&self, now: i64, limit: usize) -> Result<Vec<Delivery>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, channel, notice, attempts FROM notify_outbox
             WHERE state = 'pending' AND next_at <= ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, channel, notice, attempts) = row?;
            let notice = serde_json::from_str(&notice)
                .with_context(|| format!("outbox row {id} holds an unreadable notice"))?;
            out.push(Delivery {
                id,
                channel,
                notice,
                attempts,
            });
        }
        Ok(out)
    }

    /// The delivery `id` was made.
    pub fn sent(&self, id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE notify_outbox SET state = 'sent', attempts = attempts + 1,
                    updated_at = ?2 WHERE id = ?1",
            params![id, now_text()],
        )?;
        Ok(())
    }

    /// The delivery `id` failed with `error`: tried again at `retry_at`
    /// (ms), or a dead letter when `None`.
    pub fn failed(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        let (state, next_at) = match retry_at {
            Some(at) => ("pending", at),
            None => ("dead", now_ms()),
        };
        self.conn.execute(
            "UPDATE notify_outbox SET state = ?2, attempts = attempts + 1,
                    failures = failures + 1, next_at = ?3, last_error = ?4, updated_at = ?5
             WHERE id = ?1",
            params![id, state, next_at, error, now_text()],
        )?;
        Ok(())
    }

    pub fn counts(&self) -> Result<NotifyCounts> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(state = 'sent'), 0), coalesce(sum(failures), 0),
                    coalesce(sum(state = 'dead'), 0), coalesce(sum(state = 'pending'), 0)
             FROM notify_outbox",
            [],
            |r| {
                let n = |i| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
                Ok(NotifyCounts {
                    sent: n(0)?,
                    failed_attempts: n(1)?,
                    dead_letters: n(2)?,
                    pending: n(3)?,
                })
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::notice::tests::mass_mail;

    #[test]
    fn enqueue_moves_the_cursor_once_per_change_and_channel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/notify.sqlite");
        let mut outbox = Outbox::open(&path).unwrap();
        assert_eq!(outbox.cursor().unwrap(), None);
        let notice = mass_mail();
        let rows = vec![
            (notice.clone(), "soc".to_owned()),
            (notice.clone(), "mail".to_owned()),
        ];
        outbox.enqueue(42, &rows).unwrap();
        outbox.enqueue(42, &rows).unwrap();
        let mut outbox = Outbox::open(&path).unwrap();
        assert_eq!(outbox.cursor().unwrap(), Some(42));
        let due = outbox.due(now_ms(), 10).unwrap();
        assert_eq!(due.len(), 2, "{due:?}");
        assert_eq!(due[0].notice, notice);

        outbox.sent(due[0].id).unwrap();
        outbox
            .failed(due[1].id, "HTTP 503", Some(now_ms() + 60_000))
            .unwrap();
        assert!(
            outbox.due(now_ms(), 10).unwrap().is_empty(),
            "waits for its retry"
        );
        assert_eq!(outbox.due(now_ms() + 61_000, 10).unwrap()[0].attempts, 1);
        outbox.failed(due[1].id, "HTTP 503", None).unwrap();
        assert_eq!(
            outbox.counts().unwrap(),
            NotifyCounts {
                sent: 1,
                failed_attempts: 2,
                dead_letters: 1,
                pending: 0
            }
        );
        outbox.enqueue(50, &[]).unwrap();
        assert_eq!(outbox.cursor().unwrap(), Some(50));
    }
}
