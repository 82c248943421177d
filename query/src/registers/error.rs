//! Errors of loading and registering registers.

use std::path::PathBuf;

/// Why a register could not be loaded. Messages name the file (and line)
/// so that the IT staff who edit the file can find the cell to fix.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The register directory or a file in it cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A whole-file problem: encoding, header, CSV syntax.
    #[error("{file}: {message}")]
    File { file: String, message: String },
    /// A problem with one row (line numbers count from 1, header included).
    #[error("{file}:{line}: {message}")]
    Row {
        file: String,
        line: u64,
        message: String,
    },
    /// Building the Arrow tables or registering them failed.
    #[error("cannot register registers: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
}

impl From<datafusion::arrow::error::ArrowError> for RegisterError {
    fn from(error: datafusion::arrow::error::ArrowError) -> Self {
        Self::DataFusion(error.into())
    }
}
