//! Writes one synthetic municipal day (every feed, one line each) to the
//! file named by the first argument: input for `loggen --read-file` in
//! `benches/ingest.sh`.

use std::io::Write;

use bannin_benches::{DayOptions, municipality_day};
use chrono::NaiveDate;

fn main() -> std::io::Result<()> {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: municipal-day OUTPUT");
        std::process::exit(2);
    };
    let date = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
    let day = municipality_day(&DayOptions { date, seed: 7 });
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for line in day.all_lines() {
        writeln!(out, "{line}")?;
    }
    out.flush()
}
