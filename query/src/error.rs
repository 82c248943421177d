//! Errors of the query layer.

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Planning or execution failed (syntax errors, unknown columns, …), or
    /// the statement is not a read-only query.
    #[error("{0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("cannot render result: {0}")]
    Render(#[from] datafusion::arrow::error::ArrowError),
    #[error("cannot write result: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot convert result to JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("lake path {0} cannot be used: {1}")]
    LakePath(std::path::PathBuf, String),
    #[error(transparent)]
    Register(#[from] crate::registers::RegisterError),
    #[error("cannot write Parquet: {0}")]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    #[error("unknown output format `{0}` (known: table, csv, json, parquet, arrow)")]
    UnknownFormat(String),
}
