//! Registers the lake's tables in a DataFusion session.

use std::sync::Arc;

use bannin_ingest::lake::FILE_EXTENSION;
use bannin_ingest::table::PARTITION_COLUMNS;
use bannin_ingest::{Lake, Table, Unflushed};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::SessionContext;

use crate::QueryError;
use crate::unflushed::with_unflushed;

/// The schema analysts see: file columns, then `tenant` and `date`.
pub fn table_schema(table: Table) -> SchemaRef {
    let file = table.file_schema();
    let mut fields: Vec<Field> = file.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.extend(
        PARTITION_COLUMNS
            .iter()
            .map(|name| Field::new(*name, DataType::Utf8, false)),
    );
    Arc::new(Schema::new(fields))
}

/// Registers every table of the lake. A table with no files yet is
/// registered empty, so queries over it return no rows instead of failing.
pub fn register_lake(ctx: &SessionContext, lake: &Lake) -> Result<(), QueryError> {
    register_lake_with(ctx, lake, &Unflushed::new())
}

/// As [`register_lake`], each table also showing its `unflushed` rows.
pub fn register_lake_with(
    ctx: &SessionContext,
    lake: &Lake,
    unflushed: &Unflushed,
) -> Result<(), QueryError> {
    for table in Table::ALL {
        let provider = with_unflushed(provider(lake, table)?, table, unflushed)?;
        ctx.register_table(table.name(), provider)?;
    }
    Ok(())
}

fn provider(lake: &Lake, table: Table) -> Result<Arc<dyn TableProvider>, QueryError> {
    let dir = lake.table_dir(table);
    if !dir.is_dir() {
        let empty = MemTable::try_new(table_schema(table), vec![vec![]])?;
        return Ok(Arc::new(empty));
    }
    let absolute =
        std::path::absolute(&dir).map_err(|e| QueryError::LakePath(dir.clone(), e.to_string()))?;
    let text = absolute
        .to_str()
        .ok_or_else(|| QueryError::LakePath(dir.clone(), "path is not UTF-8".into()))?;
    let url = ListingTableUrl::parse(format!("{}/", text.trim_end_matches('/')))?;
    let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
        .with_file_extension(format!(".{FILE_EXTENSION}"))
        .with_table_partition_cols(
            PARTITION_COLUMNS
                .iter()
                .map(|name| ((*name).to_owned(), DataType::Utf8))
                .collect(),
        );
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(table.file_schema());
    Ok(Arc::new(ListingTable::try_new(config)?))
}
