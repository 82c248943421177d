//! `bannin rules`: list and run the detection rules.

use anyhow::{Context, Result};
use bannin_query::QuerySession;
use bannin_rules::{AlertStore, RunReport, packs, run_rules};

use crate::config::DataDir;

/// Runs every rule once; prints one line per rule.
pub async fn run(data: &DataDir) -> Result<()> {
    for report in evaluate(data).await? {
        say!(
            "{}: {} incidents ({} new alerts, {} updated)",
            report.rule_id,
            report.incidents,
            report.new,
            report.updated
        );
    }
    Ok(())
}

/// Runs every shipped rule over the data directory's lake.
pub async fn evaluate(data: &DataDir) -> Result<Vec<RunReport>> {
    data.ensure()?;
    let rules = packs::builtin()?;
    let session = QuerySession::open(&data.lake())?;
    let mut store = AlertStore::open(&data.alerts())?;
    run_rules(&session, &rules, &mut store, chrono::Utc::now())
        .await
        .context("rule evaluation failed")
}

pub fn list() -> Result<()> {
    for rule in packs::builtin()? {
        say!(
            "{}\t{}\t{} / {}",
            rule.id,
            rule.severity.as_str(),
            rule.title.ja,
            rule.title.en
        );
    }
    Ok(())
}
