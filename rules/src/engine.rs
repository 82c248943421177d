//! Running rules: SQL over the lake → incidents → alerts in the store.

use bannin_query::QuerySession;
use bannin_query::rows::to_json_rows;
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::alert::alert_id;
use crate::rule::REQUIRED_COLUMNS;
use crate::store::Stored;
use crate::{Alert, AlertStatus, AlertStore, Rule, RulesError};

/// What one rule's run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub rule_id: String,
    /// Incidents the SQL returned.
    pub incidents: usize,
    pub new: usize,
    pub updated: usize,
}

/// Runs every rule once over the session and stores the alerts.
pub async fn run_rules(
    session: &QuerySession,
    rules: &[Rule],
    store: &mut AlertStore,
    now: DateTime<Utc>,
) -> Result<Vec<RunReport>, RulesError> {
    let mut reports = Vec::with_capacity(rules.len());
    for rule in rules {
        let alerts = evaluate(session, rule, now).await?;
        let mut report = RunReport {
            rule_id: rule.id.clone(),
            incidents: alerts.len(),
            new: 0,
            updated: 0,
        };
        for alert in &alerts {
            match store.record(alert, chrono::Duration::zero())?.stored {
                Stored::New => report.new += 1,
                Stored::Updated => report.updated += 1,
                Stored::Unchanged => {}
            }
        }
        tracing::info!(rule = %rule.id, incidents = report.incidents, new = report.new, updated = report.updated, "rule evaluated");
        reports.push(report);
    }
    Ok(reports)
}

/// Runs one rule and turns each result row into an alert.
pub async fn evaluate(
    session: &QuerySession,
    rule: &Rule,
    now: DateTime<Utc>,
) -> Result<Vec<Alert>, RulesError> {
    let batches = session
        .sql(&rule.sql)
        .await
        .map_err(|source| RulesError::Query {
            rule: rule.id.clone(),
            source,
        })?;
    let rows = to_json_rows(&batches).map_err(|source| RulesError::Query {
        rule: rule.id.clone(),
        source,
    })?;
    let now = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    rows.into_iter()
        .enumerate()
        .map(|(index, row)| alert_from_row(rule, index, row, &now))
        .collect()
}

fn alert_from_row(
    rule: &Rule,
    index: usize,
    mut row: Map<String, Value>,
    now: &str,
) -> Result<Alert, RulesError> {
    let bad = |why: String| RulesError::Row {
        rule: rule.id.clone(),
        row: index,
        why,
    };
    for column in REQUIRED_COLUMNS
        .iter()
        .copied()
        .chain(rule.dedup.iter().map(String::as_str))
    {
        if !row.contains_key(column) {
            return Err(bad(format!("result has no `{column}` column")));
        }
    }
    for column in ["first_seen", "last_seen"] {
        let normalized = row
            .get(column)
            .and_then(Value::as_str)
            .and_then(normalize_time)
            .ok_or_else(|| bad(format!("`{column}` is not a timestamp")))?;
        row.insert(column.to_owned(), Value::String(normalized));
    }
    let text = |column: &str| row.get(column).and_then(Value::as_str).map(str::to_owned);
    let tenant = text("tenant").ok_or_else(|| bad("`tenant` is not a string".into()))?;
    let first_seen = text("first_seen").unwrap_or_default();
    let last_seen = text("last_seen").unwrap_or_default();
    let event_count = row
        .get("event_count")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("`event_count` is not an integer".into()))?;
    let key: Map<String, Value> = rule
        .dedup
        .iter()
        .map(|c| (c.clone(), row.get(c).cloned().unwrap_or(Value::Null)))
        .collect();
    Ok(Alert {
        id: alert_id(&rule.id, &key),
        rule_id: rule.id.clone(),
        severity: rule.severity.as_str().to_owned(),
        title_ja: rule.title.ja.clone(),
        title_en: rule.title.en.clone(),
        tenant,
        status: AlertStatus::New,
        assignee: None,
        first_seen,
        last_seen,
        event_count,
        key,
        evidence: row,
        evidence_sql: rule.sql.clone(),
        samples: Vec::new(),
        runbook_ja: rule.runbook.ja.clone(),
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    })
}

/// A result timestamp (RFC 3339, or naive meaning UTC) as RFC 3339 UTC.
fn normalize_time(text: &str) -> Option<String> {
    let utc = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
        })
        .ok()?;
    Some(utc.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use super::normalize_time;

    #[test]
    fn result_times_are_normalized_to_utc() {
        assert_eq!(
            normalize_time("2026-11-21T17:10:03Z").as_deref(),
            Some("2026-11-21T17:10:03Z")
        );
        assert_eq!(
            normalize_time("2026-11-22T02:10:03+09:00").as_deref(),
            Some("2026-11-21T17:10:03Z")
        );
        assert_eq!(
            normalize_time("2026-11-21T17:10:03.5").as_deref(),
            Some("2026-11-21T17:10:03.500Z")
        );
        assert_eq!(normalize_time("yesterday"), None);
    }
}
