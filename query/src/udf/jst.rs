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
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::columnar::{
    coerce_timestamp, jst_day_and_micros, jst_timestamps, jst_type, single, timestamp_ticks, unary,
};

/// `to_jst(ts) -> timestamp with time zone '+09:00'`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ToJst {
    signature: Signature,
}

impl ToJst {
    pub(crate) fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ToJst {
    fn name(&self) -> &str {
        "to_jst"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [ts] => Ok(vec![coerce_timestamp(ts, "to_jst")?]),
            _ => datafusion::common::plan_err!("to_jst takes one argument"),
        }
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [ts] => jst_type(ts, "to_jst"),
            _ => datafusion::common::plan_err!("to_jst takes one argument"),
        }
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arg = single(&args.args, "to_jst")?;
        unary(&arg, |times| {
            let (ticks, unit) = timestamp_ticks(times, "to_jst")?;
            Ok(jst_timestamps(ticks, unit))
        })
    }
}

/// `jst_date(ts) -> date`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct JstDate {
    signature: Signature,
}

impl JstDate {
    pub(crate) fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for JstDate {
    fn name(&self) -> &str {
        "jst_date"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [ts] => Ok(vec![coerce_timestamp(ts, "jst_date")?]),
            _ => datafusion::common::plan_err!("jst_date takes one argument"),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }

    fn is_strict(&self) -> bool {
        true
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arg = single(&args.args, "jst_date")?;
        unary(&arg, |times| {
            let (ticks, unit) = timestamp_ticks(times, "jst_date")?;
            let days = ticks.unary_opt::<_, Date32Type>(|tick| {
                let (day, _) = jst_day_and_micros(tick, unit)?;
                i32::try_from(day).ok()
            });
            Ok(Arc::new(days) as ArrayRef)
        })
    }
}
