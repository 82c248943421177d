//! bannin-query: SQL over the lake.
//!
//! [`catalog`] registers every lake table (Hive partitions `tenant`, `date`)
//! in a DataFusion session; [`session`] is the read-only entry point
//! analysts, rules and the API share; [`output`] renders results as a
//! table, CSV, NDJSON, Parquet or an Arrow IPC stream, and [`rows`] turns
//! them into JSON objects; [`statements`] splits SQL text at `;`.

pub mod catalog;
pub mod error;
pub mod output;
pub mod rows;
pub mod session;
pub mod statements;

pub use error::QueryError;
pub use output::OutputFormat;
pub use session::QuerySession;

/// Arrow as DataFusion uses it, for callers that handle result batches.
pub use datafusion::arrow;
