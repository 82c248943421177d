//! Errors of the query layer.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Planning or execution failed (syntax errors, unknown columns, …).
    #[error("{0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// The statement is not one read-only query over the lake's tables.
    #[error("refused: {0}")]
    Refused(String),
    #[error("query exceeded its time limit of {}", seconds(*.0))]
    TimeLimit(Duration),
    #[error("query exceeded its memory limit of {} MiB ({detail})", .limit / (1024 * 1024))]
    MemoryLimit { limit: usize, detail: String },
    /// A caller that needs every row ([`crate::QuerySession::sql`]) got
    /// more than the row cap.
    #[error("result has more than {0} rows (the row cap); aggregate or add LIMIT")]
    TooManyRows(usize),
    #[error("query aborted: {0}")]
    Aborted(String),
    #[error("invalid tenant scope: {0}")]
    Tenant(String),
    #[error("cannot render result: {0}")]
    Render(#[from] datafusion::arrow::error::ArrowError),
    #[error("cannot write result: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot convert result to JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("lake path {0} cannot be used: {1}")]
    LakePath(std::path::PathBuf, String),
    #[error("cannot read the rows not yet committed: {0}")]
    Unflushed(#[from] bannin_ingest::IngestError),
    #[error(transparent)]
    Register(#[from] crate::registers::RegisterError),
    #[error("cannot write Parquet: {0}")]
    Parquet(#[from] datafusion::parquet::errors::ParquetError),
    /// A failure around the query that is not its own (the caller's
    /// audit log, a task that died).
    #[error("{0}")]
    Internal(String),
    #[error("unknown output format `{0}` (known: table, csv, json, parquet, arrow)")]
    UnknownFormat(String),
}

/// `60 s`, `1.5 s`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}
