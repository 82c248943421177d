//! `bannin rules`: list, validate, test and run the detection rules.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use bannin_rules::params::Window;
use bannin_rules::rule::parse_pack;
use bannin_rules::state::{Why, enablement};
use bannin_rules::{AlertStore, CatchUp, Rule, RuleRun, Scheduler, backtest, check};
use chrono::{DateTime, Utc};

use crate::cli::{RulesFilesArgs, RulesRunArgs};
use crate::config::{Config, DataDir};
use crate::query_access::QueryAccess;

/// The configured rules plus those of `files`, narrowed to `only` (ids).
fn load(config: &Config, files: &[PathBuf], only: &[String]) -> Result<Vec<Rule>> {
    let mut rules = config.rules.load()?;
    for file in files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        for rule in parse_pack(&file.display().to_string(), &text)? {
            if rules.iter().any(|r| r.id == rule.id) {
                bail!("{}: rule {} is defined twice", file.display(), rule.id);
            }
            rules.push(rule);
        }
    }
    for id in only {
        if !rules.iter().any(|r| &r.id == id) {
            bail!("no rule `{id}` (see `bannin rules list`)");
        }
    }
    if !only.is_empty() {
        rules.retain(|r| only.contains(&r.id));
    }
    Ok(rules)
}

/// The rule switches made at run time (`POST /api/v1/rules/{id}/…`);
/// none before any rule ran.
fn overrides(data: &DataDir) -> Result<BTreeMap<String, bannin_rules::runs::Override>> {
    let path = data.alerts();
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    Ok(bannin_rules::runs::RunLog::open(&path)?.overrides()?)
}

pub fn list(config: &Config, data: &DataDir) -> Result<()> {
    let tuning = config.rules.tuning();
    let overrides = overrides(data)?;
    for rule in config.rules.load()? {
        let state = enablement(&rule.id, &tuning, &overrides);
        let why = match &state.why {
            Why::Default => String::new(),
            Why::Config => " (config)".to_owned(),
            Why::Override { actor, at } => {
                format!(" ({actor}, {})", at.format("%Y-%m-%d %H:%M UTC"))
            }
        };
        say!(
            "{}\t{}\t{}{why}\tevery {}\t{} / {}",
            rule.id,
            rule.severity.as_str(),
            if state.enabled { "on" } else { "off" },
            rule.schedule,
            rule.title.ja,
            rule.title.en
        );
    }
    Ok(())
}

pub async fn validate(config: &Config, data: &DataDir, args: &RulesFilesArgs) -> Result<()> {
    let rules = load(config, &args.files, &args.rules)?;
    let access = cli_access(config, data).await?;
    let mut failed = 0;
    for rule in &rules {
        match check::check_sql(&access, rule, Utc::now()).await {
            Ok(()) => say!("ok   {}", rule.id),
            Err(e) => {
                failed += 1;
                say!("FAIL {e}");
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} rule(s) are not valid", rules.len());
    }
    say!("{} rule(s) valid", rules.len());
    Ok(())
}

pub async fn test(config: &Config, args: &RulesFilesArgs) -> Result<()> {
    let rules = load(config, &args.files, &args.rules)?;
    let work = tempfile::tempdir().context("cannot create a scratch directory")?;
    let (mut passed, mut failed, mut untested) = (0, 0, Vec::new());
    for rule in &rules {
        if rule.tests.is_empty() {
            untested.push(rule.id.as_str());
            continue;
        }
        for result in backtest::run(rule, work.path()).await {
            match &result.failure {
                None => {
                    passed += 1;
                    say!(
                        "ok   {} / {} ({} alert(s))",
                        result.rule_id,
                        result.case,
                        result.alerts
                    );
                }
                Some(why) => {
                    failed += 1;
                    say!("FAIL {} / {}: {why}", result.rule_id, result.case);
                }
            }
        }
    }
    if !untested.is_empty() {
        say!("no test cases: {}", untested.join(", "));
    }
    if failed > 0 {
        bail!("{failed} backtest(s) failed, {passed} passed");
    }
    say!("{passed} backtest(s) passed");
    Ok(())
}

pub async fn run(config: &Config, data: &DataDir, args: &RulesRunArgs) -> Result<()> {
    data.ensure()?;
    let rules = load(config, &[], &args.rules)?;
    if let Some(from) = &args.from {
        let window = Window {
            start: parse_time(from, "--from")?,
            end: match &args.to {
                Some(to) => parse_time(to, "--to")?,
                None => Utc::now(),
            },
        };
        if window.start >= window.end {
            bail!("--from must be before --to");
        }
        for run in run_window(config, data, &rules, window).await? {
            say!(
                "{}: {} incidents ({} new alerts, {} updated), {} rows scanned",
                run.rule_id,
                run.incidents,
                run.new,
                run.updated,
                run.rows_scanned
            );
        }
        return Ok(());
    }
    let mut scheduler = Scheduler::new(
        rules,
        config.rules.tuning(),
        Arc::new(cli_access(config, data).await?),
        &data.alerts(),
        CatchUp::default(),
    )?;
    let mut failed = 0;
    for run in scheduler.tick(Utc::now()).await {
        match &run.error {
            Some(error) => {
                failed += 1;
                say!("{}: FAILED: {error}", run.rule_id);
            }
            None => say!(
                "{}: {} incidents ({} new alerts, {} updated), {} rows scanned",
                run.rule_id,
                run.incidents,
                run.new,
                run.updated,
                run.rows_scanned
            ),
        }
    }
    if failed > 0 {
        bail!("{failed} rule(s) failed");
    }
    Ok(())
}

/// Query access for rules run from the command line: beside a server,
/// sources' last records are looked up in the lake (a week back) where the
/// server's saved counters do not say.
async fn cli_access(config: &Config, data: &DataDir) -> Result<QueryAccess> {
    let access = QueryAccess::new(config, data, None)?;
    access
        .refresh_last_events(7)
        .await
        .context("cannot find the sources' latest records in the lake")?;
    Ok(access)
}

/// Runs every enabled rule of `rules` once over `window` and stores the
/// alerts, without touching the scheduler's state.
pub async fn run_window(
    config: &Config,
    data: &DataDir,
    rules: &[Rule],
    window: Window,
) -> Result<Vec<RuleRun>> {
    let access = cli_access(config, data).await?;
    let tuning = config.rules.tuning();
    let mut store = AlertStore::open(&data.alerts())?;
    let overrides = overrides(data)?;
    let mut runs = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| enablement(&r.id, &tuning, &overrides).enabled)
    {
        let evaluation = bannin_rules::evaluate(&access, rule, &tuning, window, Utc::now()).await?;
        let mut run = RuleRun {
            rule_id: rule.id.clone(),
            ..RuleRun::default()
        };
        run.add(&mut store, &evaluation, rule)?;
        runs.push(run);
    }
    Ok(runs)
}

fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("{what} must be RFC 3339, e.g. 2026-11-20T00:00:00+09:00"))?
        .with_timezone(&Utc))
}
