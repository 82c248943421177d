//! Rows accepted but not yet in the lake's files, shown in the same
//! tables as the files: a table's provider becomes the union of its files
//! and these rows, so analysts and rules see a record within a second of
//! its acceptance instead of after the next commit.

use std::sync::Arc;

use async_trait::async_trait;
use bannin_ingest::batch::PartitionKey;
use bannin_ingest::{Table, Unflushed};
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::union::UnionExec;

use crate::QueryError;
use crate::catalog::table_schema;
use crate::text_types;

/// `files` with the unflushed rows of `table` added, or `files` itself
/// when there are none.
pub fn with_unflushed(
    files: Arc<dyn TableProvider>,
    table: Table,
    unflushed: &Unflushed,
) -> Result<Arc<dyn TableProvider>, QueryError> {
    let schema = table_schema(table);
    // The batches have the files' types; the table reads text as views.
    let file_types = text_types::plain(&schema);
    let batches = unflushed
        .rows
        .iter()
        .filter(|(key, _)| key.table == table)
        .flat_map(|(key, batches)| batches.iter().map(move |b| (key, b)))
        .filter(|(_, b)| b.num_rows() > 0)
        .map(|(key, batch)| with_partition_columns(&schema, &file_types, key, batch))
        .collect::<Result<Vec<_>, QueryError>>()?;
    if batches.is_empty() {
        return Ok(files);
    }
    let rows = MemTable::try_new(Arc::clone(&schema), vec![batches])?;
    Ok(Arc::new(FilesAndRows {
        schema,
        files,
        rows: Arc::new(rows),
    }))
}

/// A batch in the file schema with the partition columns appended.
fn with_partition_columns(
    schema: &SchemaRef,
    file_types: &SchemaRef,
    key: &PartitionKey,
    batch: &RecordBatch,
) -> Result<RecordBatch, QueryError> {
    let n = batch.num_rows();
    let date = key.date.format("%Y-%m-%d").to_string();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns.push(Arc::new(StringArray::from(vec![key.tenant.as_str(); n])));
    columns.push(Arc::new(StringArray::from(vec![date.as_str(); n])));
    let plain = RecordBatch::try_new(Arc::clone(file_types), columns)?;
    Ok(text_types::cast_to(&plain, schema)?)
}

/// The union of a table's files and its unflushed rows.
#[derive(Debug)]
struct FilesAndRows {
    schema: SchemaRef,
    files: Arc<dyn TableProvider>,
    rows: Arc<MemTable>,
}

#[async_trait]
impl TableProvider for FilesAndRows {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Filters still go to both sides (the files prune partitions with
    /// them), but are applied again above the union: the rows in memory
    /// are not filtered by their scan.
    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        // A limit cannot be passed down: filters are applied above.
        let limit = filters.is_empty().then_some(limit).flatten();
        let files = self.files.scan(state, projection, filters, limit).await?;
        let rows = self.rows.scan(state, projection, filters, limit).await?;
        UnionExec::try_new(vec![files, rows])
    }
}
