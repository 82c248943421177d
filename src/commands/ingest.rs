//! `bannin ingest`: import files and directories into the lake — a
//! back-fill that resumes where it stopped, with a progress bar on a
//! terminal — or, with `--follow`, keep importing what is appended.

use std::cell::Cell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bannin_ingest::follow::{self, FollowOptions};
use bannin_ingest::{FileImport, ImportOptions, ImportStats, Importer, Lake, Table, walk};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::IngestArgs;
use crate::config::{Config, DataDir};

/// How `bannin ingest` runs, beyond the import options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Rows per commit (`ingest.flush_rows`).
    pub commit_rows: usize,
    /// Import files again from their start (`--again`).
    pub again: bool,
}

/// Imports `args.files`; prints one line per file and a total.
pub fn run(config: &Config, data: &DataDir, args: &IngestArgs) -> Result<()> {
    data.ensure()?;
    let options = ImportOptions {
        tenant: args
            .tenant
            .clone()
            .unwrap_or_else(|| config.ingest.tenant.clone()),
        source: args.source.clone(),
        segment: args.segment.map(|s| s.as_str().to_owned()),
        state_dir: Some(data.state_dir()),
        ..config.ingest.import_options(args.format.into())?
    };
    let options = match &args.charset {
        Some(name) => ImportOptions {
            charset: crate::config::parse_charset(name)?,
            ..options
        },
        None => options,
    };
    let settings = Settings {
        commit_rows: config.ingest.flush_rows,
        again: args.again,
    };
    let stats = if args.follow {
        let flush = Duration::from_secs(config.ingest.flush_seconds);
        follow_files(data, options, settings, &args.files, flush)?
    } else {
        let files = walk::expand(&args.files)?;
        import_files(data, options, settings, &files)?
    };
    say!("{}", summary("total", &stats));
    Ok(())
}

/// Imports files (as given, no directories) from scratch: for `bannin demo`.
pub fn import(data: &DataDir, options: ImportOptions, files: &[PathBuf]) -> Result<ImportStats> {
    let settings = Settings {
        commit_rows: usize::MAX,
        again: true,
    };
    import_files(data, options, settings, files)
}

/// Imports files, each from its checkpoint; every file is checked to
/// exist before anything is written.
fn import_files(
    data: &DataDir,
    options: ImportOptions,
    settings: Settings,
    files: &[PathBuf],
) -> Result<ImportStats> {
    let mut total_bytes = 0;
    for file in files {
        let metadata =
            std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
        total_bytes += metadata.len();
    }
    let lake = open_lake(data)?;
    let bar = progress_bar(total_bytes);
    // Bytes and lines of the files already read, for the bar.
    let (done_bytes, done_lines) = (Cell::new(0u64), Cell::new(0u64));
    let started = Instant::now();
    let mut importer = Importer::new(&lake, options)?
        .commit_every(settings.commit_rows)
        .again(settings.again)
        .on_progress(|p| {
            bar.set_position(done_bytes.get() + p.bytes);
            let per_sec =
                (done_lines.get() + p.lines) as f64 / started.elapsed().as_secs_f64().max(0.001);
            let name = p.path.file_name().unwrap_or_default().to_string_lossy();
            bar.set_message(format!("{name} {per_sec:.0} lines/s"));
        });
    for file in files {
        let imported = importer.import_file(file)?;
        let size = std::fs::metadata(file).map_or(0, |m| m.len());
        done_bytes.set(done_bytes.get() + size);
        done_lines.set(done_lines.get() + imported.stats.lines);
        bar.set_position(done_bytes.get());
        bar.suspend(|| say!("{}", file_summary(file, &imported)));
    }
    let (totals, committed) = importer.finish().context("cannot write to the lake")?;
    bar.finish_and_clear();
    tracing::info!(files = committed.len(), "lake files committed");
    Ok(totals)
}

/// The lake, after finishing or discarding a commit a crash interrupted
/// (a killed `bannin ingest`).
fn open_lake(data: &DataDir) -> Result<Lake> {
    let lake = data.lake();
    lake.recover()
        .with_context(|| format!("cannot recover the lake {}", lake.root().display()))?;
    Ok(lake)
}

/// A progress bar over `total` bytes on stderr, drawn only when stderr is
/// a terminal (hidden in pipes, CI and tests).
fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Follows `paths` (files, or directories for the files in them now)
/// until SIGINT or SIGTERM, committing at least every `flush`.
fn follow_files(
    data: &DataDir,
    options: ImportOptions,
    settings: Settings,
    paths: &[PathBuf],
    flush: Duration,
) -> Result<ImportStats> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(walk::expand(std::slice::from_ref(path))?);
        } else {
            if !path.exists() {
                eprintln!("{}: not there yet; waiting for it", path.display());
            }
            files.push(path.clone());
        }
    }
    let stop = stop_on_signal()?;
    let lake = open_lake(data)?;
    let mut importer = Importer::new(&lake, options)?
        .commit_every(settings.commit_rows)
        .again(settings.again);
    let options = FollowOptions {
        flush,
        ..FollowOptions::default()
    };
    eprintln!("following {} file(s); stop with Ctrl-C", files.len());
    let per_file = follow::follow(&mut importer, &files, options, &stop)?;
    for (path, stats) in &per_file {
        say!("{}", summary(&path.display().to_string(), stats));
    }
    let (totals, _) = importer.finish().context("cannot write to the lake")?;
    Ok(totals)
}

/// A flag set by the first SIGINT or SIGTERM (the handlers are in place
/// when this returns).
fn stop_on_signal() -> Result<Arc<AtomicBool>> {
    use tokio::signal::unix::{SignalKind, signal};
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .context("cannot start the signal handler")?;
    let (mut interrupt, mut terminate) = {
        let _entered = runtime.enter();
        (
            signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
            signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
        )
    };
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || {
        runtime.block_on(async {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        });
        flag.store(true, Ordering::Relaxed);
    });
    Ok(stop)
}

/// The line printed for one file: its [`summary`], or that it was
/// imported before.
fn file_summary(file: &Path, imported: &FileImport) -> String {
    let label = file.display().to_string();
    if imported.already_imported {
        return format!("{label}: already imported (use --again to import it again)");
    }
    let line = summary(&label, &imported.stats);
    if imported.resumed_from > 0 {
        format!("{line} (resumed at byte {})", imported.resumed_from)
    } else {
        line
    }
}

/// `FILE: 14 lines → syslog 4, auth 4, …, empty 2`: every table, so a
/// user sees where each line went.
fn summary(label: &str, s: &ImportStats) -> String {
    let tables: Vec<String> = Table::ALL
        .iter()
        .map(|t| format!("{} {}", t.name(), s.count(*t)))
        .collect();
    let mut line = format!("{label}: {} lines → {}", s.lines, tables.join(", "));
    if s.directives > 0 {
        line.push_str(&format!(", headers {}", s.directives));
    }
    line.push_str(&format!(", empty {}", s.empty));
    line
}
