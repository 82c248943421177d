//! `bannin ingest`: batch import of files into the lake.

use anyhow::{Context, Result};
use bannin_ingest::{ImportOptions, ImportStats, Importer};

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
        ..config.ingest.import_options(args.format.into())?
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

fn summary(label: &str, s: &ImportStats) -> String {
    format!(
        "{label}: {} lines → syslog {}, auth {}, proxy {}, firewall {}, unparsed {}, empty {}",
        s.lines, s.syslog, s.auth, s.proxy, s.firewall, s.unparsed, s.empty
    )
}
