//! Value modifiers (`field|contains|all`): which ones bannin compiles, and
//! how they combine.

use super::error::SigmaError;

/// How one value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// Whole value (Sigma wildcards `*` `?` allowed).
    Equals,
    Contains,
    StartsWith,
    EndsWith,
    /// A regular expression (`re`, with flags `i`, `m`, `s`).
    Regex,
    /// Address in a network (`cidr`).
    Cidr,
    /// Field present or absent (`exists`).
    Exists,
    /// Numeric comparison (`gt`, `gte`, `lt`, `lte`).
    Compare(Comparison),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Comparison {
    pub fn operator(self) -> &'static str {
        match self {
            Comparison::Gt => ">",
            Comparison::Gte => ">=",
            Comparison::Lt => "<",
            Comparison::Lte => "<=",
        }
    }
}

/// The modifiers of one `field|…` key, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Modifiers {
    pub kind: Match,
    /// `all`: every value must match (default: any).
    pub all: bool,
    /// `windash`: `-` at the start of a word also matches `/` and the
    /// Unicode dashes.
    pub windash: bool,
    /// `cased`: compare case-sensitively (Sigma compares case-insensitively
    /// by default).
    pub cased: bool,
    /// Regex flags `i` (ignore case), `m` (multi-line), `s` (dot matches
    /// newline).
    pub regex_ignore_case: bool,
    pub regex_multi_line: bool,
    pub regex_dot_all: bool,
}

/// Resolves the modifier names of a key; unknown or unsupported ones (e.g.
/// `base64offset`, `fieldref`, `expand`) and contradicting combinations are
/// refused by name.
pub fn resolve(names: &[String]) -> Result<Modifiers, SigmaError> {
    let mut m = Modifiers {
        kind: Match::Equals,
        all: false,
        windash: false,
        cased: false,
        regex_ignore_case: false,
        regex_multi_line: false,
        regex_dot_all: false,
    };
    let mut flags = Vec::new();
    for name in names {
        let kind = match name.as_str() {
            "contains" => Match::Contains,
            "startswith" => Match::StartsWith,
            "endswith" => Match::EndsWith,
            "re" => Match::Regex,
            "cidr" => Match::Cidr,
            "exists" => Match::Exists,
            "gt" => Match::Compare(Comparison::Gt),
            "gte" => Match::Compare(Comparison::Gte),
            "lt" => Match::Compare(Comparison::Lt),
            "lte" => Match::Compare(Comparison::Lte),
            "all" => {
                m.all = true;
                continue;
            }
            "windash" => {
                m.windash = true;
                continue;
            }
            "cased" => {
                m.cased = true;
                continue;
            }
            "i" | "ignorecase" | "m" | "multiline" | "s" | "dotall" => {
                flags.push(name.as_str());
                continue;
            }
            other => {
                return Err(SigmaError::Unsupported(format!("modifier `{other}`")));
            }
        };
        if m.kind != Match::Equals {
            return Err(SigmaError::Unsupported(format!(
                "modifiers `{}` combined",
                names.join("|")
            )));
        }
        m.kind = kind;
    }
    for flag in flags {
        if m.kind != Match::Regex {
            return Err(SigmaError::Unsupported(format!(
                "modifier `{flag}` without `re`"
            )));
        }
        match flag {
            "i" | "ignorecase" => m.regex_ignore_case = true,
            "m" | "multiline" => m.regex_multi_line = true,
            _ => m.regex_dot_all = true,
        }
    }
    let plain_text = matches!(
        m.kind,
        Match::Equals | Match::Contains | Match::StartsWith | Match::EndsWith
    );
    if m.windash && !plain_text {
        return Err(SigmaError::Unsupported(format!(
            "modifiers `{}` combined",
            names.join("|")
        )));
    }
    if m.cased && !plain_text {
        return Err(SigmaError::Unsupported(format!(
            "modifiers `{}` combined",
            names.join("|")
        )));
    }
    Ok(m)
}

/// The dashes `windash` lets stand for `-`.
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// The variants of `value` for `windash`: each `-` that starts a word (at
/// the start or after whitespace) replaced by one of the dashes.
pub fn windash_variants(value: &str) -> Vec<String> {
    let mut variants = Vec::with_capacity(DASHES.len());
    for dash in DASHES {
        let mut out = String::with_capacity(value.len() + 2);
        let mut word_start = true;
        for c in value.chars() {
            if c == '-' && word_start {
                out.push(dash);
            } else {
                out.push(c);
            }
            word_start = c.is_whitespace();
        }
        if !variants.contains(&out) {
            variants.push(out);
        }
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &[&str]) -> Vec<String> {
        s.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn resolves_combinations() {
        let m = resolve(&names(&["contains", "all"])).unwrap();
        assert_eq!((m.kind, m.all), (Match::Contains, true));
        let m = resolve(&names(&["re", "i", "m"])).unwrap();
        assert!(m.regex_ignore_case && m.regex_multi_line && !m.regex_dot_all);
        let m = resolve(&names(&["windash", "contains"])).unwrap();
        assert!(m.windash);
        assert_eq!(resolve(&[]).unwrap().kind, Match::Equals);
    }

    #[test]
    fn refuses_unknown_and_contradicting_modifiers() {
        for bad in [
            vec!["base64offset", "contains"],
            vec!["utf16le"],
            vec!["fieldref"],
            vec!["contains", "startswith"],
            vec!["i"],
            vec!["cidr", "windash"],
        ] {
            let err = resolve(&names(&bad)).unwrap_err();
            assert!(matches!(err, SigmaError::Unsupported(_)), "{bad:?}: {err}");
        }
        let err = resolve(&names(&["base64offset", "contains"])).unwrap_err();
        assert_eq!(err.to_string(), "unsupported: modifier `base64offset`");
    }

    #[test]
    fn windash_replaces_only_word_starting_dashes() {
        let v = windash_variants("-enc x-y -nop");
        assert_eq!(v.len(), 5);
        assert!(v.contains(&"/enc x-y /nop".to_string()));
        assert!(v.contains(&"\u{2013}enc x-y \u{2013}nop".to_string()));
        assert_eq!(windash_variants("no dash"), ["no dash"]);
    }
}
