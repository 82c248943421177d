//! Helpers shared by the UDFs: walking string and timestamp columns without
//! per-row allocation, and evaluating a one-argument function on a scalar.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::datatypes::{
    DataType, Int64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::ColumnarValue;

/// The zone every UDF reports in: JST, which has had no daylight saving
/// time since 1951, so a fixed offset is exact.
pub const JST: &str = "+09:00";
pub const JST_OFFSET_SECONDS: i64 = 9 * 3600;

/// Calls `f` with every value of a string column (Utf8, LargeUtf8 or
/// Utf8View), in order, `None` for NULL.
pub fn for_each_str(array: &dyn Array, name: &str, mut f: impl FnMut(Option<&str>)) -> Result<()> {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().for_each(&mut f),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().for_each(&mut f),
        DataType::Utf8View => array.as_string_view().iter().for_each(&mut f),
        DataType::Null => (0..array.len()).for_each(|_| f(None)),
        other => return exec_err!("{name} expects text, got {other}"),
    }
    Ok(())
}

/// Evaluates a one-column function, on a scalar as on a column: a scalar
/// in gives a scalar out (computed once, not once per row).
pub fn unary(
    arg: &ColumnarValue,
    eval: impl FnOnce(&dyn Array) -> Result<ArrayRef>,
) -> Result<ColumnarValue> {
    match arg {
        ColumnarValue::Array(array) => Ok(ColumnarValue::Array(eval(array.as_ref())?)),
        ColumnarValue::Scalar(scalar) => {
            let array = scalar.to_array()?;
            let out = eval(array.as_ref())?;
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        }
    }
}

/// The one argument of a one-argument function.
pub fn single(args: &[ColumnarValue], name: &str) -> Result<ColumnarValue> {
    match args {
        [arg] => Ok(arg.clone()),
        _ => exec_err!("{name} takes one argument, got {}", args.len()),
    }
}

/// Ticks of a timestamp column as i64 (zero-copy) and their unit. The
/// values are instants since the Unix epoch whatever the column's zone
/// label; a column without a zone is read as UTC.
pub fn timestamp_ticks(array: &dyn Array, name: &str) -> Result<(Int64Array, TimeUnit)> {
    let DataType::Timestamp(unit, _) = array.data_type() else {
        return exec_err!("{name} expects a timestamp, got {}", array.data_type());
    };
    let ticks = match unit {
        TimeUnit::Second => array
            .as_primitive::<TimestampSecondType>()
            .reinterpret_cast::<Int64Type>(),
        TimeUnit::Millisecond => array
            .as_primitive::<TimestampMillisecondType>()
            .reinterpret_cast::<Int64Type>(),
        TimeUnit::Microsecond => array
            .as_primitive::<TimestampMicrosecondType>()
            .reinterpret_cast::<Int64Type>(),
        TimeUnit::Nanosecond => array
            .as_primitive::<TimestampNanosecondType>()
            .reinterpret_cast::<Int64Type>(),
    };
    Ok((ticks, *unit))
}

/// Ticks back into a timestamp column of `unit`, labelled JST.
pub fn jst_timestamps(ticks: Int64Array, unit: TimeUnit) -> ArrayRef {
    match unit {
        TimeUnit::Second => Arc::new(
            ticks
                .reinterpret_cast::<TimestampSecondType>()
                .with_timezone(JST),
        ),
        TimeUnit::Millisecond => Arc::new(
            ticks
                .reinterpret_cast::<TimestampMillisecondType>()
                .with_timezone(JST),
        ),
        TimeUnit::Microsecond => Arc::new(
            ticks
                .reinterpret_cast::<TimestampMicrosecondType>()
                .with_timezone(JST),
        ),
        TimeUnit::Nanosecond => Arc::new(
            ticks
                .reinterpret_cast::<TimestampNanosecondType>()
                .with_timezone(JST),
        ),
    }
}

/// Ticks of `unit` in one second.
pub fn ticks_per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// An instant split into its JST day (days since 1970-01-01) and the
/// microseconds since that day's JST midnight; `None` on overflow.
pub fn jst_day_and_micros(ticks: i64, unit: TimeUnit) -> Option<(i64, i64)> {
    let per_second = ticks_per_second(unit);
    let per_day = 86_400 * per_second;
    let shifted = ticks.checked_add(JST_OFFSET_SECONDS * per_second)?;
    let day = shifted.div_euclid(per_day);
    let in_day = shifted.rem_euclid(per_day);
    let micros = match unit {
        TimeUnit::Nanosecond => in_day / 1_000,
        _ => in_day * (1_000_000 / per_second),
    };
    Some((day, micros))
}

/// Types a timestamp argument is coerced to: timestamps stay as they are;
/// text and dates become UTC microseconds (text with an offset keeps its
/// instant, text without one is read as UTC).
pub fn coerce_timestamp(arg: &DataType, name: &str) -> Result<DataType> {
    match arg {
        DataType::Timestamp(_, _) => Ok(arg.clone()),
        DataType::Null
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Date64 => Ok(DataType::Timestamp(
            TimeUnit::Microsecond,
            Some("UTC".into()),
        )),
        other => datafusion::common::plan_err!("{name} expects a timestamp, got {other}"),
    }
}

/// The JST-labelled timestamp type of the same unit as a timestamp type.
pub fn jst_type(arg: &DataType, name: &str) -> Result<DataType> {
    match arg {
        DataType::Timestamp(unit, _) => Ok(DataType::Timestamp(*unit, Some(JST.into()))),
        other => datafusion::common::plan_err!("{name} expects a timestamp, got {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jst_day_starts_at_utc_15_00() {
        let micros = |s: i64| s * 1_000_000;
        // 2026-11-22T14:59:59Z is 23:59:59 JST on the 22nd (day 20779).
        let before = 1_795_359_599;
        assert_eq!(
            jst_day_and_micros(micros(before), TimeUnit::Microsecond),
            Some((20779, micros(86_399)))
        );
        assert_eq!(
            jst_day_and_micros(micros(before + 1), TimeUnit::Microsecond),
            Some((20780, 0))
        );
        assert_eq!(
            jst_day_and_micros((before + 1) * 1_000_000_000, TimeUnit::Nanosecond),
            Some((20780, 0))
        );
        // Before the epoch the day is floored, not truncated.
        assert_eq!(
            jst_day_and_micros(-10 * 3600, TimeUnit::Second),
            Some((-1, micros(23 * 3600)))
        );
        assert_eq!(jst_day_and_micros(i64::MAX, TimeUnit::Second), None);
    }
}
