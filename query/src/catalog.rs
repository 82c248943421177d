//! Registers the lake's tables in a DataFusion session.
//!
//! Each table is a `ListingTable` over the [`LakeStore`]: its files come
//! from the manifest's live set (fresh on every query), filtered to the
//! session's tenants, and its Hive partition columns `tenant` and `date`
//! let filters on them prune whole directories.

use std::sync::Arc;

use bannin_ingest::lake::FILE_EXTENSION;
use bannin_ingest::table::PARTITION_COLUMNS;
use bannin_ingest::{Lake, Table, Unflushed};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::prelude::SessionContext;

use crate::QueryError;
use crate::lake_store::{LakeStore, STORE_URL};
use crate::scope::TenantScope;
use crate::text_types;
use crate::unflushed::with_unflushed;

/// The type `tenant` and `date` are read as. DataFusion repeats a file's
/// partition values on every row of its batches; as views, values of up
/// to 12 bytes (every date, most tenant names) live inside the view
/// itself, so neither repeating them nor grouping or comparing them
/// touches string bytes (benches/README.md, issue 5).
const PARTITION_TYPE: DataType = DataType::Utf8View;

/// The schema analysts see: file columns, then `tenant` and `date`.
pub fn table_schema(table: Table) -> SchemaRef {
    let mut fields = read_schema(table)
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect::<Vec<_>>();
    fields.extend(
        PARTITION_COLUMNS
            .iter()
            .map(|name| Field::new(*name, PARTITION_TYPE, false)),
    );
    Arc::new(Schema::new(fields))
}

/// Registers every table of the lake with the rows of the tenants in
/// `scope` only — its files and its `unflushed` rows. A table with no
/// files yet has no rows.
pub fn register_lake(
    ctx: &SessionContext,
    lake: &Lake,
    scope: TenantScope,
    unflushed: &Unflushed,
) -> Result<(), QueryError> {
    let root = lake.root();
    let root = std::path::absolute(root)
        .map_err(|e| QueryError::LakePath(root.to_path_buf(), e.to_string()))?;
    let unflushed = Unflushed {
        rows: unflushed
            .rows
            .iter()
            .filter(|(key, _)| scope.allows(&key.tenant))
            .cloned()
            .collect(),
        committed: unflushed.committed,
    };
    let store = Arc::new(LakeStore::new(&root, scope, unflushed.committed));
    ctx.runtime_env()
        .register_object_store(ObjectStoreUrl::parse(STORE_URL)?.as_ref(), store);
    for table in Table::ALL {
        let provider = with_unflushed(Arc::new(provider(table)?), table, &unflushed)?;
        ctx.register_table(table.name(), provider)?;
    }
    Ok(())
}

/// How many bytes at the end of a file are read to find its footer in one
/// read. The lake's footers are a few KiB; DataFusion's default of 512 KiB
/// zeroes and reads half a megabyte per file, which over a table's files
/// was a quarter of a short query's time (benches/README.md, issue 5).
const FOOTER_READ_BYTES: usize = 64 * 1024;

fn provider(table: Table) -> Result<ListingTable, QueryError> {
    let url = ListingTableUrl::parse(format!("{STORE_URL}/{}/", table.name()))?;
    let format = ParquetFormat::default().with_metadata_size_hint(Some(FOOTER_READ_BYTES));
    let options = ListingOptions::new(Arc::new(format))
        .with_file_extension(format!(".{FILE_EXTENSION}"))
        .with_table_partition_cols(
            PARTITION_COLUMNS
                .iter()
                .map(|name| ((*name).to_owned(), PARTITION_TYPE))
                .collect(),
        );
    let config = ListingTableConfig::new(url)
        .with_listing_options(options)
        .with_schema(read_schema(table));
    Ok(ListingTable::try_new(config)?)
}

/// A table's file columns as queries read them (text as views).
fn read_schema(table: Table) -> SchemaRef {
    text_types::as_views(&table.file_schema())
}
