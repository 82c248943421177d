//! The one way into SQL over the lake for every entry point (`bannin sql`,
//! `POST /api/v1/query`, the PostgreSQL listener): a session opened for a
//! caller — scoped to its tenant, under the configured limits, with the
//! registers, the business calendar and the rows accepted but not yet
//! committed — and a statement run in it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use bannin_ingest::pipeline::{Pipeline, unflushed_in_wal};
use bannin_ingest::sources::Sources;
use bannin_ingest::{Lake, Unflushed};
use bannin_query::{QueryError, QueryResult, QuerySession, SessionOptions, TenantScope};

use crate::config::{Config, DataDir};

/// Opens sessions for callers; cheap to clone.
#[derive(Clone)]
pub struct QueryAccess {
    lake: Lake,
    unflushed: UnflushedFrom,
    /// Limits, calendar and registers; scope and rows are set per session.
    options: Arc<SessionOptions>,
}

/// Where the rows accepted but not yet committed come from.
#[derive(Clone)]
enum UnflushedFrom {
    /// This process's pipeline (`bannin serve`).
    Pipeline(Arc<Pipeline>),
    /// The WAL of a server beside this process (`bannin sql`).
    Wal { dir: PathBuf, sources: Sources },
}

impl QueryAccess {
    /// Access as configured; `pipeline` when this process ingests.
    pub fn new(config: &Config, data: &DataDir, pipeline: Option<Arc<Pipeline>>) -> Result<Self> {
        let unflushed = match pipeline {
            Some(pipeline) => UnflushedFrom::Pipeline(pipeline),
            None => UnflushedFrom::Wal {
                dir: data.wal_dir(),
                sources: config.sources(Some(data.state_dir()))?,
            },
        };
        let options = SessionOptions {
            limits: config.query.limits(),
            calendar: config.query.calendar().context("[query] business hours")?,
            registers: config.registers()?,
            ..SessionOptions::default()
        };
        Ok(Self {
            lake: data.lake(),
            unflushed,
            options: Arc::new(options),
        })
    }

    /// Opens a read-only session over the lake for a caller limited to
    /// `tenant` (all tenants when `None`).
    pub fn open_session(&self, tenant: Option<&str>) -> Result<QuerySession, QueryError> {
        let scope = match tenant {
            Some(tenant) => TenantScope::tenants([tenant])?,
            None => TenantScope::All,
        };
        let options = SessionOptions {
            scope,
            unflushed: self.unflushed()?,
            ..(*self.options).clone()
        };
        QuerySession::open_with(&self.lake, &options)
    }

    /// Runs one statement in a fresh session (so it sees the lake as it is
    /// now); a result longer than the row cap comes back cut, marked so.
    pub async fn run(&self, tenant: Option<&str>, sql: &str) -> Result<QueryResult, QueryError> {
        self.open_session(tenant)?.query(sql).await
    }

    fn unflushed(&self) -> Result<Unflushed, QueryError> {
        Ok(match &self.unflushed {
            UnflushedFrom::Pipeline(pipeline) => pipeline.unflushed()?,
            UnflushedFrom::Wal { dir, sources } => {
                unflushed_in_wal(&self.lake, dir, sources.clone())?
            }
        })
    }
}
