//! `bannin rules import-sigma`: Sigma YAML rules → a bannin rule pack.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bannin_rules::sigma::{self, CompiledSigma};
use clap::Args;

#[derive(Debug, Args)]
pub struct ImportSigmaArgs {
    /// Sigma rule files, or directories searched recursively for *.yml and
    /// *.yaml.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the pack here instead of to stdout.
    #[arg(short, long, value_name = "PACK.toml")]
    pub output: Option<PathBuf>,
}

/// Compiles every rule; writes the accepted ones as a pack and one line per
/// refused rule to stderr. Fails only when nothing compiled.
pub fn import(args: &ImportSigmaArgs) -> Result<()> {
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, &mut files).with_context(|| format!("reading {}", path.display()))?;
    }
    files.sort();
    let mut accepted: Vec<CompiledSigma> = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut refused = 0usize;
    for file in &files {
        let outcome = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| sigma::compile(&text).map_err(|e| e.to_string()))
            .and_then(|rule| match seen.get(&rule.id) {
                Some(first) => Err(format!(
                    "rule id {} is already taken by {}",
                    rule.id,
                    first.display()
                )),
                None => Ok(rule),
            });
        match outcome {
            Ok(rule) => {
                seen.insert(rule.id.clone(), file.clone());
                accepted.push(rule);
            }
            Err(why) => {
                refused += 1;
                eprintln!("refused {}: {why}", file.display());
            }
        }
    }
    eprintln!(
        "{} of {} Sigma rules compiled, {refused} refused",
        accepted.len(),
        files.len()
    );
    if accepted.is_empty() {
        bail!("no Sigma rule compiled");
    }
    let pack = sigma::to_pack_toml(&accepted);
    match &args.output {
        Some(path) => {
            std::fs::write(path, pack).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::stdout()
            .write_all(pack.as_bytes())
            .context("writing the pack to stdout")?,
    }
    Ok(())
}

/// `path` itself if it is a file, else every *.yml / *.yaml below it.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?.path();
        if entry.is_dir() {
            collect(&entry, out)?;
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
        {
            out.push(entry);
        }
    }
    Ok(())
}
