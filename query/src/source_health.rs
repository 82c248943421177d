//! `source_health`: one row per configured log source — when it was last
//! heard from, how often it is expected to send, and its counters — so
//! rules can find sources that went silent (ログ収集途絶) and analysts can
//! check collection.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{
    ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use crate::{QueryError, TenantScope};

/// The table's name.
pub const TABLE: &str = "source_health";

/// One source's health.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceHealth {
    pub tenant: String,
    pub source: String,
    /// 三層 zone of the source, if configured.
    pub segment: Option<String>,
    /// How often the source is expected to send; `None`: no expectation.
    pub expected_interval_s: Option<i64>,
    /// When a record of it was last received; `None`: never.
    pub last_seen: Option<DateTime<Utc>>,
    pub received: i64,
    /// Bytes of the records received.
    pub bytes: i64,
    pub parsed: i64,
    pub unparsed: i64,
    pub dropped: i64,
}

/// Registers `source_health` with the rows of the tenants in `scope`.
pub fn register(
    ctx: &SessionContext,
    rows: &[SourceHealth],
    scope: &TenantScope,
) -> Result<(), QueryError> {
    let rows: Vec<&SourceHealth> = rows.iter().filter(|r| scope.allows(&r.tenant)).collect();
    let text = |f: &dyn Fn(&SourceHealth) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(|r| f(r)).collect::<StringArray>())
    };
    let int = |f: &dyn Fn(&SourceHealth) -> Option<i64>| -> ArrayRef {
        Arc::new(rows.iter().map(|r| f(r)).collect::<Int64Array>())
    };
    let utc = || Some(Arc::<str>::from("UTC"));
    let time = Field::new(
        "last_seen",
        DataType::Timestamp(TimeUnit::Microsecond, utc()),
        true,
    );
    let schema = Arc::new(Schema::new(vec![
        Field::new("tenant", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("segment", DataType::Utf8, true),
        Field::new("expected_interval_s", DataType::Int64, true),
        time,
        Field::new("received", DataType::Int64, false),
        Field::new("bytes", DataType::Int64, false),
        Field::new("parsed", DataType::Int64, false),
        Field::new("unparsed", DataType::Int64, false),
        Field::new("dropped", DataType::Int64, false),
    ]));
    let last_seen: TimestampMicrosecondArray = rows
        .iter()
        .map(|r| r.last_seen.map(|t| t.timestamp_micros()))
        .collect::<TimestampMicrosecondArray>()
        .with_timezone("UTC");
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            text(&|r| Some(r.tenant.as_str())),
            text(&|r| Some(r.source.as_str())),
            text(&|r| r.segment.as_deref()),
            int(&|r| r.expected_interval_s),
            Arc::new(last_seen),
            int(&|r| Some(r.received)),
            int(&|r| Some(r.bytes)),
            int(&|r| Some(r.parsed)),
            int(&|r| Some(r.unparsed)),
            int(&|r| Some(r.dropped)),
        ],
    )?;
    ctx.register_table(
        TABLE,
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    Ok(())
}
