//! A rule's state for operators and the API: whether it runs and why, and
//! how its last run went.
//!
//! Precedence: a rule runs unless the configuration's `[rules] disabled`
//! lists it — the default — and an admin's run-time switch
//! ([`RunLog::set_enabled`]) overrides that default, in either direction,
//! until the next switch. The scheduler reads the switches at every tick.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::runs::{Override, RuleRuns, RunLog};
use crate::{Rule, RulesError, Severity, Span, Tuning};

/// Why a rule is on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Why {
    /// Nothing says otherwise: the rule runs.
    Default,
    /// `[rules] disabled` in the configuration lists it.
    Config,
    /// Switched on or off at run time.
    Override { actor: String, at: DateTime<Utc> },
}

/// Whether a rule runs, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Enablement {
    pub enabled: bool,
    pub why: Why,
}

/// Whether the rule `rule_id` runs under `tuning` and the run-time
/// `overrides` ([`RunLog::overrides`]).
pub fn enablement(
    rule_id: &str,
    tuning: &Tuning,
    overrides: &BTreeMap<String, Override>,
) -> Enablement {
    match overrides.get(rule_id) {
        Some(o) => Enablement {
            enabled: o.enabled,
            why: Why::Override {
                actor: o.actor.clone(),
                at: o.at,
            },
        },
        None if tuning.disabled.contains(rule_id) => Enablement {
            enabled: false,
            why: Why::Config,
        },
        None => Enablement {
            enabled: true,
            why: Why::Default,
        },
    }
}

/// One rule as `GET /api/v1/rules` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RuleState {
    pub id: String,
    pub title_ja: String,
    pub title_en: String,
    pub severity: Severity,
    #[schema(value_type = String, example = "5m")]
    pub schedule: Span,
    #[serde(flatten)]
    pub enablement: Enablement,
    /// The scheduler's record of the rule (last run, its duration, rows
    /// scanned, incidents, error, settled point); `None` if it never ran.
    pub last_run: Option<RuleRuns>,
}

/// Every rule of `rules`, in their order, with whether it runs, why, and
/// its last run.
pub fn rule_states(
    rules: &[Rule],
    tuning: &Tuning,
    log: &RunLog,
) -> Result<Vec<RuleState>, RulesError> {
    let overrides = log.overrides()?;
    let mut runs: BTreeMap<String, RuleRuns> = log
        .all()?
        .into_iter()
        .map(|r| (r.rule_id.clone(), r))
        .collect();
    Ok(rules
        .iter()
        .map(|rule| state(rule, tuning, &overrides, runs.remove(&rule.id)))
        .collect())
}

/// Switches the rule `id` of `rules` on or off by `actor` at `now` and
/// returns its new state; an id not among `rules` is
/// [`RulesError::UnknownRule`].
pub fn switch(
    log: &mut RunLog,
    rules: &[Rule],
    tuning: &Tuning,
    id: &str,
    enabled: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<RuleState, RulesError> {
    let rule = rules
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| RulesError::UnknownRule { id: id.to_owned() })?;
    let switched = log.set_enabled(id, enabled, actor, now)?;
    let overrides = BTreeMap::from([(switched.rule_id.clone(), switched)]);
    Ok(state(rule, tuning, &overrides, log.get(id)?))
}

fn state(
    rule: &Rule,
    tuning: &Tuning,
    overrides: &BTreeMap<String, Override>,
    last_run: Option<RuleRuns>,
) -> RuleState {
    RuleState {
        id: rule.id.clone(),
        title_ja: rule.title.ja.clone(),
        title_en: rule.title.en.clone(),
        severity: rule.severity,
        schedule: rule.schedule,
        enablement: enablement(&rule.id, tuning, overrides),
        last_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn switched(enabled: bool) -> BTreeMap<String, Override> {
        BTreeMap::from([(
            "mail.inbound_spam_volume".to_owned(),
            Override {
                rule_id: "mail.inbound_spam_volume".into(),
                enabled,
                actor: "tanaka".into(),
                at: "2026-11-21T01:00:00Z".parse().unwrap(),
            },
        )])
    }

    #[test]
    fn the_latest_switch_wins_over_the_configuration_in_both_directions() {
        let config_off = Tuning {
            disabled: ["mail.inbound_spam_volume".to_owned()].into(),
            ..Tuning::default()
        };
        let id = "mail.inbound_spam_volume";
        let none = BTreeMap::new();
        assert_eq!(
            enablement(id, &Tuning::default(), &none),
            Enablement {
                enabled: true,
                why: Why::Default
            }
        );
        assert_eq!(
            enablement(id, &config_off, &none),
            Enablement {
                enabled: false,
                why: Why::Config
            }
        );
        let on = enablement(id, &config_off, &switched(true));
        assert!(on.enabled);
        assert!(matches!(on.why, Why::Override { ref actor, .. } if actor == "tanaka"));
        assert!(!enablement(id, &Tuning::default(), &switched(false)).enabled);
        assert!(enablement("priv.bruteforce", &Tuning::default(), &switched(false)).enabled);
        let json = serde_json::to_value(&on).unwrap();
        assert_eq!(json["why"]["by"], "override");
        assert_eq!(json["why"]["at"], "2026-11-21T01:00:00Z");
    }
}
