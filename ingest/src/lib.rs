//! bannin-ingest: from log files to the Parquet lake.
//!
//! Lines are read with a length bound ([`lines`]), decoded ([`decode`]),
//! parsed by the format chosen ([`format`]) and turned into the row of the
//! table that fits ([`route`]), collected into per-table,
//! per-partition Arrow batches ([`batch`], schemas in [`table`]) and
//! committed to the lake ([`lake`]). [`import`] ties these together for
//! batch import, resumable from the per-file [`checkpoint`]s each commit
//! records; [`walk`] expands directory arguments and [`follow`] keeps
//! tailing growing files. Nothing read is dropped: what no parser accepts
//! becomes an `unparsed` row with the reason. The lake is kept by
//! [`compact`] (small files merged) and [`retention`] (old partitions
//! dropped), both recorded in the [`manifest`].

pub mod batch;
pub mod checkpoint;
pub mod compact;
pub mod decode;
pub mod error;
pub mod follow;
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
pub mod walk;

pub use batch::{PartitionRows, Partitions, Unflushed};
pub use error::IngestError;
pub use format::Format;
pub use import::{FileImport, ImportOptions, Importer, InputFile, Progress};
pub use lake::Lake;
pub use read::{ImportReadError, ImportStats, Start, read_input, read_input_at};
pub use table::Table;
