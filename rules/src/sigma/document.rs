//! YAML text → a typed Sigma rule (metadata, log source, searches and
//! conditions). Only the shape is checked here; what the rule means is
//! checked when it is compiled.

use yaml_rust2::{Yaml, YamlLoader};

use super::error::SigmaError;

/// One Sigma detection rule.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmaRule {
    pub title: String,
    pub id: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    pub level: Option<String>,
    pub tags: Vec<String>,
    pub falsepositives: Vec<String>,
    pub logsource: LogSource,
    /// Named searches in file order.
    pub searches: Vec<(String, Search)>,
    /// One or more condition expressions (several mean any of them).
    pub conditions: Vec<String>,
}

/// `logsource:` of a rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSource {
    pub category: Option<String>,
    pub product: Option<String>,
    pub service: Option<String>,
}

impl std::fmt::Display for LogSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [
            ("category", &self.category),
            ("product", &self.product),
            ("service", &self.service),
        ]
        .iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| format!("{key}={v}")))
        .collect();
        if parts.is_empty() {
            f.write_str("(empty)")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

/// A named search of `detection:`.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// A map: every item must match.
    AllOf(Vec<FieldMatch>),
    /// A list of maps (or of maps and keywords): any one must match.
    AnyOf(Vec<Search>),
}

/// `field|modifier|…: value(s)`; `field` is `None` for keywords, which
/// search the whole record.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMatch {
    pub field: Option<String>,
    pub modifiers: Vec<String>,
    pub values: Vec<Value>,
}

/// A scalar of a search.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    /// Other numbers, kept as written.
    Number(String),
    Bool(bool),
    Null,
}

/// Parses one Sigma rule. A file holding several YAML documents (rule
/// collections) and correlation rules are refused.
pub fn parse(text: &str) -> Result<SigmaRule, SigmaError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| SigmaError::Yaml(e.to_string()))?;
    let doc = match docs.as_slice() {
        [doc] => doc,
        [] => return Err(SigmaError::Invalid("the file is empty".into())),
        _ => {
            return Err(SigmaError::Unsupported(format!(
                "a rule collection of {} YAML documents",
                docs.len()
            )));
        }
    };
    if !matches!(doc, Yaml::Hash(_)) {
        return Err(SigmaError::Invalid("the document is not a mapping".into()));
    }
    if !doc["correlation"].is_badvalue() {
        return Err(SigmaError::Unsupported("correlation rules".into()));
    }
    let title =
        text_of(&doc["title"]).ok_or_else(|| SigmaError::Invalid("`title` is missing".into()))?;
    let logsource = LogSource {
        category: text_of(&doc["logsource"]["category"]),
        product: text_of(&doc["logsource"]["product"]),
        service: text_of(&doc["logsource"]["service"]),
    };
    let (searches, conditions) = detection(&doc["detection"])?;
    Ok(SigmaRule {
        title,
        id: text_of(&doc["id"]),
        description: text_of(&doc["description"]).map(|d| d.trim().to_owned()),
        author: text_of(&doc["author"]),
        level: text_of(&doc["level"]),
        tags: texts_of(&doc["tags"]),
        falsepositives: texts_of(&doc["falsepositives"]),
        logsource,
        searches,
        conditions,
    })
}

type Detection = (Vec<(String, Search)>, Vec<String>);

fn detection(node: &Yaml) -> Result<Detection, SigmaError> {
    let Yaml::Hash(map) = node else {
        return Err(SigmaError::Invalid("`detection` is missing".into()));
    };
    let mut searches = Vec::new();
    let mut conditions = Vec::new();
    for (key, value) in map {
        let name = text_of(key)
            .ok_or_else(|| SigmaError::Invalid("a detection key is not a string".into()))?;
        match name.as_str() {
            "condition" => conditions = condition_list(value)?,
            "timeframe" => {
                return Err(SigmaError::Unsupported(
                    "`timeframe` (aggregation over time)".into(),
                ));
            }
            _ => {
                let search = search(value)
                    .map_err(|why| SigmaError::Invalid(format!("search `{name}`: {why}")))?;
                searches.push((name, search));
            }
        }
    }
    if conditions.is_empty() {
        return Err(SigmaError::Invalid(
            "`detection.condition` is missing".into(),
        ));
    }
    Ok((searches, conditions))
}

fn condition_list(node: &Yaml) -> Result<Vec<String>, SigmaError> {
    match node {
        Yaml::String(s) => Ok(vec![s.clone()]),
        Yaml::Array(items) => items
            .iter()
            .map(|item| {
                text_of(item)
                    .ok_or_else(|| SigmaError::Invalid("a condition is not a string".into()))
            })
            .collect(),
        _ => Err(SigmaError::Invalid("`condition` is not a string".into())),
    }
}

fn search(node: &Yaml) -> Result<Search, String> {
    match node {
        Yaml::Hash(map) => {
            let mut items = Vec::with_capacity(map.len());
            for (key, value) in map {
                let key = text_of(key).ok_or("a field name is not a string")?;
                let mut parts = key.split('|');
                let field = parts.next().unwrap_or_default();
                let modifiers: Vec<String> = parts.map(str::to_owned).collect();
                items.push(FieldMatch {
                    field: (!field.is_empty()).then(|| field.to_owned()),
                    modifiers,
                    values: values(value)?,
                });
            }
            if items.is_empty() {
                return Err("the map is empty".into());
            }
            Ok(Search::AllOf(items))
        }
        Yaml::Array(list) if list.iter().all(is_scalar) => Ok(Search::AllOf(vec![FieldMatch {
            field: None,
            modifiers: Vec::new(),
            values: values(node)?,
        }])),
        Yaml::Array(list) => {
            if list.is_empty() {
                return Err("the list is empty".into());
            }
            list.iter()
                .map(search)
                .collect::<Result<_, _>>()
                .map(Search::AnyOf)
        }
        scalar if is_scalar(scalar) => Ok(Search::AllOf(vec![FieldMatch {
            field: None,
            modifiers: Vec::new(),
            values: values(scalar)?,
        }])),
        _ => Err("expected a map, a list or a keyword".into()),
    }
}

fn is_scalar(node: &Yaml) -> bool {
    matches!(
        node,
        Yaml::String(_) | Yaml::Integer(_) | Yaml::Real(_) | Yaml::Boolean(_) | Yaml::Null
    )
}

fn values(node: &Yaml) -> Result<Vec<Value>, String> {
    match node {
        Yaml::Array(list) => {
            if list.is_empty() {
                return Err("an empty list of values".into());
            }
            list.iter().map(scalar).collect()
        }
        other => Ok(vec![scalar(other)?]),
    }
}

fn scalar(node: &Yaml) -> Result<Value, String> {
    Ok(match node {
        Yaml::String(s) => Value::Str(s.clone()),
        Yaml::Integer(i) => Value::Int(*i),
        Yaml::Real(r) => Value::Number(r.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Null => Value::Null,
        _ => return Err("a value is neither a scalar nor a list of scalars".into()),
    })
}

/// A scalar as text (numbers and booleans as written).
fn text_of(node: &Yaml) -> Option<String> {
    match node {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn texts_of(node: &Yaml) -> Vec<String> {
    match node {
        Yaml::Array(items) => items.iter().filter_map(text_of).collect(),
        other => text_of(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_maps_lists_of_maps_and_keywords() {
        let rule = parse(
            r#"
title: Mixed searches
logsource: {category: proxy}
detection:
    sel:
        cs-host|endswith: '.example'
        sc-status: [200, 302]
    alt:
        - cs-method: POST
        - c-useragent: curl*
    kw:
        - 'evil'
        - 7
    nothing:
        c-uri: null
    condition: sel or alt or kw or nothing
"#,
        )
        .unwrap();
        assert_eq!(rule.searches.len(), 4);
        let (_, Search::AllOf(sel)) = &rule.searches[0] else {
            panic!("sel is a map")
        };
        assert_eq!(sel[0].field.as_deref(), Some("cs-host"));
        assert_eq!(sel[0].modifiers, ["endswith"]);
        assert_eq!(sel[1].values, [Value::Int(200), Value::Int(302)]);
        assert!(matches!(&rule.searches[1].1, Search::AnyOf(items) if items.len() == 2));
        let (_, Search::AllOf(kw)) = &rule.searches[2] else {
            panic!("kw is a keyword list")
        };
        assert_eq!(kw[0].field, None);
        assert_eq!(kw[0].values, [Value::Str("evil".into()), Value::Int(7)]);
        let (_, Search::AllOf(nothing)) = &rule.searches[3] else {
            panic!("nothing is a map")
        };
        assert_eq!(nothing[0].values, [Value::Null]);
        assert_eq!(rule.conditions, ["sel or alt or kw or nothing"]);
    }

    #[test]
    fn refuses_collections_correlations_and_timeframes() {
        let two = "title: a\n---\ntitle: b\n";
        assert!(matches!(parse(two), Err(SigmaError::Unsupported(m)) if m.contains("collection")));
        let corr = "title: c\ncorrelation:\n    type: event_count\n";
        assert!(
            matches!(parse(corr), Err(SigmaError::Unsupported(m)) if m.contains("correlation"))
        );
        let tf = "title: t\nlogsource: {category: firewall}\ndetection:\n    s: {action: deny}\n    timeframe: 1h\n    condition: s\n";
        assert!(matches!(parse(tf), Err(SigmaError::Unsupported(m)) if m.contains("timeframe")));
        assert!(matches!(
            parse("title: [unclosed\n"),
            Err(SigmaError::Yaml(_))
        ));
        assert!(matches!(parse("title: x\n"), Err(SigmaError::Invalid(_))));
    }
}
