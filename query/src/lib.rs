//! bannin-query: SQL over the lake.
//!
//! [`session`] is the read-only entry point analysts, rules and the API
//! share: [`guard`] accepts only one read-only query, [`limits`] bound its
//! time, memory and rows, and [`scope`] restricts it to the caller's
//! tenants. [`catalog`] registers every lake table (Hive partitions
//! `tenant`, `date`; text read as views, returned plain: [`text_types`])
//! over [`lake_store`], which serves the manifest's live
//! files of the tenants in scope and nothing else (read into the reused
//! buffers of [`read_buffers`]), plus the rows accepted
//! but not yet in them ([`unflushed`]). [`udf`] adds the SQL functions
//! analysts need (CIDR match, registrable domain, JST time, business hours
//! over a [`BusinessCalendar`]); [`registers`] loads the municipality's
//! registers (台帳) from CSV files as tables, and [`source_health`] shows
//! when each configured log source was last heard from; [`like_any`]
//! folds `x LIKE '%a%' OR x LIKE '%b%' …` into one pass over `x`, and
//! [`distinct_groups`] computes `count(DISTINCT x)` beside `count(*)` as
//! two group-bys. [`output`] renders results as
//! a table, CSV, NDJSON, Parquet or an Arrow IPC stream, [`rows`] turns
//! them into JSON objects, and [`statements`] splits SQL text at `;`.

pub mod catalog;
pub mod distinct_groups;
pub mod error;
pub mod guard;
pub mod lake_store;
pub mod like_any;
pub mod limits;
pub mod output;
pub mod read_buffers;
pub mod registers;
pub mod rows;
pub mod scope;
pub mod session;
pub mod source_health;
pub mod statements;
pub mod text_types;
pub mod udf;
pub mod unflushed;

pub use error::QueryError;
pub use limits::QueryLimits;
pub use output::OutputFormat;
pub use scope::TenantScope;
pub use session::{QueryResult, QuerySession, SessionOptions};
pub use source_health::SourceHealth;
pub use udf::BusinessCalendar;

/// Arrow as DataFusion uses it, for callers that handle result batches.
pub use datafusion::arrow;
