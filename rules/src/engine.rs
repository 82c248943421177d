//! Running a rule: its SQL over one window → incidents → alerts.

use std::collections::BTreeSet;

use bannin_query::rows::to_json_rows;
use bannin_query::{QueryError, QuerySession, TenantScope};
use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::alert::{MAX_SAMPLES, alert_id};
use crate::params::{self, Window, sql_string, sql_timestamp};
use crate::rule::REQUIRED_COLUMNS;
use crate::tuning::ParamGroup;
use crate::{Alert, AlertStatus, Rule, RulesError, Severity, Tuning};

/// Alerts per run that get sample rows (each costs a query).
const SAMPLED_ALERTS: usize = 50;

/// Opens the sessions rules run in: the lake, the registers, the rows not
/// yet committed and `source_health`, seen through a tenant scope.
pub trait Sessions: Send + Sync {
    fn open(&self, scope: &TenantScope) -> Result<QuerySession, QueryError>;
}

/// What one evaluation of a rule found.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub alerts: Vec<Alert>,
    /// Rows the rule's queries read.
    pub rows_scanned: u64,
}

/// Runs `rule` over `window` for every tenant, with the parameter values
/// `tuning` gives each, and turns each result row into an alert.
pub async fn evaluate(
    sessions: &dyn Sessions,
    rule: &Rule,
    tuning: &Tuning,
    window: Window,
    now: DateTime<Utc>,
) -> Result<Evaluation, RulesError> {
    let mut evaluation = Evaluation::default();
    for group in tuning.groups(rule) {
        evaluate_group(sessions, rule, &group, window, now, &mut evaluation).await?;
    }
    Ok(evaluation)
}

async fn evaluate_group(
    sessions: &dyn Sessions,
    rule: &Rule,
    group: &ParamGroup,
    window: Window,
    now: DateTime<Utc>,
    evaluation: &mut Evaluation,
) -> Result<(), RulesError> {
    let query_err = |source| RulesError::Query {
        rule: rule.id.clone(),
        source,
    };
    let session = sessions.open(&group.scope).map_err(query_err)?;
    let sql = params::render(&rule.sql, window, rule.window, &group.params);
    let result = session.query(&sql).await.map_err(query_err)?;
    if result.truncated {
        return Err(query_err(QueryError::TooManyRows(
            session.limits().max_rows,
        )));
    }
    evaluation.rows_scanned += result.rows_scanned;
    let rows = to_json_rows(&result.batches).map_err(query_err)?;
    let now = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    for (index, row) in rows.into_iter().enumerate() {
        let mut alert = alert_from_row(rule, index, row, &now)?;
        if group.except.contains(&alert.tenant) {
            continue;
        }
        if evaluation.alerts.len() < SAMPLED_ALERTS {
            let (sql, samples) = samples(&session, rule, &alert).await.map_err(query_err)?;
            alert.evidence_sql = sql;
            alert.samples = samples;
        }
        evaluation.alerts.push(alert);
    }
    Ok(())
}

/// The raw rows behind an alert: its first table's rows of the alert's
/// tenant and time span that match its group values (those the table has),
/// and the SQL that finds them.
async fn samples(
    session: &QuerySession,
    rule: &Rule,
    alert: &Alert,
) -> Result<(String, Vec<Map<String, Value>>), QueryError> {
    let Some(table) = rule.tables.first() else {
        return Ok((String::new(), Vec::new()));
    };
    if !table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Ok((String::new(), Vec::new()));
    }
    let columns: BTreeSet<String> = match session.describe(&format!("SELECT * FROM {table}")).await
    {
        Ok(schema) => schema.fields().iter().map(|f| f.name().clone()).collect(),
        // A rule over a table without `time` (a register) has no samples.
        Err(_) => return Ok((String::new(), Vec::new())),
    };
    if !columns.contains("time") || !columns.contains("tenant") {
        return Ok((String::new(), Vec::new()));
    }
    let (Ok(first), Ok(last)) = (
        alert.first_seen.parse::<DateTime<Utc>>(),
        alert.last_seen.parse::<DateTime<Utc>>(),
    ) else {
        return Ok((String::new(), Vec::new()));
    };
    let mut filters = vec![
        format!("tenant = {}", sql_string(&alert.tenant)),
        format!("time >= {}", sql_timestamp(first)),
        format!("time <= {}", sql_timestamp(last)),
    ];
    for (column, value) in &alert.key {
        if column == "tenant" || !columns.contains(column) {
            continue;
        }
        let literal = match value {
            Value::String(s) => sql_string(s),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string().to_uppercase(),
            _ => continue,
        };
        filters.push(format!("\"{column}\" = {literal}"));
    }
    let sql = format!(
        "SELECT * FROM {table} WHERE {} ORDER BY time LIMIT {MAX_SAMPLES}",
        filters.join(" AND ")
    );
    let rows = to_json_rows(&session.sql(&sql).await?)?;
    Ok((sql, rows))
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
        .chain(rule.group.iter().map(String::as_str))
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
    let row_severity = match row.get("severity") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_str()
                .and_then(Severity::from_name)
                .ok_or_else(|| {
                    bad(format!(
                        "`severity` {value} is not low, medium, high or critical"
                    ))
                })?,
        ),
    };
    let severity = rule.severity_for(row_severity, row.get("segment").and_then(Value::as_str));
    let key: Map<String, Value> = rule
        .group
        .iter()
        .map(|c| (c.clone(), row.get(c).cloned().unwrap_or(Value::Null)))
        .collect();
    Ok(Alert {
        id: alert_id(&rule.id, &key, &first_seen),
        rule_id: rule.id.clone(),
        severity: severity.as_str().to_owned(),
        title_ja: rule.title.ja.clone(),
        title_en: rule.title.en.clone(),
        tenant,
        status: AlertStatus::New,
        first_seen,
        last_seen,
        event_count,
        key,
        evidence: row,
        evidence_sql: String::new(),
        samples: Vec::new(),
        assignee: None,
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
