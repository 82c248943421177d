//! Per-tenant tuning: which rules are off and which thresholds differ from
//! a rule's defaults, for every tenant or for one (`[rules]` in the
//! configuration).

use std::collections::{BTreeMap, BTreeSet};

use bannin_query::TenantScope;
use serde::Deserialize;

use crate::params::{self, Params};
use crate::{Rule, RulesError};

/// The `[rules]` settings that change what rules do.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tuning {
    /// Rule ids that do not run.
    #[serde(default)]
    pub disabled: BTreeSet<String>,
    /// Parameter values for every tenant, by rule id.
    #[serde(default)]
    pub params: BTreeMap<String, Params>,
    /// Per tenant: parameter values by rule id (over `params`).
    #[serde(default)]
    pub tenants: BTreeMap<String, TenantTuning>,
}

/// One tenant's settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantTuning {
    #[serde(default)]
    pub params: BTreeMap<String, Params>,
}

/// One evaluation of a rule: the tenants it covers and the parameter
/// values it runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamGroup {
    /// The session's scope.
    pub scope: TenantScope,
    /// Tenants whose results this evaluation must drop (they are evaluated
    /// with their own values).
    pub except: BTreeSet<String>,
    pub params: Params,
}

impl ParamGroup {
    /// A stable name for the group, for run statistics: `default` or the
    /// tenants it covers.
    pub fn label(&self) -> String {
        match &self.scope {
            TenantScope::All => "default".into(),
            TenantScope::Tenants(set) => set.iter().cloned().collect::<Vec<_>>().join(","),
        }
    }
}

impl Tuning {
    /// Checks every override against the rules it names.
    pub fn check(&self, rules: &[Rule]) -> Result<(), RulesError> {
        let find = |id: &str| {
            rules
                .iter()
                .find(|r| r.id == id)
                .ok_or_else(|| RulesError::Invalid {
                    rule: id.to_owned(),
                    why: "named in [rules] of the configuration, but no such rule is loaded".into(),
                })
        };
        for id in &self.disabled {
            find(id)?;
        }
        let overrides = self.params.iter().chain(
            self.tenants
                .values()
                .flat_map(|tenant| tenant.params.iter()),
        );
        for (id, values) in overrides {
            let rule = find(id)?;
            params::check("", &rule.params, values).map_err(|why| RulesError::Invalid {
                rule: id.clone(),
                why: format!("[rules] configuration: {why}"),
            })?;
        }
        for tenant in self.tenants.keys() {
            TenantScope::tenants([tenant.as_str()]).map_err(|e| RulesError::Invalid {
                rule: "[rules.tenants]".into(),
                why: e.to_string(),
            })?;
        }
        Ok(())
    }

    pub fn enabled(&self, rule: &Rule) -> bool {
        !self.disabled.contains(&rule.id)
    }

    /// The evaluations one run of `rule` needs: every tenant with the
    /// common values, and each set of tenants whose own values differ.
    pub fn groups(&self, rule: &Rule) -> Vec<ParamGroup> {
        let mut common = rule.params.clone();
        if let Some(values) = self.params.get(&rule.id) {
            common.extend(values.clone());
        }
        // Tenants with their own values, grouped by the values.
        let mut own: Vec<(Params, BTreeSet<String>)> = Vec::new();
        for (tenant, tuning) in &self.tenants {
            let Some(values) = tuning.params.get(&rule.id) else {
                continue;
            };
            let mut effective = common.clone();
            effective.extend(values.clone());
            if effective == common {
                continue;
            }
            match own.iter_mut().find(|(p, _)| *p == effective) {
                Some((_, tenants)) => {
                    tenants.insert(tenant.clone());
                }
                None => own.push((effective, BTreeSet::from([tenant.clone()]))),
            }
        }
        let except: BTreeSet<String> = own.iter().flat_map(|(_, t)| t.iter().cloned()).collect();
        let mut groups = vec![ParamGroup {
            scope: TenantScope::All,
            except,
            params: common,
        }];
        groups.extend(own.into_iter().map(|(params, tenants)| ParamGroup {
            scope: TenantScope::Tenants(tenants),
            except: BTreeSet::new(),
            params,
        }));
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ParamValue;
    use crate::rule::parse_pack;

    fn rule() -> Rule {
        parse_pack(
            "t.toml",
            r#"[[rules]]
id = "mail.outbound_burst"
severity = "high"
title.ja = "内部からの大量メール送信"
tables = ["mail"]
window = "10m"
group = ["tenant", "sender"]
runbook.ja = "1. 確認する。"
params = { max_messages = 200, max_domains = 50 }
sql = "SELECT 1 WHERE {max_messages} > {max_domains}"
"#,
        )
        .unwrap()
        .remove(0)
    }

    fn tuning(text: &str) -> Tuning {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn tenants_with_own_thresholds_run_apart() {
        let t = tuning(
            r#"
[params."mail.outbound_burst"]
max_messages = 300
[tenants.sakuragaoka.params."mail.outbound_burst"]
max_messages = 500
[tenants.momijidai.params."mail.outbound_burst"]
max_messages = 500
[tenants.kaede.params."mail.outbound_burst"]
max_messages = 300
"#,
        );
        t.check(&[rule()]).unwrap();
        let groups = t.groups(&rule());
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0].scope, TenantScope::All);
        assert_eq!(groups[0].params["max_messages"], ParamValue::Int(300));
        assert_eq!(groups[0].params["max_domains"], ParamValue::Int(50));
        assert_eq!(
            groups[0].except,
            BTreeSet::from(["momijidai".to_owned(), "sakuragaoka".to_owned()])
        );
        assert_eq!(groups[1].label(), "momijidai,sakuragaoka");
        assert_eq!(groups[1].params["max_messages"], ParamValue::Int(500));
    }

    #[test]
    fn overrides_of_unknown_rules_or_parameters_are_refused() {
        let err = tuning("disabled = [\"mail.burst\"]")
            .check(&[rule()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no such rule"), "{err}");
        let err = tuning("[params.\"mail.outbound_burst\"]\nmax_msgs = 1")
            .check(&[rule()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("max_msgs"), "{err}");
        let err = tuning("[tenants.\"../x\".params.\"mail.outbound_burst\"]\nmax_messages = 1")
            .check(&[rule()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("tenant"), "{err}");
    }
}
