//! The read-only SQL session over a lake.

use std::sync::Arc;

use bannin_ingest::{Lake, Unflushed};
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::runtime::SpawnedTask;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::physical_plan::{ExecutionPlan, execute_stream};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;

use crate::distinct_groups::SplitDistinct;
use crate::like_any::FoldLikes;
use crate::limits::QueryLimits;
use crate::registers::{self, Registers, business_calendar};
use crate::scope::TenantScope;
use crate::source_health::{self, SourceHealth};
use crate::{BusinessCalendar, QueryError, catalog, guard, text_types, udf};

/// What a session shows, and how. The default: every tenant, default
/// limits, the lake's files only, the default business calendar, no
/// registers.
#[derive(Debug, Default, Clone)]
pub struct SessionOptions {
    /// The tenants whose rows the session sees (files, unflushed rows,
    /// registers).
    pub scope: TenantScope,
    /// Time, memory and rows each query may use.
    pub limits: QueryLimits,
    /// Rows accepted but not yet in the lake's files (from the running
    /// pipeline or the WAL), shown in their tables.
    pub unflushed: Unflushed,
    /// What `is_business_hours` counts as working time; the closed and
    /// open days of the `business_calendar` register are added to it.
    pub calendar: BusinessCalendar,
    /// The municipality's registers, registered as tables.
    pub registers: Registers,
    /// The configured log sources and when each was last heard from
    /// (`source_health`).
    pub source_health: Vec<SourceHealth>,
    /// Tables the caller adds as they are (already limited to its scope),
    /// e.g. `bannin_audit` for an auditor.
    pub tables: Vec<(String, RecordBatch)>,
}

/// A DataFusion session with the lake's tables registered, seeing only the
/// tenants of its scope, running only read-only queries under its limits.
pub struct QuerySession {
    ctx: SessionContext,
    limits: QueryLimits,
}

/// The rows of one query.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// At least one batch (empty when there are no rows), so the columns
    /// are known.
    pub batches: Vec<RecordBatch>,
    /// True when the result had more rows than the row cap and reading
    /// stopped there: `batches` holds the first `max_rows` rows.
    pub truncated: bool,
    /// Rows the query read from its tables (files, unflushed rows and
    /// registers), as the scans counted them.
    pub rows_scanned: u64,
}

impl QueryResult {
    pub fn num_rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

impl QuerySession {
    /// Opens a session over every tenant of the lake's files, default
    /// limits.
    pub fn open(lake: &Lake) -> Result<Self, QueryError> {
        Self::open_with(lake, &SessionOptions::default())
    }

    /// Opens a session that sees only the tenants in `scope` and runs every
    /// query under `limits`.
    pub fn open_scoped(
        lake: &Lake,
        scope: TenantScope,
        limits: QueryLimits,
    ) -> Result<Self, QueryError> {
        let options = SessionOptions {
            scope,
            limits,
            ..SessionOptions::default()
        };
        Self::open_with(lake, &options)
    }

    /// Opens a session with `options`.
    pub fn open_with(lake: &Lake, options: &SessionOptions) -> Result<Self, QueryError> {
        let limits = options.limits;
        let config = SessionConfig::new()
            .with_information_schema(true)
            .set_str("datafusion.execution.time_zone", "UTC");
        let runtime = limits.runtime()?;
        // The lake store is the only place data can come from.
        runtime.deregister_object_store(ObjectStoreUrl::local_filesystem().as_ref())?;
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        ctx.add_optimizer_rule(Arc::new(FoldLikes));
        ctx.add_optimizer_rule(Arc::new(SplitDistinct));
        catalog::register_lake(&ctx, lake, options.scope.clone(), &options.unflushed)?;
        let calendar = business_calendar::apply(
            options.calendar.clone(),
            &options.registers.business_calendar,
            &options.scope,
        );
        udf::register_all(&ctx, &calendar);
        registers::register(&ctx, &options.registers.for_scope(&options.scope))?;
        source_health::register(&ctx, &options.source_health, &options.scope)?;
        for (name, batch) in &options.tables {
            ctx.register_batch(name, batch.clone())?;
        }
        Ok(Self { ctx, limits })
    }

    /// The columns `sql` would return, checked as a query is but not run.
    pub async fn describe(&self, sql: &str) -> Result<SchemaRef, QueryError> {
        let (plan, _) = plan(&self.ctx, sql).await?;
        Ok(text_types::plain(plan.schema().as_arrow()))
    }

    /// The limits queries run under.
    pub fn limits(&self) -> QueryLimits {
        self.limits
    }

    /// Runs one read-only query; a result longer than the row cap comes
    /// back cut with `truncated` set.
    ///
    /// The query runs as its own task, so its time limit holds even when
    /// one step of it computes for long without yielding; running out of
    /// time (or dropping the returned future) aborts the task.
    pub async fn query(&self, sql: &str) -> Result<QueryResult, QueryError> {
        let timeout = self.limits.timeout;
        let ctx = self.ctx.clone();
        let limits = self.limits;
        let sql = sql.to_owned();
        let task = SpawnedTask::spawn(async move { run(&ctx, limits, &sql).await });
        match tokio::time::timeout(timeout, task.join()).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(QueryError::Aborted(join.to_string())),
            Err(_) => Err(QueryError::TimeLimit(timeout)),
        }
    }

    /// Runs one read-only query and returns all its rows; more rows than
    /// the row cap is an error (for rules and others that must not act on
    /// a partial result).
    pub async fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>, QueryError> {
        let result = self.query(sql).await?;
        if result.truncated {
            return Err(QueryError::TooManyRows(self.limits.max_rows));
        }
        Ok(result.batches)
    }

    /// The underlying context (for registering lookup tables, UDFs). Tables
    /// registered here are visible to every tenant of the session.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }
}

/// The checked, read-only plan of `sql`, and whether it is a query.
async fn plan(
    ctx: &SessionContext,
    sql: &str,
) -> Result<(datafusion::logical_expr::LogicalPlan, bool), QueryError> {
    let state = ctx.state();
    let checked = guard::check(sql, state.table_functions())?;
    let plan = state.statement_to_plan(checked.statement).await?;
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
        .verify_plan(&plan)?;
    Ok((plan, checked.is_query))
}

async fn run(
    ctx: &SessionContext,
    limits: QueryLimits,
    sql: &str,
) -> Result<QueryResult, QueryError> {
    let (plan, is_query) = plan(ctx, sql).await?;
    let mut frame = ctx.execute_logical_plan(plan).await?;
    let max_rows = limits.max_rows;
    if is_query {
        // One row past the cap tells a cut result from an exact one.
        frame = frame.limit(0, Some(max_rows.saturating_add(1)))?;
    }
    // Results leave with plain text types (see text_types).
    let plain = text_types::plain(frame.schema().inner());
    let physical = frame.create_physical_plan().await?;
    let mut stream =
        execute_stream(Arc::clone(&physical), ctx.task_ctx()).map_err(|e| limits.explain(e))?;
    let mut batches = Vec::new();
    let mut rows = 0usize;
    let mut truncated = false;
    while let Some(batch) = stream.next().await {
        let batch = text_types::cast_to(&batch.map_err(|e| limits.explain(e))?, &plain)?;
        let room = max_rows - rows;
        if batch.num_rows() > room {
            truncated = true;
            batches.push(batch.slice(0, room));
            break;
        }
        rows += batch.num_rows();
        batches.push(batch);
    }
    // Stop reading at the cap: dropping the stream cancels the rest.
    drop(stream);
    batches.retain(|b| b.num_rows() > 0);
    if batches.is_empty() {
        // Keep the columns of an empty result, so a table or CSV still
        // shows its header.
        batches.push(RecordBatch::new_empty(plain));
    }
    Ok(QueryResult {
        batches,
        truncated,
        rows_scanned: rows_scanned(physical.as_ref()),
    })
}

/// The rows the plan's leaves (its scans) produced.
fn rows_scanned(plan: &dyn ExecutionPlan) -> u64 {
    let children = plan.children();
    if children.is_empty() {
        let rows = plan
            .metrics()
            .and_then(|m| m.output_rows())
            .unwrap_or_default();
        return u64::try_from(rows).unwrap_or(u64::MAX);
    }
    children
        .into_iter()
        .map(|child| rows_scanned(child.as_ref()))
        .sum()
}
