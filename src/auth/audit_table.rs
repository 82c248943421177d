//! `bannin_audit` as a SQL table, for admin and auditor sessions.

use std::sync::Arc;

use bannin_query::arrow::array::{
    ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use bannin_query::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use bannin_query::arrow::error::ArrowError;

use super::AuditRow;

/// The table's name in SQL.
pub const TABLE: &str = "bannin_audit";

/// The rows as one batch (`time` is the action's time as a timestamp).
pub fn batch(rows: &[AuditRow]) -> Result<RecordBatch, ArrowError> {
    let text = |f: &dyn Fn(&AuditRow) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let time: TimestampMicrosecondArray = rows
        .iter()
        .map(|r| {
            chrono::DateTime::parse_from_rfc3339(&r.at)
                .ok()
                .map(|t| t.timestamp_micros())
        })
        .collect::<TimestampMicrosecondArray>()
        .with_timezone("UTC");
    let schema = Schema::new(vec![
        Field::new("seq", DataType::Int64, false),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC"))),
            true,
        ),
        Field::new("actor", DataType::Utf8, false),
        Field::new("token", DataType::Utf8, true),
        Field::new("role", DataType::Utf8, true),
        Field::new("tenant", DataType::Utf8, true),
        Field::new("action", DataType::Utf8, false),
        Field::new("target", DataType::Utf8, true),
        Field::new("detail", DataType::Utf8, true),
        Field::new("outcome", DataType::Utf8, false),
        Field::new("client", DataType::Utf8, true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(rows.iter().map(|r| r.seq).collect::<Int64Array>()),
            Arc::new(time),
            text(&|r| Some(r.actor.as_str())),
            text(&|r| r.token.as_deref()),
            text(&|r| r.role.as_deref()),
            text(&|r| r.tenant.as_deref()),
            text(&|r| Some(r.action.as_str())),
            text(&|r| r.target.as_deref()),
            text(&|r| r.detail.as_deref()),
            text(&|r| Some(r.outcome.as_str())),
            text(&|r| r.client.as_deref()),
        ],
    )
}
