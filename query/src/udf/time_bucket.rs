//! `time_bucket(interval, ts)`: the start of the JST-aligned bucket an
//! instant falls in.
//!
//! DataFusion's `date_bin` aligns buckets to 1970-01-01 00:00 UTC, so a
//! `1 day` bucket there runs 09:00–09:00 JST — wrong for a municipality,
//! whose day is the JST day. `time_bucket` aligns every bucket to JST:
//!
//! - fixed widths (`5 minutes`, `1 hour`, `1 day`, `7 days`) count from
//!   Monday 1970-01-05 00:00 JST, so widths that divide a day start at JST
//!   midnight and `7 days` / `1 week` buckets start on JST Mondays;
//! - month widths (`1 month`, `3 months`, `1 year`) start on the first of a
//!   JST month, counted from January (so `3 months` gives quarters from
//!   January, April, …).
//!
//! The interval is an SQL interval or text (`'1 hour'`) and must be a
//! constant; mixing months with days or time (`1 month 2 days`), zero or
//! negative widths and widths finer than the timestamp's unit are errors.
//! The result is a timestamp of the input's unit, labelled `+09:00`.

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::columnar::{
    JST_OFFSET_SECONDS, coerce_timestamp, jst_day_and_micros, jst_timestamps, jst_type,
    ticks_per_second, timestamp_ticks, unary,
};

/// Monday 1970-01-05 00:00 JST, in seconds since the epoch.
const ORIGIN_SECONDS: i64 = 4 * 86_400 - JST_OFFSET_SECONDS;
const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// A bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// A fixed length in nanoseconds.
    Nanos(i64),
    /// Calendar months.
    Months(i32),
}

impl Width {
    /// The width of an interval scalar; `Err` explains why it cannot be one.
    pub fn from_interval(interval: &ScalarValue) -> Result<Option<Width>> {
        let (months, days, nanos) = match interval {
            ScalarValue::IntervalYearMonth(None)
            | ScalarValue::IntervalDayTime(None)
            | ScalarValue::IntervalMonthDayNano(None)
            | ScalarValue::Null => return Ok(None),
            ScalarValue::IntervalYearMonth(Some(months)) => (*months, 0, 0),
            ScalarValue::IntervalDayTime(Some(value)) => {
                (0, value.days, i64::from(value.milliseconds) * 1_000_000)
            }
            ScalarValue::IntervalMonthDayNano(Some(value)) => {
                (value.months, value.days, value.nanoseconds)
            }
            other => {
                return exec_err!("time_bucket expects an interval, got {}", other.data_type());
            }
        };
        let width = if months != 0 {
            if days != 0 || nanos != 0 {
                return exec_err!("time_bucket cannot mix months with days or time");
            }
            Width::Months(months)
        } else {
            let total = i64::from(days)
                .checked_mul(NANOS_PER_DAY)
                .and_then(|days| days.checked_add(nanos));
            match total {
                Some(total) => Width::Nanos(total),
                None => return exec_err!("time_bucket interval is too long"),
            }
        };
        match width {
            Width::Nanos(n) if n <= 0 => exec_err!("time_bucket needs a positive interval"),
            Width::Months(n) if n <= 0 => exec_err!("time_bucket needs a positive interval"),
            width => Ok(Some(width)),
        }
    }

    /// The start of the bucket holding `ticks` (of `unit`); `None` on
    /// overflow or a date out of range.
    fn bucket(self, ticks: i64, unit: TimeUnit) -> Option<i64> {
        let per_second = ticks_per_second(unit);
        match self {
            Width::Nanos(nanos) => {
                let width = nanos / (1_000_000_000 / per_second);
                let origin = ORIGIN_SECONDS * per_second;
                let offset = ticks.checked_sub(origin)?;
                offset
                    .checked_div_euclid(width)?
                    .checked_mul(width)?
                    .checked_add(origin)
            }
            Width::Months(months) => {
                let (day, _) = jst_day_and_micros(ticks, unit)?;
                let date = NaiveDate::from_num_days_from_ce_opt(
                    i32::try_from(day.checked_add(EPOCH_DAYS_FROM_CE)?).ok()?,
                )?;
                let index = i64::from(date.year()) * 12 + i64::from(date.month0());
                let start = index - index.rem_euclid(i64::from(months));
                let year = i32::try_from(start.div_euclid(12)).ok()?;
                let month = u32::try_from(start.rem_euclid(12)).ok()? + 1;
                let first = NaiveDate::from_ymd_opt(year, month, 1)?;
                let days = i64::from(first.num_days_from_ce()) - EPOCH_DAYS_FROM_CE;
                let seconds = days.checked_mul(86_400)?.checked_sub(JST_OFFSET_SECONDS)?;
                seconds.checked_mul(per_second)
            }
        }
    }

    /// Refuses fixed widths finer than, or not a whole number of, ticks.
    fn check_unit(self, unit: TimeUnit) -> Result<()> {
        let nanos_per_tick = 1_000_000_000 / ticks_per_second(unit);
        match self {
            Width::Nanos(nanos) if nanos % nanos_per_tick != 0 => {
                exec_err!("time_bucket interval is not a whole number of the timestamp's {unit:?}s")
            }
            _ => Ok(()),
        }
    }
}

/// Days from 0001-01-01 (day 1) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// `time_bucket(interval, ts) -> timestamp with time zone '+09:00'`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct TimeBucket {
    signature: Signature,
}

impl TimeBucket {
    pub(crate) fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TimeBucket {
    fn name(&self) -> &str {
        "time_bucket"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let [interval, ts] = args else {
            return plan_err!("time_bucket takes two arguments (interval, timestamp)");
        };
        let interval = match interval {
            DataType::Interval(_) => interval.clone(),
            DataType::Null | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                DataType::Interval(IntervalUnit::MonthDayNano)
            }
            other => return plan_err!("time_bucket expects an interval first, got {other}"),
        };
        Ok(vec![interval, coerce_timestamp(ts, "time_bucket")?])
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [_, ts] => jst_type(ts, "time_bucket"),
            _ => plan_err!("time_bucket takes two arguments (interval, timestamp)"),
        }
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [interval, ts] = args.args.as_slice() else {
            return exec_err!("time_bucket takes two arguments (interval, timestamp)");
        };
        let ColumnarValue::Scalar(interval) = interval else {
            return exec_err!("time_bucket needs a constant interval, not a column");
        };
        let width = Width::from_interval(interval)?;
        unary(ts, |times| {
            let (ticks, unit) = timestamp_ticks(times, "time_bucket")?;
            let buckets = match width {
                Some(width) => {
                    width.check_unit(unit)?;
                    ticks.unary_opt(|tick| width.bucket(tick, unit))
                }
                None => ticks.unary_opt(|_| None),
            };
            Ok(jst_timestamps(buckets, unit))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000_000;

    fn micros(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_micros()
    }

    fn bucket(width: Width, at: &str) -> i64 {
        width.bucket(micros(at), TimeUnit::Microsecond).unwrap()
    }

    #[test]
    fn day_buckets_start_at_jst_midnight() {
        let day = Width::Nanos(24 * HOUR);
        // 14:59 UTC is 23:59 JST, still the 22nd; 15:00 UTC starts the 23rd.
        assert_eq!(
            bucket(day, "2026-11-22T14:59:59Z"),
            micros("2026-11-22T00:00:00+09:00")
        );
        assert_eq!(
            bucket(day, "2026-11-22T15:00:00Z"),
            micros("2026-11-23T00:00:00+09:00")
        );
        assert_eq!(
            bucket(day, "2026-11-22T00:30:00Z"),
            micros("2026-11-22T00:00:00+09:00")
        );
    }

    #[test]
    fn short_buckets_and_weeks() {
        let five = Width::Nanos(HOUR / 12);
        assert_eq!(
            bucket(five, "2026-11-22T09:07:31+09:00"),
            micros("2026-11-22T09:05:00+09:00")
        );
        let week = Width::Nanos(7 * 24 * HOUR);
        // Sunday 2026-11-22 belongs to the week of Monday 11-16.
        assert_eq!(
            bucket(week, "2026-11-22T23:00:00+09:00"),
            micros("2026-11-16T00:00:00+09:00")
        );
        assert_eq!(
            bucket(week, "2026-11-23T00:00:00+09:00"),
            micros("2026-11-23T00:00:00+09:00")
        );
        // Before the origin, buckets are floored too.
        assert_eq!(
            bucket(Width::Nanos(HOUR), "1960-01-01T10:30:00+09:00"),
            micros("1960-01-01T10:00:00+09:00")
        );
    }

    #[test]
    fn month_buckets_follow_the_jst_calendar() {
        assert_eq!(
            bucket(Width::Months(1), "2026-10-31T15:30:00Z"),
            micros("2026-11-01T00:00:00+09:00")
        );
        assert_eq!(
            bucket(Width::Months(3), "2026-06-30T12:00:00+09:00"),
            micros("2026-04-01T00:00:00+09:00")
        );
        assert_eq!(
            bucket(Width::Months(12), "2027-01-01T00:00:00+09:00"),
            micros("2027-01-01T00:00:00+09:00")
        );
    }

    #[test]
    fn interval_checks() {
        use datafusion::arrow::datatypes::IntervalMonthDayNano;
        let interval = |m, d, n| {
            Width::from_interval(&ScalarValue::IntervalMonthDayNano(Some(
                IntervalMonthDayNano::new(m, d, n),
            )))
        };
        assert_eq!(interval(0, 1, 0).unwrap(), Some(Width::Nanos(24 * HOUR)));
        assert_eq!(interval(2, 0, 0).unwrap(), Some(Width::Months(2)));
        assert!(interval(1, 1, 0).is_err());
        assert!(interval(0, 0, 0).is_err());
        assert!(interval(0, -1, 0).is_err());
        assert!(Width::Nanos(1).check_unit(TimeUnit::Microsecond).is_err());
        assert!(Width::Nanos(HOUR).check_unit(TimeUnit::Second).is_ok());
    }
}
