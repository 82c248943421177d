//! Rule parameters and the placeholders of a rule's SQL.
//!
//! `{window_start}`, `{window_end}` and `{window}` are filled in by the
//! engine for each run; every other `{name}` is a parameter: the rule's
//! default, overridden for every tenant or for one tenant in the
//! configuration.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, SecondsFormat, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// The placeholders the engine fills in itself.
pub const BUILTIN: [&str; 3] = ["window_start", "window_end", "window"];

/// A parameter's value: a number, a string or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl ParamValue {
    /// As a SQL literal.
    pub fn to_sql(&self) -> String {
        match self {
            ParamValue::Bool(true) => "TRUE".into(),
            ParamValue::Bool(false) => "FALSE".into(),
            ParamValue::Int(n) => n.to_string(),
            ParamValue::Float(x) if x.is_finite() => format!("{x:?}"),
            ParamValue::Float(_) => "NULL".into(),
            ParamValue::Text(s) => sql_string(s),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "boolean",
            ParamValue::Int(_) | ParamValue::Float(_) => "number",
            ParamValue::Text(_) => "string",
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Text(s) => f.write_str(s),
            other => f.write_str(&other.to_sql()),
        }
    }
}

/// Parameter values by name.
pub type Params = BTreeMap<String, ParamValue>;

/// A quoted SQL string literal.
pub fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A timestamp as a SQL literal of the lake's time type (UTC, µs).
pub fn sql_timestamp(time: DateTime<Utc>) -> String {
    format!(
        "CAST('{}' AS TIMESTAMP(6) WITH TIME ZONE)",
        time.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

fn placeholder() -> &'static Regex {
    static PLACEHOLDER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{([a-z_][a-z0-9_]*)\}").unwrap_or_else(|_| unreachable!()));
    &PLACEHOLDER
}

/// The placeholder names `sql` uses.
pub fn placeholders(sql: &str) -> BTreeSet<String> {
    placeholder()
        .captures_iter(sql)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()))
        .collect()
}

/// Checks that every placeholder of `sql` is built in or a parameter, and
/// that `overrides` only set known parameters with values of the same kind.
pub fn check(sql: &str, defaults: &Params, overrides: &Params) -> Result<(), String> {
    for name in placeholders(sql) {
        if !BUILTIN.contains(&name.as_str()) && !defaults.contains_key(&name) {
            return Err(format!(
                "the SQL uses {{{name}}}, which is neither a parameter of the rule nor one of {}",
                BUILTIN.map(|b| format!("{{{b}}}")).join(", ")
            ));
        }
    }
    for name in defaults.keys() {
        if BUILTIN.contains(&name.as_str()) {
            return Err(format!(
                "parameter `{name}` would hide the built-in {{{name}}}"
            ));
        }
    }
    for (name, value) in overrides {
        let Some(default) = defaults.get(name) else {
            return Err(format!(
                "parameter `{name}` is not a parameter of the rule (it has: {})",
                defaults.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        if default.kind() != value.kind() {
            return Err(format!(
                "parameter `{name}` must be a {}, not a {}",
                default.kind(),
                value.kind()
            ));
        }
    }
    Ok(())
}

/// The event-time range one run of a rule covers: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// `sql` with every placeholder replaced: the window bounds, the look-back
/// (`{window}`, seconds as an interval) and the parameters.
pub fn render(sql: &str, window: Window, look_back: crate::Span, params: &Params) -> String {
    placeholder()
        .replace_all(sql, |caps: &regex::Captures<'_>| {
            let name = caps.get(1).map_or("", |m| m.as_str());
            match name {
                "window_start" => sql_timestamp(window.start),
                "window_end" => sql_timestamp(window.end),
                "window" => format!("INTERVAL '{} seconds'", look_back.as_secs()),
                other => params
                    .get(other)
                    .map(ParamValue::to_sql)
                    .unwrap_or_else(|| caps.get(0).map_or("", |m| m.as_str()).to_owned()),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, ParamValue)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn renders_bounds_and_parameters_as_literals() {
        let window = Window {
            start: "2026-11-20T01:20:00Z".parse().unwrap(),
            end: "2026-11-20T01:30:00Z".parse().unwrap(),
        };
        let p = params(&[
            ("max_messages", ParamValue::Int(200)),
            ("ratio", ParamValue::Float(1.5)),
            ("category", ParamValue::Text("it's".into())),
            ("strict", ParamValue::Bool(true)),
        ]);
        let sql = "time >= {window_start} AND time < {window_end} AND n >= {max_messages} \
                   AND r > {ratio} AND c = {category} AND {strict} AND x ~ 'a{2,3}' AND {window}";
        let out = render(sql, window, "10m".parse().unwrap(), &p);
        assert_eq!(
            out,
            "time >= CAST('2026-11-20T01:20:00.000000Z' AS TIMESTAMP(6) WITH TIME ZONE) \
             AND time < CAST('2026-11-20T01:30:00.000000Z' AS TIMESTAMP(6) WITH TIME ZONE) \
             AND n >= 200 AND r > 1.5 AND c = 'it''s' AND TRUE AND x ~ 'a{2,3}' \
             AND INTERVAL '600 seconds'"
        );
    }

    #[test]
    fn unknown_placeholders_and_bad_overrides_are_refused() {
        let defaults = params(&[("max_messages", ParamValue::Int(200))]);
        assert!(check("{window_start} {max_messages}", &defaults, &Params::new()).is_ok());
        let err = check("{max_mesages}", &defaults, &Params::new()).unwrap_err();
        assert!(err.contains("{max_mesages}"), "{err}");
        let err = check("", &defaults, &params(&[("max", ParamValue::Int(1))])).unwrap_err();
        assert!(err.contains("not a parameter"), "{err}");
        let err = check(
            "",
            &defaults,
            &params(&[("max_messages", ParamValue::Text("many".into()))]),
        )
        .unwrap_err();
        assert!(err.contains("must be a number"), "{err}");
        let err = check(
            "",
            &params(&[("window", ParamValue::Int(1))]),
            &Params::new(),
        )
        .unwrap_err();
        assert!(err.contains("built-in"), "{err}");
    }
}
