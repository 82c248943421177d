//! Ground truth of the generated day: what was injected for each first-wave
//! rule, and which benign activity looks like it but must not alert.

use std::collections::BTreeMap;

/// One incident hidden in the day on purpose: exactly one alert of
/// `rule_id` should carry `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedCase {
    /// The first-wave rule that should catch it (`mail.outbound_burst`, …).
    pub rule_id: &'static str,
    /// What happened, in one Japanese line.
    pub what: String,
    /// Group values the alert carries (column name → value), e.g. `sender`,
    /// `user`, `host`, `src_ip`, `source`. Empty: any alert of the rule.
    pub key: BTreeMap<String, String>,
}

/// Benign activity that resembles what `rule_id` looks for; no alert of that
/// rule may carry `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookAlike {
    pub rule_id: &'static str,
    /// What it is and why it is fine, in one Japanese line.
    pub what: String,
    /// Values that identify the activity in an alert (as for [`InjectedCase`]).
    pub key: BTreeMap<String, String>,
}

fn key(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl InjectedCase {
    pub(super) fn new(rule_id: &'static str, what: String, pairs: &[(&str, &str)]) -> Self {
        Self {
            rule_id,
            what,
            key: key(pairs),
        }
    }
}

impl LookAlike {
    pub(super) fn new(rule_id: &'static str, what: &str, pairs: &[(&str, &str)]) -> Self {
        Self {
            rule_id,
            what: what.to_owned(),
            key: key(pairs),
        }
    }
}

/// Truth collected while generating.
#[derive(Debug, Default)]
pub(super) struct Truth {
    pub(super) injected: Vec<InjectedCase>,
    pub(super) look_alikes: Vec<LookAlike>,
}

impl Truth {
    pub(super) fn inject(&mut self, rule_id: &'static str, what: String, pairs: &[(&str, &str)]) {
        self.injected.push(InjectedCase::new(rule_id, what, pairs));
    }

    pub(super) fn look_alike(&mut self, rule_id: &'static str, what: &str, pairs: &[(&str, &str)]) {
        self.look_alikes.push(LookAlike::new(rule_id, what, pairs));
    }
}
