//! The one way into SQL over the lake for every entry point (`bannin sql`,
//! `POST /api/v1/query`, the PostgreSQL listener): open a session for a
//! caller and run a statement in it.
//!
//! The caller's tenant travels here from each entry point (`--tenant`, the
//! request's `tenant` field, later the API token's scope) so that tenant
//! scoping and query limits are applied in this one place.

use bannin_query::arrow::array::RecordBatch;
use bannin_query::{QueryError, QuerySession};

use crate::config::DataDir;

/// Opens a read-only session over the lake for a caller limited to
/// `tenant` (all tenants when `None`).
pub fn open_session(data: &DataDir, tenant: Option<&str>) -> Result<QuerySession, QueryError> {
    if let Some(tenant) = tenant {
        // TODO(issue 5): scope the session to `tenant` once QuerySession
        // offers it; until then every tenant is visible.
        tracing::debug!(tenant, "tenant scoping is not enforced yet");
    }
    QuerySession::open(&data.lake())
}

/// Runs one statement in a fresh session (so it sees the lake as it is now).
pub async fn run(
    data: &DataDir,
    tenant: Option<&str>,
    sql: &str,
) -> Result<Vec<RecordBatch>, QueryError> {
    open_session(data, tenant)?.sql(sql).await
}
