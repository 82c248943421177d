//! Checking a rule against the lake's schema without data: its SQL, with
//! the placeholders filled, must plan, and its result must have the
//! columns the engine needs.

use bannin_query::TenantScope;
use chrono::{DateTime, Utc};

use crate::params::{self, Window};
use crate::rule::REQUIRED_COLUMNS;
use crate::{Rule, RulesError, Sessions};

/// Plans `rule`'s SQL in a session of `sessions` and checks its columns.
pub async fn check_sql(
    sessions: &dyn Sessions,
    rule: &Rule,
    now: DateTime<Utc>,
) -> Result<(), RulesError> {
    let query_err = |source| RulesError::Query {
        rule: rule.id.clone(),
        source,
    };
    let session = sessions.open(&TenantScope::All).map_err(query_err)?;
    let window = Window {
        start: now - rule.window.chrono(),
        end: now,
    };
    let sql = params::render(&rule.sql, window, rule.window, &rule.params);
    let schema = session.describe(&sql).await.map_err(query_err)?;
    let has = |name: &str| schema.fields().iter().any(|f| f.name() == name);
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .chain(rule.group.iter().map(String::as_str))
        .filter(|c| !has(c))
        .collect();
    if !missing.is_empty() {
        return Err(RulesError::Invalid {
            rule: rule.id.clone(),
            why: format!("the result has no column {}", missing.join(", ")),
        });
    }
    Ok(())
}
