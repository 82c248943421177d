//! The detection content shipped with bannin (`rules/packs/*.toml`),
//! embedded in the binary.

use crate::RulesError;
use crate::rule::{Rule, parse_pack};

/// (file name, contents) of every shipped pack.
pub const PACKS: [(&str, &str); 1] =
    [("privileged.toml", include_str!("../packs/privileged.toml"))];

/// Every shipped rule, validated; ids are unique.
pub fn builtin() -> Result<Vec<Rule>, RulesError> {
    let mut rules = Vec::new();
    for (name, text) in PACKS {
        for rule in parse_pack(name, text)? {
            if rules.iter().any(|r: &Rule| r.id == rule.id) {
                return Err(RulesError::Invalid {
                    rule: rule.id,
                    why: "defined twice".into(),
                });
            }
            rules.push(rule);
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_packs_load() {
        let rules = builtin().unwrap();
        let brute = rules.iter().find(|r| r.id == "priv.bruteforce").unwrap();
        assert_eq!(brute.title.ja, "特権IDへの連続ログイン失敗");
        assert!(brute.dedup.contains(&"first_seen".to_owned()));
    }

    #[test]
    fn bad_pack_is_a_clear_error() {
        let err = parse_pack("x.toml", "[[rules]]\nid = 1")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("rule pack x.toml"), "{err}");
    }
}
