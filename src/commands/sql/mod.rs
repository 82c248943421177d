//! `bannin sql`: read-only queries over the lake — one query, a file of
//! statements, or an interactive prompt ([`repl`]).

mod repl;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use bannin_query::arrow::array::RecordBatch;
use bannin_query::{OutputFormat, output, statements};

use crate::auth::Principal;
use crate::cli::SqlArgs;
use crate::config::{Config, DataDir};
use crate::query_access::QueryAccess;

pub async fn run(config: &Config, data: &DataDir, args: &SqlArgs) -> Result<()> {
    let access = QueryAccess::new(config, data, None)?;
    let format: OutputFormat = args.format.into();
    let who = Principal::cli_in(args.tenant.as_deref());
    let statements = match (&args.sql, &args.file) {
        (Some(sql), _) => vec![sql.clone()],
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            statements::split_all(&text)
        }
        (None, None) if std::io::stdin().is_terminal() => {
            return repl::run(&access, &who, format).await;
        }
        (None, None) => {
            let text = std::io::read_to_string(std::io::stdin())
                .context("cannot read statements from stdin")?;
            statements::split_all(&text)
        }
    };
    if statements.is_empty() {
        bail!("no SQL statement given");
    }
    if format.is_binary() && statements.len() > 1 {
        bail!("parquet output holds one result: run one statement at a time");
    }
    let mut out = Output::open(args.output.as_deref(), format)?;
    for (i, sql) in statements.iter().enumerate() {
        let result = access
            .run_as(&who, sql, "cli", None)
            .await
            .with_context(|| label(i, statements.len(), sql))?;
        if result.truncated {
            say!(
                "the result is cut at {} rows ([query] max_rows); narrow the query or add LIMIT",
                result.num_rows()
            );
        }
        let batches = result.batches;
        if i > 0 && format == OutputFormat::Table {
            writeln!(out.writer())?;
        }
        print(&batches, format, out.writer())?;
    }
    Ok(())
}

/// Writes one result, in `format`, to `out`.
pub fn print(batches: &[RecordBatch], format: OutputFormat, out: &mut dyn Write) -> Result<()> {
    output::write(batches, format, out).context("cannot write the result")
}

/// Which statement failed, when there are several.
fn label(i: usize, total: usize, sql: &str) -> String {
    if total == 1 {
        return "query failed".to_owned();
    }
    let head: String = sql.chars().take(60).collect();
    format!("statement {} of {total} failed ({head})", i + 1)
}

/// Where results go: a file, or stdout (not a terminal for binary formats).
enum Output {
    File(std::io::BufWriter<std::fs::File>),
    Stdout(std::io::StdoutLock<'static>),
}

impl Output {
    fn open(path: Option<&Path>, format: OutputFormat) -> Result<Self> {
        match path {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                Ok(Self::File(std::io::BufWriter::new(file)))
            }
            None => {
                let stdout = std::io::stdout();
                if format.is_binary() && stdout.is_terminal() {
                    bail!(
                        "binary output is not written to a terminal: give -o FILE or redirect stdout"
                    );
                }
                Ok(Self::Stdout(stdout.lock()))
            }
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::File(file) => file,
            Self::Stdout(stdout) => stdout,
        }
    }
}
