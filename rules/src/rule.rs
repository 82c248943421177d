//! The rule model: what a rule file says.

use serde::{Deserialize, Serialize};

use crate::RulesError;

/// Columns every rule's result must have.
pub const REQUIRED_COLUMNS: [&str; 4] = ["tenant", "first_seen", "last_seen", "event_count"];

/// Japanese first, English second.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub ja: String,
    #[serde(default)]
    pub en: String,
}

/// Alert severity, lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// One detection rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, `area.name` (e.g. `priv.bruteforce`).
    pub id: String,
    pub severity: Severity,
    pub title: Text,
    #[serde(default)]
    pub description: Text,
    /// Tables the SQL reads.
    pub tables: Vec<String>,
    /// Look-back window the SQL applies (documentation for reviewers).
    pub window: String,
    /// Guideline reference (ガイドライン).
    #[serde(default)]
    pub guideline: String,
    /// MITRE ATT&CK technique ids.
    #[serde(default)]
    pub attack: Vec<String>,
    /// Result columns that identify one incident.
    pub dedup: Vec<String>,
    /// 対応手順: what the monitoring staff do.
    pub runbook: Text,
    /// A read-only query returning one row per incident.
    pub sql: String,
}

impl Rule {
    /// Checks what can be checked without running the SQL.
    pub fn validate(&self) -> Result<(), RulesError> {
        let invalid = |why: String| {
            Err(RulesError::Invalid {
                rule: self.id.clone(),
                why,
            })
        };
        if self.id.is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
        {
            return invalid("id must be lowercase `area.name`".into());
        }
        if self.title.ja.is_empty() || self.runbook.ja.is_empty() {
            return invalid("title.ja and runbook.ja are required".into());
        }
        if self.dedup.is_empty() {
            return invalid("dedup must name at least one column".into());
        }
        if self.sql.trim().is_empty() {
            return invalid("sql is empty".into());
        }
        Ok(())
    }
}

/// A rule pack file: `[[rules]]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    pub rules: Vec<Rule>,
}

/// Parses and validates one pack.
pub fn parse_pack(name: &str, text: &str) -> Result<Vec<Rule>, RulesError> {
    let pack: Pack = toml::from_str(text).map_err(|source| RulesError::Pack {
        pack: name.to_owned(),
        source,
    })?;
    for rule in &pack.rules {
        rule.validate()?;
    }
    Ok(pack.rules)
}
