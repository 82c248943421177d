//! Text columns are read as `Utf8View` and returned as plain `Utf8`.
//!
//! The lake's files store plain strings. Read as views, the Parquet reader
//! points into its decoded pages instead of copying every string into one
//! buffer, which scans, filters and groups on text measurably faster
//! (benches/README.md, issue 5). Results leave a session with the classic
//! types again, so the JSON column types, Arrow IPC streams and Parquet
//! results that clients already read do not change.

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, FieldRef, Fields, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;

/// `schema` with every `Utf8` column read as `Utf8View`.
pub fn as_views(schema: &Schema) -> SchemaRef {
    map_columns(schema, &|data_type| match data_type {
        DataType::Utf8 => Some(DataType::Utf8View),
        _ => None,
    })
}

/// `schema` with view types (also inside lists and structs) as their
/// plain counterparts.
pub fn plain(schema: &Schema) -> SchemaRef {
    map_columns(schema, &plain_type)
}

/// `batch` with its columns cast to the types of `schema` (same columns).
pub fn cast_to(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    if batch.schema_ref() == schema {
        return Ok(batch.clone());
    }
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| cast(column, field.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(Arc::clone(schema), columns)
}

fn map_columns(schema: &Schema, f: &dyn Fn(&DataType) -> Option<DataType>) -> SchemaRef {
    let fields: Vec<FieldRef> = schema
        .fields()
        .iter()
        .map(|field| map_field(field, f))
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

fn map_field(field: &FieldRef, f: &dyn Fn(&DataType) -> Option<DataType>) -> FieldRef {
    match f(field.data_type()) {
        Some(data_type) => Arc::new(field.as_ref().clone().with_data_type(data_type)),
        None => Arc::clone(field),
    }
}

fn plain_type(data_type: &DataType) -> Option<DataType> {
    let plain_field = |field: &FieldRef| map_field(field, &plain_type);
    match data_type {
        DataType::Utf8View => Some(DataType::Utf8),
        DataType::BinaryView => Some(DataType::Binary),
        DataType::List(item) => Some(DataType::List(plain_field(item))),
        DataType::LargeList(item) => Some(DataType::LargeList(plain_field(item))),
        DataType::ListView(item) | DataType::LargeListView(item) => {
            Some(DataType::List(plain_field(item)))
        }
        DataType::FixedSizeList(item, n) => Some(DataType::FixedSizeList(plain_field(item), *n)),
        DataType::Struct(fields) => Some(DataType::Struct(
            fields.iter().map(plain_field).collect::<Fields>(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        Array, Int64Array, ListBuilder, StringViewArray, StringViewBuilder,
    };
    use datafusion::arrow::datatypes::Field;

    #[test]
    fn views_come_back_plain_also_inside_lists() {
        let mut hosts = ListBuilder::new(StringViewBuilder::new());
        hosts.values().append_value("www.city.kitahama.lg.jp");
        hosts.values().append_value("dropbox.com");
        hosts.append(true);
        hosts.append(false);
        let hosts = hosts.finish();
        let schema = Schema::new(vec![
            Field::new("host", DataType::Utf8View, true),
            Field::new("hosts", hosts.data_type().clone(), true),
            Field::new("n", DataType::Int64, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringViewArray::from(vec![Some("lg-file01"), None])),
                Arc::new(hosts),
                Arc::new(Int64Array::from(vec![1, 2])),
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));

        let schema = plain(batch.schema_ref());
        let plain = cast_to(&batch, &schema).unwrap_or_else(|e| panic!("{e}"));

        let text = Field::new_list_field(DataType::Utf8, true);
        assert_eq!(plain.column(0).data_type(), &DataType::Utf8);
        assert_eq!(plain.column(1).data_type(), &DataType::List(Arc::new(text)));
        assert_eq!(plain.column(2).data_type(), &DataType::Int64);
        assert!(plain.column(0).is_null(1));
        assert!(plain.column(1).is_null(1));
        let formatted = datafusion::arrow::util::pretty::pretty_format_batches(&[plain])
            .unwrap_or_else(|e| panic!("{e}"))
            .to_string();
        assert!(
            formatted.contains("[www.city.kitahama.lg.jp, dropbox.com]"),
            "{formatted}"
        );
    }

    #[test]
    fn only_text_columns_become_views() {
        let schema = Schema::new(vec![
            Field::new("src_ip", DataType::Utf8, true),
            Field::new("bytes_out", DataType::Int64, true),
        ]);
        let views = as_views(&schema);
        assert_eq!(views.field(0).data_type(), &DataType::Utf8View);
        assert_eq!(views.field(1).data_type(), &DataType::Int64);
        assert_eq!(plain(&views).as_ref(), &schema);
    }
}
