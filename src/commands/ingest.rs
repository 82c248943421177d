//! `bannin ingest`: batch import of files into the lake.

use anyhow::{Context, Result};
use bannin_ingest::{ImportOptions, ImportStats, Importer, Table};

use crate::cli::IngestArgs;
use crate::config::{Config, DataDir};

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
    let stats = import(data, options, &args.files)?;
    say!("{}", summary("total", &stats));
    Ok(())
}

/// Imports files; every file is checked to exist before anything is written.
pub fn import(
    data: &DataDir,
    options: ImportOptions,
    files: &[std::path::PathBuf],
) -> Result<ImportStats> {
    for file in files {
        std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?;
    }
    let lake = data.lake();
    let mut importer = Importer::new(&lake, options)?;
    for file in files {
        let stats = importer.import_file(file)?;
        say!("{}", summary(&file.display().to_string(), &stats));
    }
    let (totals, committed) = importer.finish().context("cannot write to the lake")?;
    tracing::info!(files = committed.len(), "lake files committed");
    Ok(totals)
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
