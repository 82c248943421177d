//! The rule model: what a rule file says (docs/rules.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::backtest::TestCase;
use crate::params::{self, Params};
use crate::{RulesError, Span};

/// Columns every rule's result must have.
pub const REQUIRED_COLUMNS: [&str; 4] = ["tenant", "first_seen", "last_seen", "event_count"];

/// The 三層 zones a result's `segment` may name.
pub const SEGMENTS: [&str; 3] = ["mynumber", "lgwan", "internet"];

/// Japanese first, English second.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub ja: String,
    #[serde(default)]
    pub en: String,
}

/// Alert severity, lowest to highest.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The severity called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

fn default_schedule() -> Span {
    Span::from_secs(300)
}

fn default_lateness() -> Span {
    Span::from_secs(300)
}

fn default_suppress() -> Span {
    Span::from_secs(3_600)
}

/// One detection rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// How often the rule runs inside `bannin serve`.
    #[serde(default = "default_schedule")]
    pub schedule: Span,
    /// Look-back: how far back one incident reaches.
    pub window: Span,
    /// How late a record may arrive and still be seen.
    #[serde(default = "default_lateness")]
    pub lateness: Span,
    /// A new match of the same group within this of the last one is the
    /// same alert.
    #[serde(default = "default_suppress")]
    pub suppress: Span,
    /// Result columns that make two matches the same incident.
    #[serde(alias = "dedup")]
    pub group: Vec<String>,
    /// Guideline reference (ガイドライン), by section title.
    #[serde(default)]
    pub guideline: String,
    /// MITRE ATT&CK technique ids.
    #[serde(default)]
    pub attack: Vec<String>,
    /// Stored and reported, never notified.
    #[serde(default)]
    pub report_only: bool,
    /// Severity raised (never lowered) when the result's `segment` is this
    /// zone.
    #[serde(default)]
    pub severity_by_segment: BTreeMap<String, Severity>,
    /// 対応手順: what the monitoring staff do now.
    pub runbook: Text,
    /// Parameters (thresholds) and their defaults.
    #[serde(default)]
    pub params: Params,
    /// A read-only query returning one row per incident.
    pub sql: String,
    /// Backtests: fixture logs and the alerts they must (not) raise.
    #[serde(default)]
    pub tests: Vec<TestCase>,
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
        let id_ok = self.id.split('.').count() >= 2
            && self.id.split('.').all(|part| {
                !part.is_empty()
                    && part.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    })
            });
        if !id_ok {
            return invalid("id must be lowercase `area.name`".into());
        }
        if self.title.ja.trim().is_empty() || self.runbook.ja.trim().is_empty() {
            return invalid("title.ja and runbook.ja are required".into());
        }
        if self.group.is_empty() {
            return invalid("group must name at least one column".into());
        }
        if !self.group.iter().any(|c| c == "tenant") {
            return invalid("group must include `tenant`".into());
        }
        if self.sql.trim().is_empty() {
            return invalid("sql is empty".into());
        }
        if self.tables.is_empty() {
            return invalid("tables must name the tables the SQL reads".into());
        }
        for segment in self.severity_by_segment.keys() {
            if !SEGMENTS.contains(&segment.as_str()) {
                return invalid(format!(
                    "severity_by_segment: `{segment}` is not a zone (one of {})",
                    SEGMENTS.join(", ")
                ));
            }
        }
        if let Err(why) = params::check(&self.sql, &self.params, &Params::new()) {
            return invalid(why);
        }
        for case in &self.tests {
            if let Err(why) = case.check(self) {
                return invalid(format!("test `{}`: {why}", case.name));
            }
        }
        Ok(())
    }

    /// The severity of one incident: the row's own `severity` if it gives
    /// one, else the rule's, raised by `severity_by_segment`.
    pub fn severity_for(&self, row_severity: Option<Severity>, segment: Option<&str>) -> Severity {
        let base = row_severity.unwrap_or(self.severity);
        segment
            .and_then(|s| self.severity_by_segment.get(s))
            .map_or(base, |raised| base.max(*raised))
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

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[rules]]
id = "mail.outbound_burst"
severity = "high"
title.ja = "内部からの大量メール送信"
tables = ["mail"]
window = "10m"
group = ["tenant", "sender"]
runbook.ja = "1. 送信元端末を確認する。"
severity_by_segment = { mynumber = "critical" }
params = { max_messages = 200 }
sql = "SELECT tenant, sender FROM mail WHERE time >= {window_start} AND time < {window_end} GROUP BY 1, 2 HAVING count(*) >= {max_messages}"
"#;

    #[test]
    fn defaults_fill_what_a_pack_leaves_out() {
        let rules = parse_pack("mail.toml", MINIMAL).unwrap();
        let rule = &rules[0];
        assert_eq!(rule.schedule.to_string(), "5m");
        assert_eq!(rule.lateness.to_string(), "5m");
        assert_eq!(rule.suppress.to_string(), "1h");
        assert!(!rule.report_only);
        assert_eq!(
            rule.severity_for(None, Some("mynumber")),
            Severity::Critical
        );
        assert_eq!(rule.severity_for(None, Some("lgwan")), Severity::High);
        assert_eq!(rule.severity_for(Some(Severity::Low), None), Severity::Low);
    }

    #[test]
    fn mistakes_are_named() {
        for (from, to, expect) in [
            ("{max_messages}", "{max_msgs}", "{max_msgs}"),
            ("window = \"10m\"", "window = \"ten\"", "length of time"),
            (
                "[\"tenant\", \"sender\"]",
                "[\"sender\"]",
                "include `tenant`",
            ),
            ("mynumber = ", "my_number = ", "not a zone"),
            (
                "id = \"mail.outbound_burst\"",
                "id = \"Mail Burst\"",
                "lowercase",
            ),
            (
                "severity = \"high\"",
                "severity = \"urgent\"",
                "unknown variant",
            ),
        ] {
            let text = MINIMAL.replace(from, to);
            let err = parse_pack("mail.toml", &text).unwrap_err().to_string();
            assert!(err.contains(expect), "{from} → {to}: {err}");
        }
    }
}
