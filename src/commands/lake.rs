//! `bannin lake compact` and `bannin lake retention`, and the same
//! maintenance run periodically by `bannin serve`.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use bannin_ingest::Lake;
use bannin_ingest::compact::CompactOptions;
use bannin_ingest::retention::Policy;
use chrono::{NaiveDate, Utc};

use crate::cli::{CompactArgs, RetentionArgs};
use crate::config::{Config, DataDir};

/// The data directory's lake, which must exist.
pub fn existing(data: &DataDir) -> Result<Lake> {
    let lake = data.lake();
    if !lake.root().is_dir() {
        bail!(
            "no lake at {} (is --data-dir right?)",
            lake.root().display()
        );
    }
    Ok(lake)
}

pub fn compact(config: &Config, data: &DataDir, args: &CompactArgs) -> Result<()> {
    let lake = existing(data)?;
    let target_mib = args.target_mib.unwrap_or(config.lake.compact_target_mib);
    if target_mib == 0 {
        bail!("--target-mib must be at least 1");
    }
    if !args.dry_run {
        lake.recover().context("cannot recover the lake")?;
    }
    let options = CompactOptions {
        target_bytes: target_mib.saturating_mul(MIB),
        before: None,
        dry_run: args.dry_run,
    };
    let done = lake
        .compact(&options)
        .with_context(|| format!("cannot compact {}", lake.root().display()))?;
    for merge in &done {
        if args.dry_run {
            say!(
                "would merge {}: {} files ({})",
                merge.partition,
                merge.files,
                mib(merge.input_bytes)
            );
        } else {
            say!(
                "{}: {} files → 1 ({}, {} rows)",
                merge.partition,
                merge.files,
                mib(merge.bytes),
                merge.rows
            );
        }
    }
    let files: usize = done.iter().map(|m| m.files).sum();
    let verb = if args.dry_run {
        "would merge"
    } else {
        "merged"
    };
    say!(
        "{verb} {files} files in {} partition(s) (target {target_mib} MiB)",
        done.len()
    );
    Ok(())
}

pub fn retention(config: &Config, data: &DataDir, args: &RetentionArgs) -> Result<()> {
    let lake = existing(data)?;
    let policy = config.retention_policy()?;
    if policy.is_empty() {
        say!("no [retention] configured: every partition is kept");
        return Ok(());
    }
    if !args.dry_run {
        lake.recover().context("cannot recover the lake")?;
    }
    let today = Utc::now().date_naive();
    let done = lake
        .apply_retention(&policy, today, args.dry_run)
        .with_context(|| format!("cannot apply retention to {}", lake.root().display()))?;
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    for expired in &done {
        say!(
            "{verb} {}: {} files, {} rows ({})",
            expired.partition,
            expired.files,
            expired.rows,
            mib(expired.bytes)
        );
    }
    say!(
        "{verb} {} partition(s) older than the [retention] days (UTC dates, today {today})",
        done.len()
    );
    Ok(())
}

/// Runs compaction (of partitions dated before today, which the pipeline
/// may still commit to) every `lake.maintenance_minutes`, and retention
/// once a day, in the background; failures are logged and retried at the
/// next run. None when maintenance is off.
pub fn spawn_maintenance(
    config: &Config,
    lake: Lake,
) -> Result<Option<tokio::task::JoinHandle<()>>> {
    let minutes = config.lake.maintenance_minutes;
    if minutes <= 0.0 {
        return Ok(None);
    }
    let policy = config.retention_policy()?;
    let target_bytes = config.lake.compact_target_mib.saturating_mul(MIB);
    // A second at least: a zero period would spin (and tokio refuses it).
    let every = Duration::try_from_secs_f64(minutes * 60.0)
        .context("lake.maintenance_minutes")?
        .max(Duration::from_secs(1));
    Ok(Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut retained_on: Option<NaiveDate> = None;
        loop {
            tick.tick().await;
            let today = Utc::now().date_naive();
            let retain = retained_on != Some(today);
            let (lake, policy) = (lake.clone(), policy.clone());
            let run = tokio::task::spawn_blocking(move || {
                maintain(&lake, &policy, target_bytes, today, retain)
            });
            match run.await {
                Ok(Ok(())) if retain => retained_on = Some(today),
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = format!("{e:#}"), "lake maintenance failed"),
                Err(e) => tracing::error!(error = %e, "lake maintenance task failed"),
            }
        }
    })))
}

fn maintain(
    lake: &Lake,
    policy: &Policy,
    target_bytes: u64,
    today: NaiveDate,
    retain: bool,
) -> Result<()> {
    let options = CompactOptions {
        target_bytes,
        before: Some(today),
        dry_run: false,
    };
    for merge in lake.compact(&options).context("compaction")? {
        tracing::info!(partition = %merge.partition, files = merge.files, bytes = merge.bytes, "compacted");
    }
    if retain {
        for expired in lake
            .apply_retention(policy, today, false)
            .context("retention")?
        {
            tracing::warn!(partition = %expired.partition, files = expired.files, rows = expired.rows, "removed by retention");
        }
    }
    Ok(())
}

const MIB: u64 = 1024 * 1024;

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}
