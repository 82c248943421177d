//! `GET /api/v1/sources`: source health. Every configured source and every
//! source heard from, of the caller's tenants, by tenant and name: its expected cadence, when
//! it was last heard from, its counters (received, parsed, unparsed,
//! dropped) and whether it is silent now — no record for longer than its
//! expected interval (ログ収集途絶; the `source.silent` rule raises the
//! alert). An all-tenants token also sees each listener's counters since
//! the server started, including the datagrams the kernel dropped on a
//! UDP socket.

use axum::Json;
use axum::extract::State;
use bannin_ingest::listen::CountersSnapshot;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;

#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    tenant: String,
    name: String,
    segment: Option<String>,
    expected_interval_s: Option<i64>,
    last_seen: Option<DateTime<Utc>>,
    /// Seconds since `last_seen` (`None`: never heard from).
    silent_for_s: Option<i64>,
    /// No record for longer than `expected_interval_s`.
    silent: bool,
    received: i64,
    /// Bytes of the records received.
    bytes: i64,
    parsed: i64,
    unparsed: i64,
    dropped: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListenerStatus {
    listener: &'static str,
    address: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    counters: CountersSnapshot,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    sources: Vec<Source>,
    /// Silent sources among them.
    silent: usize,
    /// Only for all-tenants tokens (listeners serve every tenant).
    listeners: Vec<ListenerStatus>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sources",
    tag = "sources",
    summary = "Source health: cadence, last seen, counters, silent or not",
    responses(
        (status = 200, body = SourceList),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn list(State(state): State<AppState>, Caller(caller): Caller) -> Json<SourceList> {
    let now = Utc::now();
    let mut sources: Vec<Source> = state
        .query
        .source_health()
        .into_iter()
        .filter(|s| caller.scope.sees(&s.tenant))
        .map(|s| {
            let silent_for_s = s.last_seen.map(|t| (now - t).num_seconds().max(0));
            let silent = s.expected_interval_s.is_some_and(|expected| {
                silent_for_s.is_none_or(|silent_for| silent_for > expected)
            });
            Source {
                tenant: s.tenant,
                name: s.source,
                segment: s.segment,
                expected_interval_s: s.expected_interval_s,
                last_seen: s.last_seen,
                silent_for_s,
                silent,
                received: s.received,
                bytes: s.bytes,
                parsed: s.parsed,
                unparsed: s.unparsed,
                dropped: s.dropped,
            }
        })
        .collect();
    sources.sort_by(|a, b| (&a.tenant, &a.name).cmp(&(&b.tenant, &b.name)));
    let listeners = match caller.scope.tenant() {
        Some(_) => Vec::new(),
        None => state
            .endpoints
            .iter()
            .map(|e| ListenerStatus {
                listener: e.listener.name(),
                address: e.address.to_string(),
                counters: e.counters.snapshot(),
            })
            .collect(),
    };
    Json(SourceList {
        silent: sources.iter().filter(|s| s.silent).count(),
        sources,
        listeners,
    })
}
