//! The one way into SQL over the lake for every entry point (`bannin sql`,
//! `POST /api/v1/query`, the PostgreSQL listener): a session opened for a
//! caller — scoped to its tenant, under the configured limits, with the
//! registers, the business calendar and the rows accepted but not yet
//! committed — and a statement run in it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use bannin_ingest::pipeline::{Pipeline, saved_source_stats, unflushed_in_wal};
use bannin_ingest::sources::Sources;
use bannin_ingest::{Lake, Unflushed};
use bannin_query::{
    QueryError, QueryResult, QuerySession, SessionOptions, SourceHealth, TenantScope,
};
use chrono::{DateTime, Utc};

use crate::auth::{AuditEntry, AuditFilter, AuthStore, Principal, Role, audit_table};
use crate::config::{Config, DataDir};

/// Opens sessions for callers; cheap to clone.
#[derive(Clone)]
pub struct QueryAccess {
    lake: Lake,
    unflushed: UnflushedFrom,
    /// Limits, calendar and registers; scope and rows are set per session.
    options: Arc<SessionOptions>,
    /// The configured sources' health rows, before the live counters.
    configured: Arc<Vec<SourceHealth>>,
    /// Without a pipeline's counters: each source's latest event in the
    /// lake, by (tenant, source), as [`Self::refresh_last_events`] found.
    last_events: Arc<std::sync::RwLock<Vec<LastEvent>>>,
    /// Tokens and the audit log: every query is audited; admin and
    /// auditor sessions see `bannin_audit`.
    auth: Arc<AuthStore>,
}

/// A source's latest event in the lake: (tenant, source, time).
type LastEvent = (String, String, DateTime<Utc>);

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
        let configured = config
            .sources
            .iter()
            .map(|s| SourceHealth {
                tenant: s
                    .tenant
                    .clone()
                    .unwrap_or_else(|| config.ingest.tenant.clone()),
                source: s.name.clone(),
                segment: s.segment.clone(),
                expected_interval_s: s
                    .expected_interval
                    .map(|e| i64::try_from(e.as_secs()).unwrap_or(i64::MAX)),
                ..SourceHealth::default()
            })
            .collect();
        data.ensure()?;
        let auth = AuthStore::open(&data.auth())
            .with_context(|| format!("cannot open the token store {}", data.auth().display()))?;
        Ok(Self {
            auth: Arc::new(auth),
            lake: data.lake(),
            unflushed,
            options: Arc::new(options),
            configured: Arc::new(configured),
            last_events: Arc::default(),
        })
    }

    /// For `source_health` beside no running pipeline (`bannin rules run`,
    /// the demo, files imported with `bannin ingest`): each source's latest
    /// event time in the lake's last `days` date partitions becomes its
    /// `last_seen` where no counter gives one.
    pub async fn refresh_last_events(&self, days: u32) -> Result<()> {
        let since = (Utc::now() - chrono::Duration::days(i64::from(days)))
            .format("%Y-%m-%d")
            .to_string();
        let union = bannin_ingest::Table::ALL
            .iter()
            .map(|t| {
                format!(
                    "SELECT tenant, source, time FROM {} WHERE date >= '{since}'",
                    t.name()
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let sql = format!(
            "SELECT tenant, source, CAST(max(time) AS BIGINT) AS last_event FROM ({union}) \
             GROUP BY tenant, source"
        );
        let session = self.open_scope(&TenantScope::All)?;
        let rows = bannin_query::rows::to_json_rows(&session.sql(&sql).await?)?;
        let found = rows
            .iter()
            .filter_map(|row| {
                let text = |c: &str| row.get(c).and_then(|v| v.as_str()).map(str::to_owned);
                let micros = row.get("last_event").and_then(|v| v.as_i64())?;
                let time = DateTime::from_timestamp_micros(micros)?;
                Some((text("tenant")?, text("source")?, time))
            })
            .collect();
        if let Ok(mut last_events) = self.last_events.write() {
            *last_events = found;
        }
        Ok(())
    }

    /// The token and audit store this access writes to.
    pub fn auth(&self) -> Arc<AuthStore> {
        Arc::clone(&self.auth)
    }

    /// Opens a read-only session for `who` to run `sql`: its tenants, and
    /// for admin and auditor the audit log as `bannin_audit` (read only
    /// when `sql` names it: the log grows with every request).
    pub async fn open_for(&self, who: &Principal, sql: &str) -> Result<QuerySession, QueryError> {
        let scope = who.scope.query_scope()?;
        let mut tables = Vec::new();
        let names_audit = sql.to_ascii_lowercase().contains(audit_table::TABLE);
        if names_audit && who.is(&[Role::Admin, Role::Auditor]) {
            let store = Arc::clone(&self.auth);
            let filter = AuditFilter {
                scope: who.scope.clone(),
                since: None,
                until: None,
                actor: None,
                limit: None,
            };
            let rows = tokio::task::spawn_blocking(move || store.audit_rows(&filter))
                .await
                .map_err(|e| QueryError::Internal(e.to_string()))?
                .map_err(|e| QueryError::Internal(e.to_string()))?;
            let batch = audit_table::batch(&rows)?;
            tables.push((audit_table::TABLE.to_owned(), batch));
        }
        let options = SessionOptions {
            scope: scope.clone(),
            unflushed: self.unflushed()?,
            source_health: self.source_health(),
            tables,
            ..(*self.options).clone()
        };
        QuerySession::open_with(&self.lake, &options)
    }

    /// Runs one statement as `who` in a fresh session (so it sees the lake
    /// as it is now) and writes it to the audit log with where it came
    /// from (`api`, `pg`, `cli`); a result longer than the row cap comes
    /// back cut, marked so.
    pub async fn run_as(
        &self,
        who: &Principal,
        sql: &str,
        via: &str,
        client: Option<String>,
    ) -> Result<QueryResult, QueryError> {
        let result = match self.open_for(who, sql).await {
            Ok(session) => session.query(sql).await,
            Err(e) => Err(e),
        };
        let mut entry = AuditEntry::by(who, format!("sql ({via})"));
        entry.detail = Some(sql.to_owned());
        entry.client = client;
        entry.outcome = match &result {
            Ok(r) => format!("ok: {} row(s)", r.num_rows()),
            Err(e) => format!("error: {e}"),
        };
        let store = Arc::clone(&self.auth);
        let written = tokio::task::spawn_blocking(move || store.audit(entry, Utc::now())).await;
        match written {
            Ok(Ok(())) => result,
            Ok(Err(e)) => Err(QueryError::Internal(format!(
                "cannot write the audit log: {e}"
            ))),
            Err(e) => Err(QueryError::Internal(e.to_string())),
        }
    }

    /// Opens a read-only session over the lake seeing the tenants of
    /// `scope`.
    pub fn open_scope(&self, scope: &TenantScope) -> Result<QuerySession, QueryError> {
        let options = SessionOptions {
            scope: scope.clone(),
            unflushed: self.unflushed()?,
            source_health: self.source_health(),
            ..(*self.options).clone()
        };
        QuerySession::open_with(&self.lake, &options)
    }

    /// Every configured source and every source heard from, with the live
    /// counters of this process's pipeline (none beside a server).
    pub fn source_health(&self) -> Vec<SourceHealth> {
        let mut rows: Vec<SourceHealth> = (*self.configured).clone();
        let stats = match &self.unflushed {
            UnflushedFrom::Pipeline(pipeline) => pipeline.source_stats(),
            UnflushedFrom::Wal { dir, .. } => match saved_source_stats(dir) {
                Ok(stats) => stats,
                Err(e) => {
                    tracing::warn!(error = %e, "source counters unreadable; source_health shows none");
                    Default::default()
                }
            },
        };
        if let Ok(last_events) = self.last_events.read() {
            for (tenant, source, time) in last_events.iter() {
                if stats.contains_key(source) {
                    continue;
                }
                if let Some(row) = rows
                    .iter_mut()
                    .find(|r| &r.source == source && &r.tenant == tenant)
                {
                    row.last_seen = Some(*time);
                }
            }
        }
        for (name, stats) in stats {
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            let row = match rows.iter_mut().find(|r| r.source == name) {
                Some(row) => row,
                None => {
                    rows.push(SourceHealth {
                        tenant: stats.tenant.clone(),
                        source: name.clone(),
                        ..SourceHealth::default()
                    });
                    let Some(last) = rows.last_mut() else {
                        continue;
                    };
                    last
                }
            };
            row.last_seen = stats.last_seen;
            row.received = count(stats.received);
            row.bytes = count(stats.bytes);
            row.parsed = count(stats.parsed);
            row.unparsed = count(stats.unparsed);
            row.dropped = count(stats.dropped);
        }
        rows
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

impl bannin_rules::Sessions for QueryAccess {
    fn open(&self, scope: &TenantScope) -> Result<QuerySession, QueryError> {
        self.open_scope(scope)
    }
}
