//! `is_business_hours(ts)`: whether an instant falls, in JST, on a working
//! day of the session's [`BusinessCalendar`] within its hours.
//!
//! Working days from 2000 to 2079 are looked up in a bit table built on
//! first use (one bit per day), so a scan costs an add, a division and a
//! bit test per row; other days are computed from the calendar.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use chrono::{Days, NaiveDate};
use datafusion::arrow::array::{ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::calendar::BusinessCalendar;
use super::columnar::{coerce_timestamp, jst_day_and_micros, single, timestamp_ticks, unary};

/// Days since 1970-01-01 of 2000-01-01 and 2080-01-01: the table's range.
const TABLE_FIRST_DAY: i64 = 10_957;
const TABLE_END_DAY: i64 = 40_177;

/// `is_business_hours(ts) -> boolean`.
#[derive(Debug)]
pub(crate) struct IsBusinessHours {
    signature: Signature,
    calendar: BusinessCalendar,
    /// Bit `d` set when day `TABLE_FIRST_DAY + d` is a working day.
    working: OnceLock<Vec<u64>>,
}

impl PartialEq for IsBusinessHours {
    fn eq(&self, other: &Self) -> bool {
        self.calendar == other.calendar
    }
}

impl Eq for IsBusinessHours {}

impl Hash for IsBusinessHours {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.calendar.hash(state);
    }
}

impl IsBusinessHours {
    pub(crate) fn new(calendar: BusinessCalendar) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            calendar,
            working: OnceLock::new(),
        }
    }

    fn table(&self) -> &[u64] {
        self.working.get_or_init(|| {
            let days = TABLE_END_DAY - TABLE_FIRST_DAY;
            let mut bits = vec![0u64; usize::try_from(days).unwrap_or(0).div_ceil(64)];
            for offset in 0..days {
                if date_of(TABLE_FIRST_DAY + offset)
                    .is_some_and(|d| self.calendar.is_working_day(d))
                {
                    let offset = offset as usize; // 0 ≤ offset < days
                    if let Some(word) = bits.get_mut(offset / 64) {
                        *word |= 1 << (offset % 64);
                    }
                }
            }
            bits
        })
    }

    /// Whether JST day `day` (since 1970-01-01) is a working day.
    fn is_working_day(&self, table: &[u64], day: i64) -> bool {
        if (TABLE_FIRST_DAY..TABLE_END_DAY).contains(&day) {
            let offset = (day - TABLE_FIRST_DAY) as usize;
            table
                .get(offset / 64)
                .is_some_and(|word| word & (1 << (offset % 64)) != 0)
        } else {
            date_of(day).is_some_and(|date| self.calendar.is_working_day(date))
        }
    }
}

/// The date `day` days after 1970-01-01.
fn date_of(day: i64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    match u64::try_from(day) {
        Ok(after) => epoch.checked_add_days(Days::new(after)),
        Err(_) => epoch.checked_sub_days(Days::new(day.unsigned_abs())),
    }
}

impl ScalarUDFImpl for IsBusinessHours {
    fn name(&self) -> &str {
        "is_business_hours"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [ts] => Ok(vec![coerce_timestamp(ts, "is_business_hours")?]),
            _ => plan_err!("is_business_hours takes one argument"),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arg = single(&args.args, "is_business_hours")?;
        let table = self.table();
        let hours = self.calendar.hours();
        unary(&arg, |times| {
            let (ticks, unit) = timestamp_ticks(times, "is_business_hours")?;
            let out: BooleanArray = ticks
                .iter()
                .map(|tick| {
                    let (day, micros) = jst_day_and_micros(tick?, unit)?;
                    Some(hours.contains_micros(micros) && self.is_working_day(table, day))
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_agrees_with_the_calendar() {
        let calendar =
            BusinessCalendar::default().with_open("2027-02-28".parse().unwrap(), "休日開庁");
        let udf = IsBusinessHours::new(calendar.clone());
        let table = udf.table();
        for day in (TABLE_FIRST_DAY - 3)..(TABLE_END_DAY + 3) {
            let date = date_of(day).unwrap();
            assert_eq!(
                udf.is_working_day(table, day),
                calendar.is_working_day(date),
                "{date}"
            );
        }
        assert_eq!(date_of(TABLE_FIRST_DAY).unwrap().to_string(), "2000-01-01");
        assert_eq!(date_of(TABLE_END_DAY).unwrap().to_string(), "2080-01-01");
        assert_eq!(date_of(-1).unwrap().to_string(), "1969-12-31");
    }
}
