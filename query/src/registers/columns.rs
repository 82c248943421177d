//! Arrow columns built from register rows.

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Int32Array, ListBuilder, StringArray, StringBuilder,
    UInt8Array,
};
use datafusion::arrow::datatypes::{DataType, Field};

use super::value::days_since_epoch;

/// A nullable text column.
pub fn utf8_field(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

/// A text column that is never null.
pub fn required_utf8_field(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

/// A nullable list-of-text column (a multi-valued cell).
pub fn list_field(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        true,
    )
}

/// A nullable date column.
pub fn date_field(name: &str) -> Field {
    Field::new(name, DataType::Date32, true)
}

pub fn utf8<'a>(values: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.collect::<StringArray>())
}

pub fn dates(values: impl Iterator<Item = Option<NaiveDate>>) -> ArrayRef {
    Arc::new(
        values
            .map(|d| d.map(days_since_epoch))
            .collect::<Date32Array>(),
    )
}

pub fn flags(values: impl Iterator<Item = bool>) -> ArrayRef {
    Arc::new(values.map(Some).collect::<BooleanArray>())
}

pub fn small_ints(values: impl Iterator<Item = Option<u8>>) -> ArrayRef {
    Arc::new(values.collect::<UInt8Array>())
}

pub fn ints(values: impl Iterator<Item = Option<i32>>) -> ArrayRef {
    Arc::new(values.collect::<Int32Array>())
}

/// Lists of text; an empty list is stored as null ("no restriction").
pub fn lists<'a>(values: impl Iterator<Item = &'a [String]>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for list in values {
        if list.is_empty() {
            builder.append_null();
        } else {
            for value in list {
                builder.values().append_value(value);
            }
            builder.append(true);
        }
    }
    Arc::new(builder.finish())
}
