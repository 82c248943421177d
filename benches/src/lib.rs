//! Synthetic, deterministic log data for bannin's benchmarks, tests and demo.
//!
//! - [`municipality`]: one day of logs from a small fictional municipality,
//!   with one privileged-ID brute force injected among realistic noise.
//! - [`formats`]: lines of every other input format, for per-format parser
//!   benchmarks.
//! - [`synthetic_lake`]: a multi-tenant proxy + firewall + auth lake of any
//!   size, written through the lake's commit path, for query benchmarks.

pub mod formats;
pub mod municipality;
pub mod synthetic_lake;

pub use municipality::{DayOptions, GeneratedDay, InjectedBruteForce, municipality_day};
