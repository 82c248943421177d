//! Backtests: a rule's inline test cases — fixture log lines pushed through
//! the real parsers into a throw-away lake, the rule run once over it as
//! the scheduler would at the case's `now`, and the alerts compared with
//! what the case expects.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use bannin_ingest::{Format, ImportOptions, Importer, Lake};
use bannin_query::registers::{self, Registers};
use bannin_query::{QueryError, QuerySession, SessionOptions, SourceHealth, TenantScope};
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::{self, Sessions};
use crate::params::{self, Params, Window};
use crate::store::{AlertFilter, AlertStore};
use crate::{Rule, RuleRun, RulesError, Span, Tuning};

/// One test case of a rule (`[[rules.tests]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    pub name: String,
    /// Alerts the case must raise (0: a case that must stay quiet).
    pub expect: usize,
    /// The run's `window_end`, with its UTC offset.
    pub now: String,
    #[serde(default = "default_tenant")]
    pub tenant: String,
    /// Parameter values for this case (over the rule's defaults).
    #[serde(default)]
    pub params: Params,
    /// Each object must match (as a subset of its columns) one alert's
    /// result row.
    #[serde(default)]
    pub expect_rows: Vec<BTreeMap<String, toml::Value>>,
    pub logs: Vec<LogBlock>,
    /// Register CSVs by register name (`approved_services`, …).
    #[serde(default)]
    pub registers: BTreeMap<String, String>,
    /// Rows of `source_health`.
    #[serde(default)]
    pub sources: Vec<SourceRow>,
    /// The municipality's mail domains (mail `direction`).
    #[serde(default)]
    pub local_domains: Vec<String>,
    /// Accounts marked privileged at parse time (default: as shipped).
    #[serde(default)]
    pub privileged_accounts: Option<Vec<String>>,
}

fn default_tenant() -> String {
    "test".into()
}

/// A block of fixture lines: given, or generated from a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogBlock {
    /// A parser name of docs/formats.md, or `auto`.
    #[serde(default = "default_format")]
    pub format: String,
    /// Source name (default: `<format>-fixture`).
    #[serde(default)]
    pub source: Option<String>,
    /// 三層 zone of the source.
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub lines: Option<String>,
    /// Generate this many lines from `line`.
    #[serde(default)]
    pub repeat: Option<usize>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub every: Option<Span>,
    #[serde(default)]
    pub line: Option<String>,
}

fn default_format() -> String {
    "auto".into()
}

/// A `source_health` row of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRow {
    pub source: String,
    #[serde(default)]
    pub segment: Option<String>,
    #[serde(default)]
    pub expected: Option<Span>,
    #[serde(default)]
    pub last_seen: Option<String>,
}

/// Generated blocks are capped so a typo cannot fill the disk.
const MAX_REPEAT: usize = 100_000;

impl TestCase {
    /// Checks the case without running it.
    pub fn check(&self, rule: &Rule) -> Result<(), String> {
        parse_time(&self.now, "now")?;
        TenantScope::tenants([self.tenant.as_str()]).map_err(|e| e.to_string())?;
        params::check("", &rule.params, &self.params)?;
        if self.logs.is_empty() && self.sources.is_empty() {
            return Err("give fixture logs ([[rules.tests.logs]]) or sources".into());
        }
        for block in &self.logs {
            block.lines()?;
        }
        for name in self.registers.keys() {
            if !registers::TABLES.contains(&name.as_str()) {
                return Err(format!(
                    "`{name}` is not a register (one of {})",
                    registers::TABLES.join(", ")
                ));
            }
        }
        for source in &self.sources {
            if let Some(seen) = &source.last_seen {
                parse_time(seen, "last_seen")?;
            }
        }
        Ok(())
    }
}

impl LogBlock {
    fn format(&self) -> Result<Format, String> {
        Format::from_str(&self.format).map_err(|e| e.to_string())
    }

    /// The block's lines.
    pub fn lines(&self) -> Result<Vec<String>, String> {
        self.format()?;
        match (&self.lines, self.repeat) {
            (Some(text), None) => Ok(text.lines().map(str::to_owned).collect()),
            (None, Some(repeat)) => {
                if repeat > MAX_REPEAT {
                    return Err(format!("repeat is at most {MAX_REPEAT}"));
                }
                let (Some(start), Some(every), Some(line)) = (&self.start, self.every, &self.line)
                else {
                    return Err("a `repeat` block needs `start`, `every` and `line`".into());
                };
                let start = parse_time(start, "start")?;
                let template = Template::parse(line)?;
                Ok((0..repeat)
                    .map(|i| {
                        let offset = every.chrono() * i32::try_from(i).unwrap_or(i32::MAX);
                        template.render(i, start + offset)
                    })
                    .collect())
            }
            _ => Err("a log block has either `lines` or `repeat` + `line`".into()),
        }
    }
}

fn parse_time(text: &str, what: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|e| {
        format!("`{what}` must be RFC 3339 with an offset, e.g. 2026-11-20T10:30:00+09:00 ({e})")
    })
}

/// A `line` template: text with `{i}`, `{i:05}`, `{time}`, `{time:FMT}`.
struct Template<'a> {
    parts: Vec<Part<'a>>,
}

enum Part<'a> {
    Text(&'a str),
    Index(usize),
    Time(Option<Vec<Item<'a>>>),
}

impl<'a> Template<'a> {
    fn parse(text: &'a str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let (before, after) = rest.split_at(open);
            let Some(close) = after.find('}') else {
                break;
            };
            let inner = after.get(1..close).unwrap_or_default();
            let (name, spec) = match inner.split_once(':') {
                Some((name, spec)) => (name, Some(spec)),
                None => (inner, None),
            };
            let part = match (name, spec) {
                ("i", None) => Part::Index(0),
                ("i", Some(width)) => Part::Index(
                    width
                        .parse()
                        .map_err(|_| format!("`{{i:{width}}}`: give a width like {{i:05}}"))?,
                ),
                ("time", None) => Part::Time(None),
                ("time", Some(format)) => {
                    let items: Vec<Item<'a>> = StrftimeItems::new(format).collect();
                    if items.iter().any(|item| matches!(item, Item::Error)) {
                        return Err(format!(
                            "`{{time:{format}}}` is not a valid strftime format"
                        ));
                    }
                    Part::Time(Some(items))
                }
                _ => {
                    // Not a placeholder (e.g. JSON): keep the brace.
                    parts.push(Part::Text(before));
                    parts.push(Part::Text("{"));
                    rest = after.get(1..).unwrap_or_default();
                    continue;
                }
            };
            parts.push(Part::Text(before));
            parts.push(part);
            rest = after.get(close + 1..).unwrap_or_default();
        }
        parts.push(Part::Text(rest));
        Ok(Self { parts })
    }

    fn render(&self, i: usize, time: DateTime<FixedOffset>) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Index(width) => {
                    let _ = write!(out, "{i:0width$}");
                }
                Part::Time(None) => out.push_str(&time.to_rfc3339()),
                Part::Time(Some(items)) => {
                    let _ = write!(out, "{}", time.format_with_items(items.iter()));
                }
            }
        }
        out
    }
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub rule_id: String,
    pub case: String,
    /// `None`: passed; else what went wrong.
    pub failure: Option<String>,
    /// Alerts raised (for the report).
    pub alerts: usize,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// Runs every case of `rule`.
pub async fn run(rule: &Rule, work: &Path) -> Vec<CaseResult> {
    let mut results = Vec::with_capacity(rule.tests.len());
    for (index, case) in rule.tests.iter().enumerate() {
        let dir = work.join(format!("{}-{index}", rule.id));
        let outcome = run_case(rule, case, &dir).await;
        let _ = std::fs::remove_dir_all(&dir);
        results.push(match outcome {
            Ok((alerts, failure)) => CaseResult {
                rule_id: rule.id.clone(),
                case: case.name.clone(),
                failure,
                alerts,
            },
            Err(e) => CaseResult {
                rule_id: rule.id.clone(),
                case: case.name.clone(),
                failure: Some(e.to_string()),
                alerts: 0,
            },
        });
    }
    results
}

/// A lake and the options every session over it gets.
struct CaseSessions {
    lake: Lake,
    options: SessionOptions,
}

impl Sessions for CaseSessions {
    fn open(&self, scope: &TenantScope) -> Result<QuerySession, QueryError> {
        let options = SessionOptions {
            scope: scope.clone(),
            ..self.options.clone()
        };
        QuerySession::open_with(&self.lake, &options)
    }
}

fn case_err(rule: &Rule, case: &TestCase, why: impl std::fmt::Display) -> RulesError {
    RulesError::Invalid {
        rule: rule.id.clone(),
        why: format!("test `{}`: {why}", case.name),
    }
}

/// Runs one case: (alerts raised, failure if any).
async fn run_case(
    rule: &Rule,
    case: &TestCase,
    dir: &Path,
) -> Result<(usize, Option<String>), RulesError> {
    let err = |why: String| case_err(rule, case, why);
    case.check(rule).map_err(&err)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
    let now = parse_time(&case.now, "now").map_err(&err)?;
    let lake = Lake::new(dir.join("lake"));
    for (index, block) in case.logs.iter().enumerate() {
        import_block(&lake, case, block, index, now.with_timezone(&Utc)).map_err(&err)?;
    }
    let options = SessionOptions {
        registers: case_registers(case, dir).map_err(&err)?,
        source_health: case_sources(case),
        ..SessionOptions::default()
    };
    let sessions = CaseSessions { lake, options };
    let mut tuning = Tuning::default();
    tuning.params.insert(rule.id.clone(), case.params.clone());
    let end = now.with_timezone(&Utc);
    let window = Window {
        start: end - rule.window.chrono() - rule.lateness.chrono() - rule.schedule.chrono(),
        end,
    };
    let mut store = AlertStore::open(&dir.join("alerts.sqlite"))?;
    let mut failure = None;
    for pass in 0..2 {
        let evaluation = engine::evaluate(&sessions, rule, &tuning, window, end).await?;
        let mut run = RuleRun::default();
        run.add(&mut store, &evaluation, rule)?;
        if pass == 1 && run.new + run.updated > 0 {
            failure = Some(format!(
                "running the rule again over the same window changed the alerts ({} new, {} updated)",
                run.new, run.updated
            ));
        }
    }
    let alerts = store.list(&AlertFilter::default())?;
    if alerts.len() != case.expect && failure.is_none() {
        let found: Vec<String> = alerts
            .iter()
            .map(|a| Value::Object(a.evidence.clone()).to_string())
            .collect();
        failure = Some(format!(
            "expected {} alert(s), got {}{}",
            case.expect,
            alerts.len(),
            if found.is_empty() {
                String::new()
            } else {
                format!(": {}", found.join("; "))
            }
        ));
    }
    for expected in &case.expect_rows {
        if failure.is_some() {
            break;
        }
        if !alerts.iter().any(|a| matches_row(expected, &a.evidence)) {
            failure = Some(format!(
                "no alert has {}",
                serde_json::to_string(expected).unwrap_or_default()
            ));
        }
    }
    Ok((alerts.len(), failure))
}

fn import_block(
    lake: &Lake,
    case: &TestCase,
    block: &LogBlock,
    index: usize,
    reference: DateTime<Utc>,
) -> Result<(), String> {
    let format = block.format()?;
    let lines = block.lines()?;
    let mut options = ImportOptions::new(format, &case.tenant);
    options.source = Some(
        block
            .source
            .clone()
            .unwrap_or_else(|| format!("{}-fixture", block.format)),
    );
    options.segment = block.segment.clone();
    options.local_domains = case.local_domains.clone();
    if let Some(accounts) = &case.privileged_accounts {
        options.privileged_accounts = accounts.clone();
    }
    let mut importer = Importer::new(lake, options).map_err(|e| e.to_string())?;
    let mut text = lines.join("\n");
    text.push('\n');
    importer
        .import_reader(text.as_bytes(), &format!("logs[{index}]"), reference)
        .map_err(|e| e.to_string())?;
    importer.finish().map_err(|e| e.to_string())?;
    Ok(())
}

fn case_registers(case: &TestCase, dir: &Path) -> Result<Registers, String> {
    if case.registers.is_empty() {
        return Registers::builtin().map_err(|e| e.to_string());
    }
    let registers_dir = dir.join("registers");
    std::fs::create_dir_all(&registers_dir).map_err(|e| e.to_string())?;
    for (name, text) in &case.registers {
        std::fs::write(registers_dir.join(format!("{name}.csv")), text.trim_start())
            .map_err(|e| e.to_string())?;
    }
    registers::load_dir(&registers_dir).map_err(|e| e.to_string())
}

fn case_sources(case: &TestCase) -> Vec<SourceHealth> {
    case.sources
        .iter()
        .map(|s| {
            let last_seen = s
                .last_seen
                .as_deref()
                .and_then(|t| parse_time(t, "last_seen").ok())
                .map(|t| t.with_timezone(&Utc));
            SourceHealth {
                tenant: case.tenant.clone(),
                source: s.source.clone(),
                segment: s.segment.clone(),
                expected_interval_s: s
                    .expected
                    .map(|e| i64::try_from(e.as_secs()).unwrap_or(i64::MAX)),
                last_seen,
                received: i64::from(last_seen.is_some()),
                parsed: i64::from(last_seen.is_some()),
                ..SourceHealth::default()
            }
        })
        .collect()
}

/// Whether every column of `expected` has the same value in `row`.
fn matches_row(
    expected: &BTreeMap<String, toml::Value>,
    row: &serde_json::Map<String, Value>,
) -> bool {
    expected.iter().all(|(column, want)| {
        let Some(have) = row.get(column) else {
            return false;
        };
        match (want, have) {
            (toml::Value::String(w), Value::String(h)) => w == h,
            (toml::Value::Integer(w), Value::Number(h)) => h.as_i64() == Some(*w),
            (toml::Value::Float(w), Value::Number(h)) => h.as_f64() == Some(*w),
            (toml::Value::Boolean(w), Value::Bool(h)) => w == h,
            (w, h) => w.to_string().trim_matches('"') == h.to_string().trim_matches('"'),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(line: &str, repeat: usize) -> LogBlock {
        LogBlock {
            format: "syslog".into(),
            source: None,
            segment: None,
            lines: None,
            repeat: Some(repeat),
            start: Some("2026-11-20T10:20:00+09:00".into()),
            every: Some("90s".parse().unwrap()),
            line: Some(line.into()),
        }
    }

    #[test]
    fn templates_number_and_time_each_line() {
        let lines = block(
            "{time:%b %e %H:%M:%S} mail01 postfix/smtp[{i}]: Q{i:05}: to=<u{i}@example.com> {\"json\": 1}",
            3,
        )
        .lines()
        .unwrap();
        assert_eq!(
            lines,
            [
                "Nov 20 10:20:00 mail01 postfix/smtp[0]: Q00000: to=<u0@example.com> {\"json\": 1}",
                "Nov 20 10:21:30 mail01 postfix/smtp[1]: Q00001: to=<u1@example.com> {\"json\": 1}",
                "Nov 20 10:23:00 mail01 postfix/smtp[2]: Q00002: to=<u2@example.com> {\"json\": 1}",
            ]
        );
        let iso = block("{time}", 1).lines().unwrap();
        assert_eq!(iso, ["2026-11-20T10:20:00+09:00"]);
    }

    #[test]
    fn bad_blocks_say_why() {
        let err = block("{time:%Q}", 1).lines().unwrap_err();
        assert!(err.contains("strftime"), "{err}");
        let err = block("{i:wide}", 1).lines().unwrap_err();
        assert!(err.contains("width"), "{err}");
        let err = block("x", MAX_REPEAT + 1).lines().unwrap_err();
        assert!(err.contains("at most"), "{err}");
        let mut no_line = block("x", 2);
        no_line.line = None;
        assert!(no_line.lines().unwrap_err().contains("needs"));
        let mut bad_format = block("x", 1);
        bad_format.format = "sendmail9".into();
        assert!(bad_format.lines().is_err());
    }
}
