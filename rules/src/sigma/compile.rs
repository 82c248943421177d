//! A parsed Sigma rule → bannin rule SQL: one row per
//! (tenant, host, identity) with first/last seen and a count.

use std::collections::HashMap;

use super::condition::{self, Condition, Target};
use super::document::{self, FieldMatch, Search, SigmaRule, Value};
use super::error::SigmaError;
use super::fields::{self, Kind};
use super::logsource::{self, KEYWORD_COLUMN, Source};
use super::modifiers::{self, Match, Modifiers};
use super::sql;

/// A Sigma rule compiled to a bannin rule (rendered by
/// [`super::to_pack_toml`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledSigma {
    /// `sigma.<slug of the title>`.
    pub id: String,
    /// The Sigma rule's own `id` (a UUID), kept for credit and updates.
    pub sigma_id: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub author: Option<String>,
    pub falsepositives: Vec<String>,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: &'static str,
    /// ATT&CK technique ids (`T1071.001`).
    pub attack: Vec<String>,
    pub tables: Vec<String>,
    pub group: Vec<String>,
    pub sql: String,
}

/// Compiles one Sigma rule (YAML text).
pub fn compile(yaml_text: &str) -> Result<CompiledSigma, SigmaError> {
    let rule = document::parse(yaml_text)?;
    let source = logsource::resolve(&rule.logsource)?;
    let detection = Compiler {
        rule: &rule,
        source: &source,
        done: HashMap::new(),
    }
    .detection()?;
    let identity = source.identity;
    let mut predicates = vec![
        "time >= {window_start}".to_owned(),
        "time < {window_end}".to_owned(),
    ];
    predicates.extend(source.filter.iter().map(|f| format!("({f})")));
    predicates.push(format!("({detection})"));
    let sql = format!(
        "SELECT tenant, host, \"{identity}\", min(time) AS first_seen, max(time) AS last_seen, \
         count(*) AS event_count\nFROM {table}\nWHERE {predicates}\nGROUP BY tenant, host, \"{identity}\"",
        table = source.table,
        predicates = predicates.join("\n  AND "),
    );
    Ok(CompiledSigma {
        id: rule_id(&rule)?,
        sigma_id: rule.id.clone(),
        severity: severity(rule.level.as_deref())?,
        attack: attack_ids(&rule.tags),
        tables: vec![source.table.to_owned()],
        group: vec!["tenant".into(), "host".into(), identity.to_owned()],
        sql,
        title: rule.title,
        description: rule.description,
        author: rule.author,
        falsepositives: rule.falsepositives,
    })
}

struct Compiler<'a> {
    rule: &'a SigmaRule,
    source: &'a Source,
    /// Searches already compiled, by name.
    done: HashMap<String, String>,
}

impl Compiler<'_> {
    fn detection(&mut self) -> Result<String, SigmaError> {
        let mut parts = Vec::new();
        for text in &self.rule.conditions {
            let condition = condition::parse(text)?;
            parts.push(self.condition(text, &condition)?);
        }
        Ok(join(parts, "OR"))
    }

    fn condition(&mut self, text: &str, c: &Condition) -> Result<String, SigmaError> {
        let refuse = |why: String| SigmaError::Condition {
            condition: text.to_owned(),
            why,
        };
        Ok(match c {
            Condition::Search(name) => self
                .search(name)
                .ok_or_else(|| refuse(format!("no search named `{name}`")))??,
            Condition::Not(inner) => format!("({}) IS NOT TRUE", self.condition(text, inner)?),
            Condition::And(items) | Condition::Or(items) => {
                let parts = items
                    .iter()
                    .map(|i| self.condition(text, i))
                    .collect::<Result<Vec<_>, _>>()?;
                join(
                    parts,
                    if matches!(c, Condition::And(_)) {
                        "AND"
                    } else {
                        "OR"
                    },
                )
            }
            Condition::OneOf(target) | Condition::AllOf(target) => {
                let names: Vec<&str> = self.rule.searches.iter().map(|(n, _)| n.as_str()).collect();
                let chosen = target.select(&names);
                if chosen.is_empty() {
                    let what = match target {
                        Target::Them => "them".to_owned(),
                        Target::Pattern(p) => p.clone(),
                    };
                    return Err(refuse(format!("`{what}` names no search")));
                }
                let mut parts = Vec::with_capacity(chosen.len());
                for name in chosen {
                    if let Some(sql) = self.search(name) {
                        parts.push(sql?);
                    }
                }
                join(
                    parts,
                    if matches!(c, Condition::AllOf(_)) {
                        "AND"
                    } else {
                        "OR"
                    },
                )
            }
        })
    }

    /// The SQL of search `name`, or `None` if there is none.
    fn search(&mut self, name: &str) -> Option<Result<String, SigmaError>> {
        if let Some(sql) = self.done.get(name) {
            return Some(Ok(sql.clone()));
        }
        let (_, search) = self.rule.searches.iter().find(|(n, _)| n == name)?;
        let compiled = self.compile_search(search);
        if let Ok(sql) = &compiled {
            self.done.insert(name.to_owned(), sql.clone());
        }
        Some(compiled)
    }

    fn compile_search(&self, search: &Search) -> Result<String, SigmaError> {
        match search {
            Search::AllOf(items) => {
                let parts = items
                    .iter()
                    .map(|m| self.field_match(m))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(join(parts, "AND"))
            }
            Search::AnyOf(items) => {
                let parts = items
                    .iter()
                    .map(|s| self.compile_search(s))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(join(parts, "OR"))
            }
        }
    }

    fn field_match(&self, m: &FieldMatch) -> Result<String, SigmaError> {
        let mut mods = modifiers::resolve(&m.modifiers)?;
        let (column, kind) = match &m.field {
            None => {
                // A keyword is found anywhere in the record.
                if mods.kind == Match::Equals {
                    mods.kind = Match::Contains;
                }
                (KEYWORD_COLUMN, Kind::Text)
            }
            Some(field) => {
                let map = fields::lookup(self.source.fields, field).ok_or_else(|| {
                    SigmaError::UnmappedField {
                        field: field.clone(),
                        logsource: self.rule.logsource.to_string(),
                    }
                })?;
                (map.sql, map.kind)
            }
        };
        let name = m.field.as_deref().unwrap_or("keywords");
        let column = Column {
            sql: column,
            kind,
            mods,
            field: name,
        };
        if !mods.all && !mods.windash && m.values.len() > 1 {
            let equalities: Option<Vec<(String, String)>> =
                m.values.iter().map(|v| column.equality(v)).collect();
            if let Some(equalities) = equalities
                && let Some((lhs, _)) = equalities.first()
            {
                let literals: Vec<&str> = equalities.iter().map(|(_, l)| l.as_str()).collect();
                return Ok(format!("{lhs} IN ({})", literals.join(", ")));
            }
        }
        let mut parts = Vec::with_capacity(m.values.len());
        for value in &m.values {
            let forms = match value {
                Value::Str(s) if mods.windash => modifiers::windash_variants(s)
                    .into_iter()
                    .map(Value::Str)
                    .collect(),
                other => vec![other.clone()],
            };
            // Any dash form of a value will do, also under `all`.
            let forms = forms
                .iter()
                .map(|v| column.value(v))
                .collect::<Result<Vec<_>, _>>()?;
            parts.push(join(forms, "OR"));
        }
        Ok(join(parts, if mods.all { "AND" } else { "OR" }))
    }
}

/// The column a field reads and how.
struct Column<'a> {
    sql: &'a str,
    kind: Kind,
    mods: Modifiers,
    field: &'a str,
}

impl Column<'_> {
    fn refuse(&self, why: impl Into<String>) -> SigmaError {
        SigmaError::Value {
            field: self.field.to_owned(),
            why: why.into(),
        }
    }

    /// The column as text.
    fn text(&self) -> String {
        match self.kind {
            Kind::Text => self.sql.to_owned(),
            Kind::Number => format!("CAST({} AS VARCHAR)", self.sql),
        }
    }

    fn value(&self, value: &Value) -> Result<String, SigmaError> {
        let col = self.sql;
        match (self.mods.kind, value) {
            (Match::Exists, Value::Bool(true)) => Ok(format!("{col} IS NOT NULL")),
            (Match::Exists, Value::Bool(false)) => Ok(format!("{col} IS NULL")),
            (Match::Exists, _) => Err(self.refuse("`exists` takes true or false")),
            (Match::Equals, Value::Null) => Ok(format!("{col} IS NULL")),
            (_, Value::Null) => Err(self.refuse("null with a modifier")),
            (Match::Compare(op), v) => {
                let number = match v {
                    Value::Int(i) => i.to_string(),
                    Value::Number(n) | Value::Str(n)
                        if n.trim().parse::<f64>().is_ok_and(f64::is_finite) =>
                    {
                        n.trim().to_owned()
                    }
                    _ => return Err(self.refuse("a comparison needs a number")),
                };
                let lhs = match self.kind {
                    Kind::Number => col.to_owned(),
                    Kind::Text => format!("try_cast({col} AS DOUBLE)"),
                };
                Ok(format!("{lhs} {} {number}", op.operator()))
            }
            (Match::Cidr, Value::Str(cidr)) => {
                if !is_cidr(cidr) {
                    return Err(self.refuse(format!("`{cidr}` is not a CIDR")));
                }
                Ok(format!("cidr_contains({}, {col})", sql::quote(cidr)))
            }
            (Match::Cidr, _) => Err(self.refuse("`cidr` takes a network as text")),
            (Match::Regex, Value::Str(pattern)) => {
                let mut flags = String::new();
                for (on, flag) in [
                    (self.mods.regex_ignore_case, 'i'),
                    (self.mods.regex_multi_line, 'm'),
                    (self.mods.regex_dot_all, 's'),
                ] {
                    if on {
                        flags.push(flag);
                    }
                }
                let full = if flags.is_empty() {
                    pattern.clone()
                } else {
                    format!("(?{flags}){pattern}")
                };
                if let Err(e) = regex::Regex::new(&full) {
                    let first = e.to_string();
                    let first = first.lines().last().unwrap_or_default().to_owned();
                    return Err(self.refuse(format!(
                        "regular expression `{pattern}` is not supported: {first}"
                    )));
                }
                Ok(format!("{} ~ {}", self.text(), sql::quote(&full)))
            }
            (Match::Regex, _) => Err(self.refuse("`re` takes a pattern as text")),
            (kind, value) => self.text_match(kind, value),
        }
    }

    /// `(left side, literal)` when `value` compiles to a plain equality
    /// (so several can share one `IN` list).
    fn equality(&self, value: &Value) -> Option<(String, String)> {
        if self.mods.kind != Match::Equals {
            return None;
        }
        let text = scalar_text(value)?;
        if self.kind == Kind::Number
            && let Ok(n) = text.trim().parse::<i64>()
        {
            return Some((self.sql.to_owned(), n.to_string()));
        }
        let (lhs, text) = self.folded(text);
        let plain = sql::plain(&sql::pieces(&text))?;
        Some((lhs, sql::quote(&plain)))
    }

    /// The column as text and `text`, both lower-cased unless `cased`.
    fn folded(&self, text: String) -> (String, String) {
        if self.mods.cased {
            (self.text(), text)
        } else {
            (format!("lower({})", self.text()), text.to_lowercase())
        }
    }

    /// Equals / contains / startswith / endswith, case-insensitive unless
    /// `cased`.
    fn text_match(&self, kind: Match, value: &Value) -> Result<String, SigmaError> {
        if let Some((lhs, literal)) = self.equality(value) {
            return Ok(format!("{lhs} = {literal}"));
        }
        let text = scalar_text(value).ok_or_else(|| self.refuse("null with a modifier"))?;
        let (lhs, text) = self.folded(text);
        let pieces = sql::pieces(&text);
        let (before, after) = match kind {
            Match::Contains => (true, true),
            Match::StartsWith => (false, true),
            Match::EndsWith => (true, false),
            _ => (false, false),
        };
        let pattern = sql::like_pattern(&pieces, before, after);
        Ok(format!("{lhs} LIKE {} ESCAPE '\\'", sql::quote(&pattern)))
    }
}

/// A non-null value as text (numbers and booleans as written).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Str(s) | Value::Number(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
    }
}

/// `a.b.c.d/n` or an IPv6 network (a bare address counts as one host).
fn is_cidr(text: &str) -> bool {
    let (addr, bits) = match text.split_once('/') {
        Some((addr, bits)) => (addr, Some(bits)),
        None => (text, None),
    };
    let Ok(addr) = addr.parse::<std::net::IpAddr>() else {
        return false;
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    bits.is_none_or(|b| b.parse::<u8>().is_ok_and(|b| b <= max))
}

/// `a`, or `(a) OP (b) …`.
fn join(parts: Vec<String>, op: &str) -> String {
    match parts.as_slice() {
        [one] => one.clone(),
        _ => parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(&format!(" {op} ")),
    }
}

fn severity(level: Option<&str>) -> Result<&'static str, SigmaError> {
    match level.map(str::to_ascii_lowercase).as_deref() {
        None | Some("medium") => Ok("medium"),
        Some("informational" | "low") => Ok("low"),
        Some("high") => Ok("high"),
        Some("critical") => Ok("critical"),
        Some(other) => Err(SigmaError::Invalid(format!("unknown level `{other}`"))),
    }
}

/// `attack.t1071.001` → `T1071.001`; tactics and other tags are dropped.
fn attack_ids(tags: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for tag in tags {
        let Some(rest) = tag
            .to_ascii_lowercase()
            .strip_prefix("attack.t")
            .map(str::to_owned)
        else {
            continue;
        };
        let valid = rest
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        let id = format!("T{rest}");
        if valid && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// `sigma.<slug of the title>`, or of the Sigma id for a title without
/// ASCII letters or digits.
fn rule_id(rule: &SigmaRule) -> Result<String, SigmaError> {
    let slug = |text: &str| {
        let mut out = String::new();
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        }
        let mut out: String = out.trim_end_matches('_').chars().take(64).collect();
        while out.ends_with('_') {
            out.pop();
        }
        out
    };
    let from_title = slug(&rule.title);
    let id = if from_title.is_empty() {
        rule.id.as_deref().map(slug).unwrap_or_default()
    } else {
        from_title
    };
    if id.is_empty() {
        return Err(SigmaError::Invalid(
            "neither the title nor the id gives a rule id".into(),
        ));
    }
    Ok(format!("sigma.{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_level() {
        assert_eq!(severity(Some("informational")).unwrap(), "low");
        assert_eq!(severity(Some("High")).unwrap(), "high");
        assert_eq!(severity(None).unwrap(), "medium");
        assert!(severity(Some("urgent")).is_err());
    }

    #[test]
    fn attack_tags_become_technique_ids() {
        let tags: Vec<String> = [
            "attack.command-and-control",
            "attack.t1071.001",
            "attack.T1102",
            "cve.2021-4034",
            "attack.t1071.001",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        assert_eq!(attack_ids(&tags), ["T1071.001", "T1102"]);
    }

    #[test]
    fn cidrs_are_checked() {
        assert!(is_cidr("10.0.0.0/8"));
        assert!(is_cidr("2001:db8::/32"));
        assert!(is_cidr("192.0.2.7"));
        assert!(!is_cidr("10.0.0.0/33"));
        assert!(!is_cidr("10.0.0/8"));
        assert!(!is_cidr("x'; DROP"));
    }
}
