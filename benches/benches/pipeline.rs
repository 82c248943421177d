//! The server's ingest path without the network: records as loggen sends
//! them (RFC 5424, 200 bytes) accepted into the WAL (fsync included) and
//! routed in batches of one TCP read, then committed to zstd Parquet — the
//! CPU each message costs `bannin serve` besides reading its socket. See
//! benches/README.md ("Ingest") for figures.

use bannin_benches::loggen::{MESSAGES, reads};
use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::sources::Sources;
use bannin_ingest::{Format, ImportOptions, Lake};
use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn pipeline(c: &mut Criterion) {
    let reads = reads(MESSAGES, Utc::now());
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

/// The server's allocator (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

criterion_group!(benches, pipeline);
criterion_main!(benches);
