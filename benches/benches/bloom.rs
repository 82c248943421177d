//! Do Parquet bloom filters pay for point lookups in the lake?
//!
//! Builds one date partition of 2 M rows — as `bannin serve` leaves it
//! (100 files of 20 k rows, one commit every few seconds) and as
//! compaction leaves it (one file) — with many distinct IPs and users,
//! written with the lake's writer settings with and without bloom filters
//! on the lookup column, and times `SELECT count(*) … WHERE col = '…'`
//! through the lake's DataFusion session: for a value in one file only (an
//! attacker's address) and for a value in no file (was it ever seen?).
//! Rows are sorted by `time`, so min/max statistics cannot skip anything
//! for these columns. Write time and bytes on disk are printed once per
//! variant. See benches/README.md for figures.

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{
    ArrayRef, BooleanArray, RecordBatch, StringArray, TimestampMicrosecondArray, new_null_array,
};
use arrow::datatypes::DataType;
use bannin_ingest::lake::{CommittedFile, writer_properties};
use bannin_ingest::manifest;
use bannin_ingest::{Lake, Table};
use bannin_query::QuerySession;
use criterion::{Criterion, criterion_group, criterion_main};
use parquet::arrow::ArrowWriter;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const FILES: usize = 100;
const ROWS_PER_FILE: usize = 20_000;
/// The file holding the rare value.
const RARE_FILE: usize = 57;
/// 2026-11-22T00:00:00Z in microseconds.
const DAY_START: i64 = 1_763_769_600_000_000;

/// What is looked up: a table, its column, and the values.
struct Lookup {
    table: Table,
    column: &'static str,
    /// Distinct values of the column in the partition.
    distinct: usize,
    rare: &'static str,
    absent: &'static str,
}

const LOOKUPS: [Lookup; 2] = [
    Lookup {
        table: Table::Firewall,
        column: "src_ip",
        distinct: 200_000,
        rare: "10.1.200.77",
        absent: "10.2.100.1",
    },
    Lookup {
        table: Table::Auth,
        column: "user",
        distinct: 20_000,
        rare: "u012345",
        absent: "u017777",
    },
];

fn value(column: &str, n: usize) -> String {
    match column {
        "user" => format!("u{n:06}"),
        _ => format!("10.{}.{}.{}", n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff),
    }
}

/// One file's rows: every column the table has, realistic where a
/// lookup or size depends on it.
fn batch(lookup: &Lookup, file: usize, rng: &mut SmallRng) -> Option<RecordBatch> {
    let schema = lookup.table.file_schema();
    let first = DAY_START + (file * ROWS_PER_FILE) as i64 * 40_000;
    let times: Vec<i64> = (0..ROWS_PER_FILE)
        .map(|i| first + i as i64 * 40_000)
        .collect();
    // The looked-up values sort inside every file's min/max range (so
    // statistics cannot skip a file for them) and are never generated.
    let mut keys: Vec<String> = (0..ROWS_PER_FILE)
        .map(|_| value(lookup.column, rng.random_range(0..lookup.distinct)))
        .map(|k| {
            if k == lookup.rare || k == lookup.absent {
                value(lookup.column, 0)
            } else {
                k
            }
        })
        .collect();
    if file == RARE_FILE {
        for key in keys.iter_mut().step_by(ROWS_PER_FILE / 3).take(3) {
            *key = lookup.rare.to_owned();
        }
    }
    let other: Vec<String> = (0..ROWS_PER_FILE)
        .map(|_| value("ip", rng.random_range(0..lookup.distinct)))
        .collect();
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|field| -> ArrayRef {
            let name = field.name().as_str();
            match field.data_type() {
                DataType::Timestamp(..) => {
                    Arc::new(TimestampMicrosecondArray::from(times.clone()).with_timezone("UTC"))
                }
                DataType::Utf8 if name == lookup.column => {
                    Arc::new(StringArray::from_iter_values(&keys))
                }
                DataType::Utf8 if name.ends_with("_ip") => {
                    Arc::new(StringArray::from_iter_values(&other))
                }
                DataType::Utf8 if name == "raw" => {
                    Arc::new(StringArray::from_iter_values(keys.iter().zip(&other).map(
                        |(k, o)| format!("<134>Nov 22 10:00:00 fw-lgwan01 deny {k} -> {o} tcp"),
                    )))
                }
                DataType::Utf8 if !field.is_nullable() => Arc::new(StringArray::from_iter_values(
                    std::iter::repeat_n(name, ROWS_PER_FILE),
                )),
                DataType::Boolean if !field.is_nullable() => {
                    Arc::new(BooleanArray::from(vec![false; ROWS_PER_FILE]))
                }
                other => new_null_array(other, ROWS_PER_FILE),
            }
        })
        .collect();
    RecordBatch::try_new(schema, columns).ok()
}

/// Writes the partition as `files` files and lists them in the manifest
/// (the session reads only the manifest's live files); returns the bytes
/// written.
fn write_partition(lake: &Lake, lookup: &Lookup, files: usize, blooms: &[&str]) -> Option<u64> {
    let dir = lake
        .table_dir(lookup.table)
        .join("tenant=bench")
        .join("date=2026-11-22");
    std::fs::create_dir_all(&dir).ok()?;
    let mut rng = SmallRng::seed_from_u64(1);
    let per_file = FILES / files;
    let mut bytes = 0;
    let mut committed = Vec::new();
    for f in 0..files {
        let path = dir.join(format!("part-{f:04}.parquet"));
        let file = std::fs::File::create(&path).ok()?;
        let batches: Vec<RecordBatch> = (f * per_file..(f + 1) * per_file)
            .filter_map(|i| batch(lookup, i, &mut rng))
            .collect();
        let schema = batches.first()?.schema();
        let mut writer =
            ArrowWriter::try_new(file, schema, Some(writer_properties(blooms))).ok()?;
        for b in &batches {
            writer.write(b).ok()?;
        }
        writer.close().ok()?;
        let size = std::fs::metadata(&path).ok()?.len();
        bytes += size;
        committed.push(CommittedFile {
            table: lookup.table,
            sha256: manifest::sha256_file(&path).ok()?,
            path,
            rows: per_file * ROWS_PER_FILE,
            bytes: size,
        });
    }
    let head = manifest::head(lake.root()).ok()?;
    manifest::append(lake.root(), &head, &committed, None).ok()?;
    Some(bytes)
}

fn count(runtime: &tokio::runtime::Runtime, session: &QuerySession, sql: &str) -> usize {
    runtime
        .block_on(session.sql(sql))
        .map(|batches| batches.iter().map(RecordBatch::num_rows).sum())
        .unwrap_or(0)
}

fn bloom(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let mut group = c.benchmark_group("bloom");
    group.sample_size(10);
    for lookup in &LOOKUPS {
        for files in [FILES, 1] {
            for blooms in [&[][..], &[lookup.column][..]] {
                let Ok(dir) = tempfile::tempdir() else { return };
                let lake = Lake::new(dir.path().join("lake"));
                let started = Instant::now();
                let Some(bytes) = write_partition(&lake, lookup, files, blooms) else {
                    eprintln!("cannot write the partition");
                    return;
                };
                let label = format!(
                    "{}.{}/{files}_files/{}",
                    lookup.table.name(),
                    lookup.column,
                    if blooms.is_empty() {
                        "no_bloom"
                    } else {
                        "bloom"
                    }
                );
                eprintln!(
                    "{label}: wrote {} rows in {:.2} s, {:.1} MiB on disk",
                    FILES * ROWS_PER_FILE,
                    started.elapsed().as_secs_f64(),
                    bytes as f64 / 1048576.0
                );
                let Ok(session) = QuerySession::open(&lake) else {
                    return;
                };
                let table = lookup.table.name();
                let column = lookup.column;
                for (what, key) in [("rare", lookup.rare), ("absent", lookup.absent)] {
                    let sql = format!("SELECT count(*) FROM {table} WHERE {column} = '{key}'");
                    let explain = format!("EXPLAIN ANALYZE {sql}");
                    if let Ok(plan) = runtime.block_on(session.sql(&explain)) {
                        let text = format!("{plan:?}");
                        for metric in ["row_groups_pruned_bloom_filter", "bytes_scanned"] {
                            if let Some(at) = text.find(metric) {
                                let end = text[at..].find([',', ']']).unwrap_or(0);
                                eprintln!("{label}/{what}: {}", &text[at..at + end]);
                            }
                        }
                    }
                    group.bench_function(format!("{label}/{what}"), |b| {
                        b.iter(|| count(&runtime, &session, &sql))
                    });
                }
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bloom);
criterion_main!(benches);
