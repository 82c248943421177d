//! Routing: which channels hear of an alert change. A route matches rule
//! ids (exact, or a prefix ending in `*`), a lowest severity, optional
//! tenants and the kinds of change; every matching route adds its
//! channels, and each channel hears of a change at most once.

use std::collections::BTreeSet;

use bannin_rules::Severity;

use super::config::RouteConfig;
use super::notice::Notice;

/// The channels `notice` goes to under `routes`, each once, by name.
pub fn channels_for(routes: &[RouteConfig], notice: &Notice) -> BTreeSet<String> {
    routes
        .iter()
        .filter(|route| matches(route, notice))
        .flat_map(|route| route.channels.iter().cloned())
        .collect()
}

fn matches(route: &RouteConfig, notice: &Notice) -> bool {
    let rule =
        route.rules.is_empty() || route.rules.iter().any(|p| rule_matches(p, &notice.rule_id));
    // An unknown severity (a newer rule file?) is routed as the highest,
    // so it is not silently dropped.
    let severity = Severity::from_name(&notice.severity).unwrap_or(Severity::Critical);
    let tenant = route.tenants.is_empty() || route.tenants.contains(&notice.tenant);
    let change = route.changes.contains(&notice.change);
    rule && severity >= route.min_severity && tenant && change
}

fn rule_matches(pattern: &str, rule_id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => rule_id.starts_with(prefix),
        None => pattern == rule_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::notice::tests::mass_mail;

    fn route(text: &str) -> RouteConfig {
        toml::from_str(text).unwrap()
    }

    fn names(set: BTreeSet<String>) -> Vec<String> {
        set.into_iter().collect()
    }

    #[test]
    fn rules_severity_tenant_and_change_all_count() {
        let routes = vec![
            route("rules = [\"mail.*\"]\nmin_severity = \"high\"\nchannels = [\"soc\", \"mail\"]"),
            route("rules = [\"mail.mass_sending\"]\nchannels = [\"soc\"]"),
            route("min_severity = \"critical\"\nchannels = [\"pager\"]"),
            route("tenants = [\"sakuragaoka\"]\nchannels = [\"sakura\"]"),
            route("rules = [\"mail\"]\nchannels = [\"exact-only\"]"),
            route("changes = [\"acknowledge\", \"resolve\"]\nchannels = [\"log\"]"),
        ];
        let notice = mass_mail();
        // Two routes name `soc`: it hears once.
        assert_eq!(names(channels_for(&routes, &notice)), ["mail", "soc"]);

        let critical = Notice {
            severity: "critical".into(),
            ..mass_mail()
        };
        assert_eq!(
            names(channels_for(&routes, &critical)),
            ["mail", "pager", "soc"]
        );

        let medium = Notice {
            severity: "medium".into(),
            ..mass_mail()
        };
        assert_eq!(names(channels_for(&routes, &medium)), ["soc"]);

        let other_rule = Notice {
            rule_id: "auth.bruteforce".into(),
            tenant: "sakuragaoka".into(),
            ..mass_mail()
        };
        assert_eq!(names(channels_for(&routes, &other_rule)), ["sakura"]);

        let acknowledged = Notice {
            change: "acknowledge".into(),
            ..mass_mail()
        };
        assert_eq!(names(channels_for(&routes, &acknowledged)), ["log"]);

        let occurrence = Notice {
            change: "occurrence".into(),
            ..mass_mail()
        };
        assert!(channels_for(&routes, &occurrence).is_empty());

        let reopened = Notice {
            change: "reopen".into(),
            ..mass_mail()
        };
        assert_eq!(names(channels_for(&routes, &reopened)), ["mail", "soc"]);
    }
}
