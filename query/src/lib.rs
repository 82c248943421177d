//! bannin-query: SQL over the lake.
//!
//! [`catalog`] registers every lake table (Hive partitions `tenant`, `date`)
//! in a DataFusion session; [`session`] is the read-only entry point
//! analysts, rules and the API share; [`output`] renders results as a
//! table, CSV, NDJSON, Parquet or an Arrow IPC stream, and [`rows`] turns
//! them into JSON objects; [`statements`] splits SQL text at `;`;
//! [`unflushed`] adds the rows accepted but not yet in the lake's files;
//! [`udf`] adds the SQL functions analysts need (CIDR match, registrable
//! domain, JST time, business hours over a [`BusinessCalendar`]);
//! [`registers`] loads the municipality's registers (台帳) from CSV files
//! and registers them as tables.

pub mod catalog;
pub mod error;
pub mod output;
pub mod registers;
pub mod rows;
pub mod session;
pub mod statements;
pub mod udf;
pub mod unflushed;

pub use error::QueryError;
pub use output::OutputFormat;
pub use session::{QuerySession, SessionOptions};
pub use udf::BusinessCalendar;

/// Arrow as DataFusion uses it, for callers that handle result batches.
pub use datafusion::arrow;
