//! One pass of the server's ingest path without the network, for a
//! profiler that counts instructions: `N` (default 1) times, 100,000 loggen
//! messages accepted in reads of 290 (WAL, fsync), routed and committed
//! inline to zstd Parquet, with the server's allocator. Instruction counts
//! repeat exactly where this machine's timings vary by ±15 %:
//!
//!   cargo build --release -p bannin-benches --example pipeline_once
//!   valgrind --tool=callgrind target/release/examples/pipeline_once
//!
//! (benches/README.md, "Ingest", has the figures).

use bannin_benches::loggen::{MESSAGES, reads};
use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::sources::Sources;
use bannin_ingest::{Format, ImportOptions, Lake};

/// The server's allocator (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reads = reads(MESSAGES, chrono::Utc::now());
    let passes: usize = std::env::var("N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let started = std::time::Instant::now();
    for _ in 0..passes {
        let dir = tempfile::tempdir()?;
        let lake = Lake::new(dir.path().join("lake"));
        let sources = Sources::new(Vec::new(), ImportOptions::new(Format::Auto, "bench"));
        let (pipeline, _) = Pipeline::open(lake, &dir.path().join("wal"), sources, MESSAGES)?;
        for read in &reads {
            pipeline.accept(read)?;
        }
        pipeline.flush()?;
    }
    eprintln!(
        "{passes} × {MESSAGES} messages: {:.1} ms per pass",
        started.elapsed().as_secs_f64() * 1000.0 / passes as f64
    );
    Ok(())
}
