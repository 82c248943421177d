//! `to_jst(ts)` and `jst_date(ts)`: instants seen in Japan Standard Time.
//!
//! `to_jst` keeps the instant and labels it `+09:00`, so it displays as
//! JST (`2026-11-22T09:00:00+09:00`) and compares equal to the same
//! instant in UTC; no value is rewritten. `jst_date` is the JST calendar
//! day of an instant (the lake's `date` partition is the UTC day). A
//! timestamp without a zone is read as UTC, as the lake writes them; text
//! is cast to a timestamp first.

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, Date32Type};

use super::columnar::{jst_day_and_micros, jst_timestamps, jst_type, timestamp_ticks};
use super::unary::Unary;

/// `to_jst(ts) -> timestamp with time zone '+09:00'`.
pub(crate) fn to_jst() -> Unary {
    Unary::timestamp(
        "to_jst",
        |ts| jst_type(ts, "to_jst"),
        |times| {
            let (ticks, unit) = timestamp_ticks(times, "to_jst")?;
            Ok(jst_timestamps(ticks, unit))
        },
    )
}

/// `jst_date(ts) -> date`.
pub(crate) fn jst_date() -> Unary {
    Unary::timestamp(
        "jst_date",
        |_| Ok(DataType::Date32),
        |times| {
            let (ticks, unit) = timestamp_ticks(times, "jst_date")?;
            let days = ticks.unary_opt::<_, Date32Type>(|tick| {
                let (day, _) = jst_day_and_micros(tick, unit)?;
                i32::try_from(day).ok()
            });
            Ok(Arc::new(days) as ArrayRef)
        },
    )
}
