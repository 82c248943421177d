//! `POST /api/v1/ingest?format=F&source=S`: records over HTTP, for cloud
//! pullers and scripts. The body is a JSON array (one record per element),
//! a JSON object (one record), or lines — NDJSON or raw log lines — and
//! may be gzip-compressed (`Content-Encoding: gzip`). The answer is 200
//! only once every record is durable in the write-ahead log; a body that
//! cannot be read is a 4xx with the reason, and nothing of it is kept.
//! A tenant-scoped token may send only for sources of its tenant.

use std::io::Read;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use bannin_ingest::Format;
use bannin_ingest::pipeline::Pipeline;
use bannin_ingest::wal::Entry;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::ErrorBody;

/// Largest body accepted on the wire.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Largest body after gzip decoding.
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;
/// Longest source name (it is stored with every record).
const MAX_SOURCE_CHARS: usize = 128;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IngestParams {
    /// The records' format (default `auto`).
    format: Option<String>,
    /// The source name stored with the records (default `http`).
    source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Records accepted (durable in the WAL).
    accepted: usize,
    /// WAL sequence number of the last one.
    lsn: u64,
}

#[utoipa::path(
    post,
    path = "/api/v1/ingest",
    tag = "ingest",
    summary = "Send records (JSON array or object, NDJSON or raw lines; gzip allowed)",
    params(IngestParams),
    request_body(content = String, description = "The records: a JSON array or object (application/json), or NDJSON or raw log lines", content_type = "text/plain"),
    responses(
        (status = 200, description = "Every record is durable in the write-ahead log", body = Accepted),
        (status = 400, description = "A parameter is invalid; the reason is in `error`", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 503, description = "Records cannot be accepted now (e.g. a full disk)", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "ingest"]))
)]
pub async fn ingest(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<IngestParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Accepted>, ApiError> {
    let pipeline: Arc<Pipeline> = state.pipeline.clone().ok_or_else(|| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "ingest is not running in this server".into(),
    })?;
    let format = match params.format.as_deref() {
        None => Format::Auto,
        Some(name) => name
            .parse()
            .map_err(|e| ApiError::bad_request(format!("{e}")))?,
    };
    let source = params.source.unwrap_or_else(|| "http".into());
    if source.is_empty() || source.chars().count() > MAX_SOURCE_CHARS {
        return Err(ApiError::bad_request(format!(
            "source must be 1 to {MAX_SOURCE_CHARS} characters"
        )));
    }
    let tenant = pipeline.tenant_of(&source);
    if !caller.scope.sees(&tenant) {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            message: format!(
                "source `{source}` sends for tenant `{tenant}`, outside this token's scope \
                 (configure the source with tenant = \"{}\" in [[sources]])",
                caller.scope
            ),
        });
    }
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let max_record = state.max_record_bytes;
    let entries = tokio::task::spawn_blocking(move || -> Result<Vec<Entry>, ApiError> {
        let body = if gzip { gunzip(&body)? } else { body.to_vec() };
        let records = if json {
            json_records(&body)?
        } else {
            lines(&body)
        };
        if records.is_empty() {
            return Err(ApiError::bad_request("the body holds no records"));
        }
        let received_at = Utc::now();
        let source: std::sync::Arc<str> = source.into();
        Ok(records
            .into_iter()
            .map(|record| Entry {
                received_at,
                source: std::sync::Arc::clone(&source),
                truncated_from: (record.len() > max_record).then_some(record.len() as u64),
                bytes: record
                    .get(..record.len().min(max_record))
                    .unwrap_or_default()
                    .to_vec(),
                format: Some(format),
            })
            .collect())
    })
    .await
    .map_err(ApiError::internal)??;
    let accepted = entries.len();
    let lsn = tokio::task::spawn_blocking(move || pipeline.accept(&entries))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: format!("not accepted: {e}"),
        })?;
    Ok(Json(Accepted { accepted, lsn }))
}

/// Decodes a gzip body, refusing one that inflates beyond the limit.
fn gunzip(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .take(MAX_DECODED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| ApiError::bad_request(format!("body is not valid gzip: {e}")))?;
    if out.len() as u64 > MAX_DECODED_BYTES {
        return Err(ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!("body inflates beyond {MAX_DECODED_BYTES} bytes"),
        });
    }
    Ok(out)
}

/// A JSON array (each element a record, as sent) or one JSON value.
fn json_records(body: &[u8]) -> Result<Vec<Vec<u8>>, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_request(format!("JSON body is not UTF-8: {e}")))?;
    let value: &RawValue = serde_json::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("body is not JSON: {e}")))?;
    if value.get().trim_start().starts_with('[') {
        let elements: Vec<&RawValue> = serde_json::from_str(value.get())
            .map_err(|e| ApiError::bad_request(format!("body is not a JSON array: {e}")))?;
        Ok(elements
            .into_iter()
            .map(|e| e.get().as_bytes().to_vec())
            .collect())
    } else {
        Ok(vec![value.get().as_bytes().to_vec()])
    }
}

/// Non-empty lines (NDJSON or raw log lines), without `\r`.
fn lines(body: &[u8]) -> Vec<Vec<u8>> {
    body.split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::to_vec)
        .collect()
}
