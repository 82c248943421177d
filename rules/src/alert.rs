//! Alerts: what a rule raised, with a lifecycle.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::RulesError;

/// At most this many sample rows are kept with an alert.
pub const MAX_SAMPLES: usize = 20;

/// Lifecycle: new → acknowledged → resolved / false_positive (docs/alerts.md).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    New,
    Acknowledged,
    Resolved,
    FalsePositive,
}

impl AlertStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [AlertStatus; 4] = [
        AlertStatus::New,
        AlertStatus::Acknowledged,
        AlertStatus::Resolved,
        AlertStatus::FalsePositive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::New => "new",
            AlertStatus::Acknowledged => "acknowledged",
            AlertStatus::Resolved => "resolved",
            AlertStatus::FalsePositive => "false_positive",
        }
    }
}

impl std::fmt::Display for AlertStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertStatus {
    type Err = RulesError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "new" => Ok(Self::New),
            "acknowledged" => Ok(Self::Acknowledged),
            "resolved" => Ok(Self::Resolved),
            "false_positive" => Ok(Self::FalsePositive),
            other => Err(RulesError::Data(format!("unknown alert status `{other}`"))),
        }
    }
}

/// One alert, as stored and as served by the API.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Alert {
    /// Deterministic: the same incident always gets the same id.
    pub id: String,
    pub rule_id: String,
    pub severity: String,
    pub title_ja: String,
    pub title_en: String,
    pub tenant: String,
    pub status: AlertStatus,
    /// Who is working on it (a user name); `None` until assigned.
    pub assignee: Option<String>,
    /// RFC 3339, UTC.
    pub first_seen: String,
    pub last_seen: String,
    pub event_count: i64,
    /// The dedup columns and their values.
    #[schema(value_type = Object)]
    pub key: Map<String, Value>,
    /// The whole result row.
    #[schema(value_type = Object)]
    pub evidence: Map<String, Value>,
    /// The SQL that reproduces the evidence (window bounds filled in).
    pub evidence_sql: String,
    /// Sample raw rows behind the incident, at most [`MAX_SAMPLES`].
    #[schema(value_type = Vec<Object>)]
    pub samples: Vec<Map<String, Value>>,
    pub runbook_ja: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The alert id: a hash of the rule id, the group values and the
/// incident's start, so running a rule again over the same data finds the
/// same alert.
pub fn alert_id(rule_id: &str, key: &Map<String, Value>, first_seen: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule_id.as_bytes());
    hasher.update([0x1d]);
    hasher.update(first_seen.as_bytes());
    for (name, value) in key {
        hasher.update([0x1f]);
        hasher.update(name.as_bytes());
        hasher.update([0x1e]);
        hasher.update(value.to_string().as_bytes());
    }
    let digest = hasher.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn id_is_stable_and_depends_on_rule_and_key() {
        let a = key(json!({"tenant": "t", "user": "root"}));
        let b = key(json!({"tenant": "t", "user": "administrator"}));
        assert_eq!(
            alert_id("priv.bruteforce", &a, "t0"),
            alert_id("priv.bruteforce", &a, "t0")
        );
        assert_ne!(
            alert_id("priv.bruteforce", &a, "t0"),
            alert_id("priv.bruteforce", &b, "t0")
        );
        assert_ne!(
            alert_id("priv.bruteforce", &a, "t0"),
            alert_id("priv.bruteforce", &a, "t1")
        );
        assert_ne!(
            alert_id("priv.bruteforce", &a, "t0"),
            alert_id("priv.other", &a, "t0")
        );
        assert_eq!(alert_id("x", &a, "t0").len(), 32);
    }
}
