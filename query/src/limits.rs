//! Per-query limits: time, memory and result rows.

use std::sync::Arc;
use std::time::Duration;

use datafusion::error::DataFusionError;
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};

use crate::QueryError;

/// Limits every query of a session runs under.
///
/// Defaults: 60 s, 1 GiB, 100 000 rows — an analyst's ad-hoc query over a
/// day of a city's logs fits well inside them, a runaway cross join does
/// not, and the 24 GiB machine keeps room for ingest and other sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Wall time from planning to the last row; the query is cancelled
    /// when it runs out.
    pub timeout: Duration,
    /// Memory the session's operators (sorts, joins, aggregates) may
    /// reserve, shared by the queries of one session. Nothing spills to
    /// disk: a query that needs more fails.
    pub memory_bytes: usize,
    /// Rows a result may hold; reading stops there.
    pub max_rows: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            memory_bytes: 1 << 30,
            max_rows: 100_000,
        }
    }
}

impl QueryLimits {
    /// The runtime a session under these limits uses: a bounded memory
    /// pool, no spill files, no cached directory listings (the lake store
    /// keeps the file list fresh itself) and no object store but the lake.
    pub(crate) fn runtime(&self) -> Result<Arc<RuntimeEnv>, QueryError> {
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(self.memory_bytes, 1.0)
            .with_disk_manager_builder(
                DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled),
            )
            .with_cache_manager(CacheManagerConfig::default().with_list_files_cache_limit(0))
            .build_arc()?;
        Ok(runtime)
    }

    /// Turns the error DataFusion reports when the memory pool is exhausted
    /// into one that names the limit.
    pub(crate) fn explain(&self, error: DataFusionError) -> QueryError {
        if matches!(error.find_root(), DataFusionError::ResourcesExhausted(_)) {
            QueryError::MemoryLimit {
                limit: self.memory_bytes,
                detail: error.find_root().to_string(),
            }
        } else {
            QueryError::DataFusion(error)
        }
    }
}
