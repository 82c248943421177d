//! `bannin parse`: "does bannin understand my device?" Parses a file (or
//! stdin) without touching the lake and prints one JSON object per record:
//! the table it would land in and its columns, exactly as `ingest` would
//! store them.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result};
use bannin_ingest::batch::{Row, record_batch};
use bannin_ingest::route::Router;
use bannin_ingest::{IngestError, InputFile, Table, read_input};
use bannin_query::rows::to_json_rows;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::cli::ParseArgs;
use crate::config::Config;

pub fn run(config: &Config, args: &ParseArgs) -> Result<()> {
    let mut options = config.ingest.import_options(args.format.into())?;
    if let Some(tz) = &args.tz {
        options.offset = crate::config::parse_offset(tz)?;
    }
    if let Some(charset) = &args.charset {
        options.charset = crate::config::parse_charset(charset)?;
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
    let mut router = Router::new(options);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    read_input(&mut router, reader, &source, reference, |rows| {
        print_rows(rows, &mut out).map_err(|e| IngestError::Output(format!("{e:#}")))
    })
    .with_context(|| format!("cannot read {}", args.file.display()))?;
    Ok(())
}

/// Prints rows in input order, each as `{"table": …, columns…}`.
fn print_rows(rows: Vec<Row>, out: &mut impl Write) -> Result<()> {
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
