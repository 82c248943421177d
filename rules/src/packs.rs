//! Where rules come from: the packs shipped with bannin (`rules/packs/`,
//! embedded in the binary) and the municipality's own directory of packs.

use std::path::Path;

use crate::rule::{Rule, parse_pack};
use crate::{RulesError, sigma};

/// (file name, contents) of every shipped pack.
pub const PACKS: [(&str, &str); 4] = [
    ("mail.toml", include_str!("../packs/mail.toml")),
    ("saas.toml", include_str!("../packs/saas.toml")),
    ("privileged.toml", include_str!("../packs/privileged.toml")),
    ("source.toml", include_str!("../packs/source.toml")),
];

/// Every shipped rule, validated; ids are unique.
pub fn builtin() -> Result<Vec<Rule>, RulesError> {
    let mut rules = Vec::new();
    for (name, text) in PACKS {
        add(&mut rules, parse_pack(name, text)?)?;
    }
    Ok(rules)
}

/// The shipped rules plus those of every `*.toml` pack and every Sigma
/// rule (`*.yml`, `*.yaml`) in `dir` (when given); an id defined twice is
/// an error naming it. A Sigma rule bannin cannot run is left out with a
/// warning naming the file and the reason.
pub fn load(dir: Option<&Path>) -> Result<Vec<Rule>, RulesError> {
    let mut rules = builtin()?;
    if let Some(dir) = dir {
        for (name, text) in read_dir(dir)? {
            add(&mut rules, parse_pack(&name, &text)?)?;
        }
    }
    Ok(rules)
}

/// The packs of `dir` by file name: `*.toml` as they are, Sigma rules
/// compiled to pack text.
fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, RulesError> {
    let io = |e: std::io::Error| RulesError::Data(format!("rules dir {}: {e}", dir.display()));
    let mut packs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let name = path.display().to_string();
        match extension {
            "toml" => packs.push((name, std::fs::read_to_string(&path).map_err(io)?)),
            "yml" | "yaml" => {
                let text = std::fs::read_to_string(&path).map_err(io)?;
                match sigma::compile(&text) {
                    Ok(rule) => packs.push((name, sigma::to_pack_toml(&[rule]))),
                    Err(e) => tracing::warn!(file = %name, reason = %e, "Sigma rule left out"),
                }
            }
            _ => {}
        }
    }
    packs.sort();
    Ok(packs)
}

fn add(rules: &mut Vec<Rule>, more: Vec<Rule>) -> Result<(), RulesError> {
    for rule in more {
        if rules.iter().any(|r: &Rule| r.id == rule.id) {
            return Err(RulesError::Invalid {
                rule: rule.id,
                why: "defined twice".into(),
            });
        }
        rules.push(rule);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_packs_load() {
        let rules = builtin().unwrap();
        let brute = rules.iter().find(|r| r.id == "priv.bruteforce").unwrap();
        assert_eq!(brute.title.ja, "特権IDへの連続ログイン失敗");
        assert!(brute.group.contains(&"tenant".to_owned()));
    }

    #[test]
    fn every_shipped_rule_has_japanese_text_and_both_kinds_of_case() {
        for rule in builtin().unwrap() {
            let japanese = |text: &str| !text.is_ascii();
            assert!(japanese(&rule.title.ja), "{}: title.ja", rule.id);
            assert!(japanese(&rule.runbook.ja), "{}: runbook.ja", rule.id);
            assert!(!rule.title.en.is_empty(), "{}: title.en", rule.id);
            assert!(
                rule.tests.iter().any(|t| t.expect > 0),
                "{}: no positive case",
                rule.id
            );
            assert!(
                rule.tests.iter().any(|t| t.expect == 0),
                "{}: no negative case",
                rule.id
            );
        }
    }

    #[test]
    fn bad_pack_is_a_clear_error() {
        let err = parse_pack("x.toml", "[[rules]]\nid = 1")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("rule pack x.toml"), "{err}");
    }

    #[test]
    fn a_local_pack_may_not_redefine_a_shipped_rule() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.toml"), crate::packs::PACKS[0].1).unwrap();
        let err = load(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("defined twice"), "{err}");
    }

    #[test]
    fn sigma_rules_in_the_rules_dir_are_compiled_and_refusals_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("root_sudo.yml"),
            "title: Sudo To Root Shell\nid: 00000000-0000-4000-8000-000000000001\nstatus: test\n\
             level: high\nlogsource:\n  product: linux\n  service: sudo\ndetection:\n  \
             sel:\n    USER: root\n  condition: sel\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("counting.yml"),
            "title: Counting\nlogsource:\n  category: firewall\ndetection:\n  \
             sel:\n    action: deny\n  condition: sel | count() > 10\n",
        )
        .unwrap();
        let rules = load(Some(dir.path())).unwrap();
        let sigma: Vec<&str> = rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| id.starts_with("sigma."))
            .collect();
        assert_eq!(sigma, ["sigma.sudo_to_root_shell"]);
    }
}
