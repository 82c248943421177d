//! The change feed: every row of the alert history, in order, with the
//! alert as it is now. The history's sequence number is a cursor that
//! survives restarts, so the live stream (`Last-Event-ID`) and the
//! notifier resume where they left off instead of missing or repeating
//! changes — whichever process (the scheduler, `bannin rules run`, an
//! API action) wrote them.

use rusqlite::params;
use serde::Serialize;

use super::AlertStore;
use super::row::{ALERT_COLUMNS, alert_from_row, query_all, status_cell};
use crate::{Alert, AlertStatus, RulesError};

/// Number of columns in [`ALERT_COLUMNS`]; the history's follow.
const HISTORY_AT: usize = 18;

/// One change of an alert.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AlertChange {
    /// The history row's sequence number: increasing, never reused.
    pub seq: i64,
    pub at: String,
    pub actor: String,
    /// `created`, `occurrence` (a re-run merged more events), or an
    /// [`super::Action`] name.
    pub action: String,
    pub from_status: Option<AlertStatus>,
    pub to_status: Option<AlertStatus>,
    pub detail: Option<String>,
    /// The alert as it is now (not as it was at this change).
    pub alert: Alert,
}

/// Changes read from the feed, and where the next read starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePage {
    pub changes: Vec<AlertChange>,
    /// The cursor after this page: past the changes returned and past the
    /// other tenants' changes skipped on the way.
    pub next: i64,
}

impl AlertStore {
    /// Up to `limit` changes after `seq`, oldest first; only alerts of
    /// `tenants` when given (an empty list matches nothing).
    pub fn changes_after(
        &self,
        seq: i64,
        tenants: Option<&[String]>,
        limit: usize,
    ) -> Result<ChangePage, RulesError> {
        let page_rows = i64::try_from(limit.clamp(1, 1000)).unwrap_or(1000);
        let sql = format!(
            "SELECT {ALERT_COLUMNS}, h.seq, h.at, h.actor, h.action, h.from_status, h.to_status,
                    h.detail
             FROM alert_history h JOIN alerts a ON a.id = h.alert_id
             WHERE h.seq > ?1 ORDER BY h.seq LIMIT ?2"
        );
        let mut page = ChangePage {
            changes: Vec::new(),
            next: seq,
        };
        // Tenants are filtered here so that the cursor moves past other
        // tenants' changes: read on until `limit` matched or none is left.
        loop {
            let rows = query_all(&self.conn, &sql, params![page.next, page_rows], |row| {
                Ok(AlertChange {
                    alert: alert_from_row(row)?,
                    seq: row.get(HISTORY_AT)?,
                    at: row.get(HISTORY_AT + 1)?,
                    actor: row.get(HISTORY_AT + 2)?,
                    action: row.get(HISTORY_AT + 3)?,
                    from_status: status_cell(row, HISTORY_AT + 4)?,
                    to_status: status_cell(row, HISTORY_AT + 5)?,
                    detail: row.get(HISTORY_AT + 6)?,
                })
            })
            .map_err(self.err_fn())?;
            let exhausted = i64::try_from(rows.len()).unwrap_or(i64::MAX) < page_rows;
            for change in rows {
                if page.changes.len() >= limit {
                    return Ok(page);
                }
                page.next = change.seq;
                if tenants.is_none_or(|t| t.contains(&change.alert.tenant)) {
                    page.changes.push(change);
                }
            }
            if exhausted || page.changes.len() >= limit {
                return Ok(page);
            }
        }
    }

    /// The newest change's sequence number (0 when there is none): where
    /// a reader that wants only what happens from now on starts.
    pub fn last_change(&self) -> Result<i64, RulesError> {
        self.conn
            .query_row(
                "SELECT coalesce(max(seq), 0) FROM alert_history",
                [],
                |row| row.get(0),
            )
            .map_err(self.err_fn())
    }
}
