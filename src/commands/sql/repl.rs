//! The interactive prompt of `bannin sql`: line editing, history kept in
//! `$BANNIN_SQL_HISTORY` or `~/.bannin_sql_history`, statements over
//! several lines ending in `;`, `\q` or Ctrl-D to leave. A failing
//! statement prints its error and the prompt goes on.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bannin_query::{OutputFormat, statements};
use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::auth::Principal;
use crate::query_access::QueryAccess;

pub async fn run(access: &QueryAccess, who: &Principal, format: OutputFormat) -> Result<()> {
    if format.is_binary() {
        anyhow::bail!("the interactive prompt prints text: use --format table, csv or json");
    }
    let mut editor = DefaultEditor::new().context("cannot start the interactive prompt")?;
    let history = history_file();
    if let Some(path) = &history {
        // A first run has no history yet.
        let _ = editor.load_history(path);
    }
    say!("bannin sql — end statements with `;`, \\q or Ctrl-D to quit");
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            "bannin> "
        } else {
            "   ...> "
        };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C drops the statement being typed, as in psql.
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e).context("cannot read from the terminal"),
        };
        if pending.is_empty() && matches!(line.trim(), "\\q" | "quit" | "exit") {
            break;
        }
        if !line.trim().is_empty() {
            let _ = editor.add_history_entry(line.as_str());
        }
        pending.push_str(&line);
        pending.push('\n');
        let (complete, rest) = statements::split(&pending);
        let rest = rest.to_owned();
        for sql in complete {
            run_one(access, who, format, &sql).await;
        }
        pending = if statements::is_blank(&rest) {
            String::new()
        } else {
            rest
        };
    }
    if let Some(path) = &history
        && let Err(e) = editor.save_history(path)
    {
        tracing::warn!(error = %e, path = %path.display(), "cannot save the SQL history");
    }
    Ok(())
}

/// Runs one statement and prints its result or its error.
async fn run_one(access: &QueryAccess, who: &Principal, format: OutputFormat, sql: &str) {
    let started = std::time::Instant::now();
    match access.run_as(who, sql, "cli", None).await {
        Ok(result) => {
            let rows = result.num_rows();
            if let Err(e) = super::print(&result.batches, format, &mut std::io::stdout().lock()) {
                eprintln!("error: {e:#}");
            }
            let cut = if result.truncated {
                ", cut at [query] max_rows"
            } else {
                ""
            };
            say!(
                "({rows} rows{cut}, {:.3} s)",
                started.elapsed().as_secs_f64()
            );
        }
        Err(e) => eprintln!("error: {e}"),
    }
}

fn history_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BANNIN_SQL_HISTORY") {
        return Some(path.into());
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".bannin_sql_history"))
}
