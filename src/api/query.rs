//! `POST /api/v1/query`: a read-only SQL query over the lake.
//!
//! The body is `{"sql": "...", "format": "json" | "csv" | "arrow",
//! "tenant": "..."}` (format defaults to json). Answers:
//! - json: `{"columns": [{"name", "type"}], "rows": [{column: value}],
//!   "row_count": n}` (types as Arrow names them, e.g. `Utf8`,
//!   `Timestamp(µs, "UTC")`);
//! - csv: `text/csv` with a header row;
//! - arrow: an Arrow IPC stream (`application/vnd.apache.arrow.stream`).
//!
//! A query that fails to plan or run, or is not read-only, is a 400 with
//! `{"error": reason}`; a body that is not such JSON is a 400 too, and one
//! larger than [`MAX_BODY_BYTES`] a 413.
//!
//! The query runs in the caller's tenant scope; an all-tenants token may
//! narrow it to one tenant with the optional `tenant` field (a tenant
//! token asking for another tenant is refused). Admin and auditor tokens
//! also see the audit log as `bannin_audit`. Every query is audited.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bannin_query::arrow::array::RecordBatch;
use bannin_query::{OutputFormat, QueryError, output, rows};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::AppState;
use super::auth::{Caller, Client};
use super::error::ApiError;
use super::openapi::ErrorBody;
use crate::auth::Scope;

/// Largest request body (the SQL text and its envelope).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    sql: String,
    #[serde(default)]
    format: Option<String>,
    /// Narrows an all-tenants token to one tenant.
    #[serde(default)]
    tenant: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/query",
    tag = "query",
    summary = "A read-only SQL query over the lake, in the token's tenants",
    request_body = QueryRequest,
    responses(
        (status = 200, description = "JSON {columns, rows, row_count, truncated}; CSV; or an Arrow IPC stream", body = Object),
        (status = 400, description = "The SQL cannot be planned or run, or is not read-only", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn query(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Client(client): Client,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        message: e.body_text(),
    })?;
    let request: QueryRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("body is not a query request: {e}")))?;
    let format = match request.format.as_deref().unwrap_or("json") {
        "json" => None,
        "csv" => Some(OutputFormat::Csv),
        "arrow" => Some(OutputFormat::Arrow),
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown format `{other}` (known: json, csv, arrow)"
            )));
        }
    };
    let mut who = caller;
    if let Some(tenant) = request.tenant.as_deref() {
        if !who.scope.sees(tenant) {
            return Err(ApiError {
                status: StatusCode::FORBIDDEN,
                message: format!("tenant `{tenant}` is outside this token's scope"),
            });
        }
        who.scope = Scope::Tenant(tenant.to_owned());
    }
    let client = client.map(|c| c.to_string());
    let result = state
        .query
        .run_as(&who, &request.sql, "api", client)
        .await
        .map_err(query_error)?;
    let batches = result.batches;
    match format {
        None => Ok(Json(json_result(&batches, result.truncated)?).into_response()),
        Some(format) => {
            let mut bytes = Vec::new();
            output::write(&batches, format, &mut bytes).map_err(ApiError::internal)?;
            let content_type = match format {
                OutputFormat::Arrow => "application/vnd.apache.arrow.stream",
                _ => "text/csv; charset=utf-8",
            };
            Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
        }
    }
}

fn json_result(batches: &[RecordBatch], truncated: bool) -> Result<Value, ApiError> {
    let columns: Vec<Value> = batches
        .first()
        .map(|b| {
            b.schema()
                .fields()
                .iter()
                .map(|f| json!({ "name": f.name(), "type": f.data_type().to_string() }))
                .collect()
        })
        .unwrap_or_default();
    let rows = rows::to_json_rows(batches).map_err(ApiError::internal)?;
    Ok(json!({
        "columns": columns,
        "row_count": rows.len(),
        "truncated": truncated,
        "rows": rows,
    }))
}

/// The query's own fault (SQL, refused statement, limits) is a 400.
fn query_error(e: QueryError) -> ApiError {
    match e {
        // The query's own fault: its SQL, what it asked for, its size.
        QueryError::DataFusion(_)
        | QueryError::UnknownFormat(_)
        | QueryError::Refused(_)
        | QueryError::Tenant(_)
        | QueryError::TimeLimit(_)
        | QueryError::MemoryLimit { .. }
        | QueryError::TooManyRows(_) => ApiError::bad_request(e.to_string()),
        other => ApiError::internal(other),
    }
}
