//! Writes a synthetic proxy + firewall + auth lake under `DATA_DIR/lake`
//! through the lake's commit path (see `bannin_benches::synthetic_lake`):
//!
//!     synthetic-lake DATA_DIR [ROWS] [COMMIT_ROWS]
//!
//! ROWS defaults to 10,000,000 over 7 days and 4 tenants; COMMIT_ROWS (rows
//! per commit, so per file and partition at most) to 500,000. Prints the
//! address every table holds, for "everything about this IP" queries.

use std::time::Instant;

use bannin_benches::synthetic_lake::{LakeSpec, PROBE_IP, write_lake};
use bannin_ingest::Lake;

fn number(arg: Option<String>, default: u64) -> Result<u64, String> {
    match arg {
        None => Ok(default),
        Some(text) => text
            .replace('_', "")
            .parse()
            .map_err(|e| format!("not a number: {text}: {e}")),
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let Some(data_dir) = args.next() else {
        return Err("usage: synthetic-lake DATA_DIR [ROWS] [COMMIT_ROWS]".to_owned());
    };
    let defaults = LakeSpec::default();
    let spec = LakeSpec {
        rows: number(args.next(), defaults.rows)?,
        commit_rows: number(args.next(), defaults.commit_rows as u64)? as usize,
        ..defaults
    };
    let lake = Lake::new(std::path::Path::new(&data_dir).join("lake"));
    let started = Instant::now();
    let summary = write_lake(&lake, &spec, |s| {
        eprint!("\r{} rows, {} files", s.rows, s.files);
    })
    .map_err(|e| format!("writing the lake: {e}"))?;
    eprintln!();
    println!(
        "rows={} files={} bytes={} seconds={:.1} days={} last_day={} probe_ip={PROBE_IP}",
        summary.rows,
        summary.files,
        summary.bytes,
        started.elapsed().as_secs_f64(),
        spec.days,
        spec.last_day,
    );
    Ok(())
}
