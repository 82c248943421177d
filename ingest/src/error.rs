//! Errors of the ingest pipeline.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode parquet {path}: {source}")]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("cannot build arrow batch for table {table}: {source}")]
    Arrow {
        table: &'static str,
        source: arrow::error::ArrowError,
    },
    #[error("invalid {what} `{value}`: {why}")]
    InvalidName {
        what: &'static str,
        value: String,
        why: &'static str,
    },
    #[error(
        "{path} is not what the manifest recorded (SHA-256 differs): refusing to compact or retire it; run `bannin verify`"
    )]
    Tampered { path: PathBuf },
    #[error("cannot compact the partition of {path}: {why}")]
    Compact { path: PathBuf, why: String },
    #[error(transparent)]
    Wal(#[from] crate::wal::WalError),
    #[error("cannot write output: {0}")]
    Output(String),
    #[error("cannot use the saved state {path}: {reason}")]
    State { path: PathBuf, reason: String },
    /// Records not taken (nothing of them was written): the sender may
    /// try again later.
    #[error("records refused: {0}")]
    Refused(String),
    #[error("unknown format `{0}` (known: {known})", known = crate::Format::NAMES.join(", "))]
    UnknownFormat(String),
}
