//! Reading and writing alert rows: columns, JSON cells, times.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row};
use serde::de::DeserializeOwned;

use crate::{Alert, AlertStatus, RulesError, Severity};

/// The columns [`alert_from_row`] reads, in its order.
pub(super) const ALERT_COLUMNS: &str = "id, rule_id, severity, title_ja, title_en, tenant, status, \
     assignee, first_seen, last_seen, event_count, key_json, evidence_json, evidence_sql, \
     samples_json, runbook_ja, created_at, updated_at";

/// Severities, lowest first.
pub(super) const SEVERITIES: [Severity; 4] = [
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

/// Rank of a stored severity; unknown text ranks lowest.
pub(super) fn severity_rank(severity: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|s| s.as_str() == severity)
        .map_or(0, |p| p + 1)
}

/// An RFC 3339 time as UTC.
pub(super) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The store's time text: RFC 3339, UTC, `Z`.
pub(super) fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(super) fn json_err(e: serde_json::Error) -> RulesError {
    RulesError::Data(format!("cannot encode alert JSON: {e}"))
}

fn corrupt(column: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e))
}

fn json_cell<T: DeserializeOwned>(row: &Row<'_>, column: usize) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, e))
}

/// A status cell (`NULL` allowed).
pub(super) fn status_cell(row: &Row<'_>, column: usize) -> rusqlite::Result<Option<AlertStatus>> {
    let text: Option<String> = row.get(column)?;
    text.map(|t| t.parse().map_err(|e: RulesError| corrupt(column, e)))
        .transpose()
}

/// Reads a row selected with [`ALERT_COLUMNS`].
pub(super) fn alert_from_row(row: &Row<'_>) -> rusqlite::Result<Alert> {
    let status = status_cell(row, 6)?.ok_or(rusqlite::Error::InvalidColumnType(
        6,
        "status".into(),
        Type::Null,
    ))?;
    Ok(Alert {
        id: row.get(0)?,
        rule_id: row.get(1)?,
        severity: row.get(2)?,
        title_ja: row.get(3)?,
        title_en: row.get(4)?,
        tenant: row.get(5)?,
        status,
        assignee: row.get(7)?,
        first_seen: row.get(8)?,
        last_seen: row.get(9)?,
        event_count: row.get(10)?,
        key: json_cell(row, 11)?,
        evidence: json_cell(row, 12)?,
        evidence_sql: row.get(13)?,
        samples: json_cell(row, 14)?,
        runbook_ja: row.get(15)?,
        created_at: row.get(16)?,
        updated_at: row.get(17)?,
    })
}

/// Every row of a query, mapped.
pub(super) fn query_all<T, P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    conn.prepare(sql)?.query_map(params, map)?.collect()
}

/// The alert with this id.
pub(super) fn load(conn: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<Alert>> {
    conn.query_row(
        &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"),
        [id],
        alert_from_row,
    )
    .optional()
}

/// Appends one `alert_history` row.
pub(super) struct HistoryRow<'a> {
    pub alert_id: &'a str,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub from: Option<AlertStatus>,
    pub to: Option<AlertStatus>,
    pub detail: Option<&'a str>,
}

impl HistoryRow<'_> {
    pub(super) fn insert(&self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT INTO alert_history (alert_id, at, actor, action, from_status, to_status, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                self.alert_id,
                self.at,
                self.actor,
                self.action,
                self.from.map(AlertStatus::as_str),
                self.to.map(AlertStatus::as_str),
                self.detail,
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_rank_in_order_and_times_round_trip_to_utc() {
        assert!(severity_rank("critical") > severity_rank("high"));
        assert!(severity_rank("low") > severity_rank("bogus"));
        let t = parse_time("2026-11-22T02:10:03.5+09:00").unwrap();
        assert_eq!(format_time(t), "2026-11-21T17:10:03.500Z");
        assert_eq!(parse_time("2026-11-22 02:10"), None);
    }
}
