//! The server's ingest path without the network: records as loggen sends
//! them (RFC 5424, 200 bytes) accepted into the WAL (fsync included) and
//! routed in batches of one TCP read, then committed to zstd Parquet — the
//! CPU each message costs `bannin serve` besides reading its socket. See
//! benches/README.md ("Ingest") for figures.

use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::sources::Sources;
use bannin_ingest::wal::Entry;
use bannin_ingest::{Format, ImportOptions, Lake};
use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Messages per commit (the shipped `ingest.flush_rows`).
const MESSAGES: usize = 100_000;
/// Messages in one 64 KiB read of ~220-byte frames.
const PER_READ: usize = 290;

/// One loggen `--syslog-proto --size 200` message.
fn message(seq: usize) -> Vec<u8> {
    let mut line = format!(
        "<38>1 2026-11-24T15:56:15+00:00 localhost prg00000 1234 - - \u{feff}seq: {seq:010}, \
         thread: 0001, runid: 1795535775, stamp: 2026-11-24T15:56:15 "
    );
    while line.len() < 200 {
        line.push_str("PADD");
    }
    line.truncate(200);
    line.into_bytes()
}

fn pipeline(c: &mut Criterion) {
    let received_at = Utc::now();
    let reads: Vec<Vec<Entry>> = (0..MESSAGES)
        .map(|seq| Entry {
            received_at,
            source: "127.0.0.1".into(),
            bytes: message(seq),
            truncated_from: None,
            format: None,
        })
        .collect::<Vec<_>>()
        .chunks(PER_READ)
        .map(<[Entry]>::to_vec)
        .collect();
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function(
        format!("loggen_rfc5424/{MESSAGES}_accepted_and_committed"),
        |b| {
            b.iter_batched(
                || tempfile::tempdir().ok(),
                |dir| {
                    let Some(dir) = dir else { return };
                    let lake = Lake::new(dir.path().join("lake"));
                    let sources =
                        Sources::new(Vec::new(), ImportOptions::new(Format::Auto, "bench"));
                    let Ok((pipeline, _)) =
                        Pipeline::open(lake, &dir.path().join("wal"), sources, MESSAGES)
                    else {
                        return;
                    };
                    for read in &reads {
                        let _ = pipeline.accept(read);
                    }
                    let _ = pipeline.flush();
                },
                criterion::BatchSize::PerIteration,
            )
        },
    );
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
