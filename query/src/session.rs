//! The read-only SQL session over a lake.

use bannin_ingest::{Lake, Unflushed};
use datafusion::arrow::array::RecordBatch;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::registers::{self, Registers};
use crate::{BusinessCalendar, QueryError, catalog, udf};

/// What a session shows, and how. The default: the lake's files only,
/// the default business calendar.
#[derive(Debug, Default, Clone)]
pub struct SessionOptions {
    /// Rows accepted but not yet in the lake's files (from the running
    /// pipeline or the WAL), shown in their tables.
    pub unflushed: Unflushed,
    /// What `is_business_hours` counts as working time.
    pub calendar: BusinessCalendar,
}

/// A DataFusion session with the lake's tables registered. Only queries
/// run: DDL, DML (INSERT, COPY …) and statements (SET …) are refused.
pub struct QuerySession {
    ctx: SessionContext,
}

impl QuerySession {
    /// Opens a session over the lake's files as they are now, with the
    /// default options.
    pub fn open(lake: &Lake) -> Result<Self, QueryError> {
        Self::open_with(lake, &SessionOptions::default())
    }

    /// Opens a session over the lake with `options`.
    pub fn open_with(lake: &Lake, options: &SessionOptions) -> Result<Self, QueryError> {
        let config = SessionConfig::new()
            .with_information_schema(true)
            .set_str("datafusion.execution.time_zone", "UTC");
        let ctx = SessionContext::new_with_config(config);
        catalog::register_lake_with(&ctx, lake, &options.unflushed)?;
        udf::register_all(&ctx, &options.calendar);
        Ok(Self { ctx })
    }

    /// Adds the municipality's registers as tables (see [`registers`]).
    pub fn with_registers(self, registers: &Registers) -> Result<Self, QueryError> {
        registers::register(&self.ctx, registers)?;
        Ok(self)
    }

    /// Runs one read-only query and collects its result.
    pub async fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>, QueryError> {
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let frame = self.ctx.sql_with_options(sql, options).await?;
        let schema = frame.schema().inner().clone();
        let mut batches = frame.collect().await?;
        if batches.is_empty() {
            // Keep the columns of an empty result, so a table or CSV still
            // shows its header.
            batches.push(RecordBatch::new_empty(schema));
        }
        Ok(batches)
    }

    /// The underlying context (for registering lookup tables, UDFs).
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }
}
