//! bannin-ingest: from log files to the Parquet lake.
//!
//! Lines are read with a length bound ([`lines`]), decoded ([`decode`]),
//! parsed by the format chosen ([`format`]) and turned into the row of the
//! table that fits ([`route`]), collected into per-table,
//! per-partition Arrow batches ([`batch`], schemas in [`table`]) and
//! committed to the lake ([`lake`]). [`import`] ties these together for
//! batch import; nothing read is dropped: what no parser accepts becomes an
//! `unparsed` row with the reason. The lake is kept by [`compact`] (small
//! files merged) and [`retention`] (old partitions dropped), both recorded
//! in the [`manifest`].

pub mod batch;
pub mod compact;
pub mod decode;
pub mod error;
pub mod format;
pub mod import;
pub mod lake;
pub mod lines;
pub mod listen;
pub mod manifest;
pub mod pipeline;
pub mod read;
pub mod retention;
pub mod route;
pub mod sources;
pub mod table;
pub mod wal;

pub use batch::Partitions;
pub use error::IngestError;
pub use format::Format;
pub use import::{ImportOptions, Importer, InputFile};
pub use lake::Lake;
pub use read::{ImportReadError, ImportStats, read_input};
pub use table::Table;
