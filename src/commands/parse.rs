//! `bannin parse`: "does bannin understand my device?" Parses a file (or
//! stdin) without touching the lake and prints one JSON object per record:
//! the table it would land in and its columns, exactly as `ingest` would
//! store them.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result};
use bannin_ingest::batch::{Row, record_batch};
use bannin_ingest::lines::BoundedLines;
use bannin_ingest::route::route;
use bannin_ingest::{InputFile, Table};
use bannin_parsers::ParseContext;
use bannin_query::rows::to_json_rows;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::cli::ParseArgs;
use crate::config::Config;

/// Records parsed and printed together.
const CHUNK: usize = 1024;

pub fn run(config: &Config, args: &ParseArgs) -> Result<()> {
    let mut options = config.ingest.import_options(args.format.into())?;
    if let Some(tz) = &args.tz {
        options.offset = crate::config::parse_offset(tz)?;
    }
    let (reader, source, reference): (Box<dyn BufRead>, String, DateTime<Utc>) =
        if args.file == Path::new("-") {
            (
                Box::new(std::io::stdin().lock()),
                "stdin".into(),
                Utc::now(),
            )
        } else {
            let input = InputFile::open(&args.file)?;
            (Box::new(input.reader), input.name, input.reference)
        };
    let ctx = ParseContext {
        reference,
        offset: options.offset,
    };
    let mut lines = BoundedLines::new(reader, options.max_line_bytes);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut chunk = Vec::with_capacity(CHUNK);
    while let Some(line) = lines
        .next_line()
        .with_context(|| format!("cannot read {}", args.file.display()))?
    {
        if let Some(row) = route(&line, &ctx, &source, Utc::now(), &options) {
            chunk.push(row);
        }
        if chunk.len() == CHUNK {
            print_chunk(std::mem::take(&mut chunk), &mut out)?;
        }
    }
    print_chunk(chunk, &mut out)
}

/// Prints rows in input order, each as `{"table": …, columns…}`.
fn print_chunk(rows: Vec<Row>, out: &mut impl Write) -> Result<()> {
    let mut objects: Vec<Option<serde_json::Map<String, Value>>> = vec![None; rows.len()];
    for table in Table::ALL {
        let (positions, table_rows): (Vec<usize>, Vec<Row>) = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.table() == table)
            .map(|(i, row)| (i, row.clone()))
            .unzip();
        if table_rows.is_empty() {
            continue;
        }
        let batch = record_batch(table, &table_rows)?;
        for (position, mut object) in positions.into_iter().zip(to_json_rows(&[batch])?) {
            object.insert("table".into(), Value::from(table.name()));
            if let Some(slot) = objects.get_mut(position) {
                *slot = Some(object);
            }
        }
    }
    for object in objects.into_iter().flatten() {
        serde_json::to_writer(&mut *out, &object)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
