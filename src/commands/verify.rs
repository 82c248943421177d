//! `bannin verify`: proves the lake was not altered since it was written
//! (ログの改ざん防止): the manifest's hash chain is intact, every file it
//! lists is there with the SHA-256 it was committed with, and no Parquet
//! file is in the lake that it does not list. Files that compaction or
//! retention retired (recorded in the manifest) are not missing.

use anyhow::{Context, Result, bail};
use bannin_ingest::manifest;

use crate::config::DataDir;

pub fn run(data: &DataDir) -> Result<()> {
    let lake = super::lake::existing(data)?;
    let report = manifest::verify(lake.root())
        .with_context(|| format!("cannot verify {}", lake.root().display()))?;
    for file in &report.unfinished {
        say!(
            "note: {file} was retired (compaction or retention) and is still there unchanged; \
             the next maintenance run or restart deletes it"
        );
    }
    for problem in &report.problems {
        say!("{problem}");
    }
    if !report.problems.is_empty() {
        bail!(
            "{} problem(s) in {} ({} manifest entries)",
            report.problems.len(),
            lake.root().display(),
            report.entries
        );
    }
    say!(
        "ok: {} files verified against the manifest's hash chain in {} ({} entries)",
        report.live,
        lake.root().display(),
        report.entries
    );
    Ok(())
}
