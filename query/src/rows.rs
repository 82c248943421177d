//! Query results as JSON objects (for rule evidence and the API).

use datafusion::arrow::array::RecordBatch;
use serde_json::{Map, Value};

use crate::QueryError;
use crate::output::{OutputFormat, write};

/// One JSON object per result row, every column present (`null` if null).
pub fn to_json_rows(batches: &[RecordBatch]) -> Result<Vec<Map<String, Value>>, QueryError> {
    let mut ndjson = Vec::new();
    write(batches, OutputFormat::Json, &mut ndjson)?;
    ndjson
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| Ok(serde_json::from_slice(line)?))
        .collect()
}
