//! Synthetic, deterministic log data for bannin's benchmarks, tests and demo.
//!
//! - [`municipality`]: one day of logs from a small fictional municipality,
//!   with one injected case per first-wave detection rule and benign
//!   look-alikes among realistic noise, and the registers that match it.
//! - [`formats`]: lines of every other input format, for per-format parser
//!   benchmarks.
//! - [`loggen`]: records as loggen sends them, for the ingest path
//!   benchmarks without the network.
//! - [`synthetic_lake`]: a multi-tenant proxy + firewall + auth lake of any
//!   size, written through the lake's commit path, for query benchmarks.

pub mod formats;
pub mod loggen;
pub mod municipality;
pub mod synthetic_lake;

pub use municipality::{
    DayOptions, GeneratedDay, InjectedBruteForce, InjectedCase, LookAlike, RegisterFile,
    municipality_day, register_files,
};
