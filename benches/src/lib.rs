//! Synthetic, deterministic log data for bannin's benchmarks, tests and demo.
//!
//! - [`municipality`]: one day of logs from a small fictional municipality,
//!   with one privileged-ID brute force injected among realistic noise.
//! - [`formats`]: lines of every other input format, for per-format parser
//!   benchmarks.

pub mod formats;
pub mod municipality;

pub use municipality::{DayOptions, GeneratedDay, InjectedBruteForce, municipality_day};
