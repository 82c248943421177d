//! Reading alerts: one with its comments and history, filtered lists, counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::Serialize;

use super::AlertStore;
use super::row::{ALERT_COLUMNS, SEVERITIES, alert_from_row, load, query_all, status_cell};
use crate::{Alert, AlertStatus, RulesError, Severity};

/// Which alerts to read. `None` means "no restriction"; an empty set
/// matches nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub statuses: Option<Vec<AlertStatus>>,
    pub severities: Option<Vec<Severity>>,
    /// At least this severity.
    pub min_severity: Option<Severity>,
    pub rule_id: Option<String>,
    /// The tenants the reader may see (the API's tenant scope).
    pub tenants: Option<Vec<String>>,
    /// `last_seen >= since`.
    pub since: Option<DateTime<Utc>>,
    /// `last_seen < until`.
    pub until: Option<DateTime<Utc>>,
    /// At most this many alerts (lists only).
    pub limit: Option<usize>,
    /// Skip this many first (lists only).
    pub offset: usize,
}

/// A comment on an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub at: String,
    pub actor: String,
    pub text: String,
}

/// One change of an alert. `from_status` is `None` only when it was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub at: String,
    pub actor: String,
    /// `created`, `occurrence`, or an [`super::Action`] name.
    pub action: String,
    pub from_status: Option<AlertStatus>,
    pub to_status: Option<AlertStatus>,
    pub detail: Option<String>,
}

/// An alert with its comments and history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AlertDetail {
    pub alert: Alert,
    pub comments: Vec<Comment>,
    pub history: Vec<HistoryEntry>,
}

/// How many alerts match, by status and by severity (every status and
/// severity is present, zeros included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AlertCounts {
    pub total: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_severity: BTreeMap<String, u64>,
}

impl AlertFilter {
    /// The SQL condition and its parameters.
    fn condition(&self) -> (String, Vec<SqlValue>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<SqlValue> = Vec::new();
        let mut one_of = |column: &str, options: Vec<String>| {
            if options.is_empty() {
                clauses.push("0".into());
                return;
            }
            let marks = vec!["?"; options.len()].join(", ");
            clauses.push(format!("{column} IN ({marks})"));
            values.extend(options.into_iter().map(SqlValue::Text));
        };
        if let Some(statuses) = &self.statuses {
            one_of(
                "status",
                statuses.iter().map(|s| s.as_str().into()).collect(),
            );
        }
        if let Some(severities) = &self.severities {
            one_of(
                "severity",
                severities.iter().map(|s| s.as_str().into()).collect(),
            );
        }
        if let Some(min) = self.min_severity {
            let at_least = SEVERITIES.iter().filter(|s| **s >= min);
            one_of("severity", at_least.map(|s| s.as_str().into()).collect());
        }
        if let Some(tenants) = &self.tenants {
            one_of("tenant", tenants.clone());
        }
        if let Some(rule_id) = &self.rule_id {
            clauses.push("rule_id = ?".into());
            values.push(SqlValue::Text(rule_id.clone()));
        }
        if let Some(since) = self.since {
            clauses.push("last_seen_us >= ?".into());
            values.push(SqlValue::Integer(since.timestamp_micros()));
        }
        if let Some(until) = self.until {
            clauses.push("last_seen_us < ?".into());
            values.push(SqlValue::Integer(until.timestamp_micros()));
        }
        let condition = if clauses.is_empty() {
            "1".into()
        } else {
            clauses.join(" AND ")
        };
        (condition, values)
    }
}

impl AlertStore {
    /// One alert with its comments and history.
    pub fn get(&self, id: &str) -> Result<Option<AlertDetail>, RulesError> {
        let err = self.err_fn();
        let Some(alert) = load(&self.conn, id).map_err(&err)? else {
            return Ok(None);
        };
        let comments = query_all(
            &self.conn,
            "SELECT at, actor, text FROM alert_comments WHERE alert_id = ?1 ORDER BY seq",
            [id],
            |row| {
                Ok(Comment {
                    at: row.get(0)?,
                    actor: row.get(1)?,
                    text: row.get(2)?,
                })
            },
        )
        .map_err(&err)?;
        let history = query_all(
            &self.conn,
            "SELECT at, actor, action, from_status, to_status, detail FROM alert_history
             WHERE alert_id = ?1 ORDER BY seq",
            [id],
            |row| {
                Ok(HistoryEntry {
                    at: row.get(0)?,
                    actor: row.get(1)?,
                    action: row.get(2)?,
                    from_status: status_cell(row, 3)?,
                    to_status: status_cell(row, 4)?,
                    detail: row.get(5)?,
                })
            },
        )
        .map_err(&err)?;
        Ok(Some(AlertDetail {
            alert,
            comments,
            history,
        }))
    }

    /// Matching alerts, newest `last_seen` first.
    pub fn list(&self, filter: &AlertFilter) -> Result<Vec<Alert>, RulesError> {
        let (condition, mut values) = filter.condition();
        let limit = filter
            .limit
            .and_then(|l| i64::try_from(l).ok())
            .unwrap_or(-1);
        values.push(SqlValue::Integer(limit));
        values.push(SqlValue::Integer(
            i64::try_from(filter.offset).unwrap_or(i64::MAX),
        ));
        let sql = format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE {condition}
             ORDER BY last_seen_us DESC, id LIMIT ? OFFSET ?"
        );
        query_all(&self.conn, &sql, params_from_iter(values), alert_from_row).map_err(self.err_fn())
    }

    /// Matching alerts counted by status and severity (limit and offset
    /// are ignored).
    pub fn counts(&self, filter: &AlertFilter) -> Result<AlertCounts, RulesError> {
        let (condition, values) = filter.condition();
        let sql = format!(
            "SELECT status, severity, count(*) FROM alerts WHERE {condition}
             GROUP BY status, severity"
        );
        let rows: Vec<(String, String, u64)> =
            query_all(&self.conn, &sql, params_from_iter(values), |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .map_err(self.err_fn())?;
        let mut counts = AlertCounts {
            total: 0,
            by_status: AlertStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), 0))
                .collect(),
            by_severity: SEVERITIES
                .iter()
                .map(|s| (s.as_str().to_owned(), 0))
                .collect(),
        };
        for (status, severity, n) in rows {
            counts.total += n;
            *counts.by_status.entry(status).or_default() += n;
            *counts.by_severity.entry(severity).or_default() += n;
        }
        Ok(counts)
    }

    /// Number of alerts stored.
    pub fn count(&self) -> Result<u64, RulesError> {
        self.conn
            .query_row("SELECT count(*) FROM alerts", [], |row| {
                row.get::<_, u64>(0)
            })
            .map_err(self.err_fn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_filter_matches_everything_and_an_empty_set_nothing() {
        assert_eq!(AlertFilter::default().condition(), ("1".into(), vec![]));
        let none = AlertFilter {
            tenants: Some(vec![]),
            ..AlertFilter::default()
        };
        assert_eq!(none.condition().0, "0");
    }

    #[test]
    fn minimum_severity_expands_to_the_severities_above() {
        let filter = AlertFilter {
            min_severity: Some(Severity::High),
            rule_id: Some("priv.bruteforce".into()),
            ..AlertFilter::default()
        };
        let (condition, values) = filter.condition();
        assert_eq!(condition, "severity IN (?, ?) AND rule_id = ?");
        assert_eq!(
            values,
            vec![
                SqlValue::Text("high".into()),
                SqlValue::Text("critical".into()),
                SqlValue::Text("priv.bruteforce".into()),
            ]
        );
    }
}
