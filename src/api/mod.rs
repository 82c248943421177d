//! The HTTP API (`/api/v1`, JSON) and the embedded web console.

mod alerts;
mod console;
mod error;
mod health;
mod ingest;
mod notifications;
mod query;
mod sources;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use bannin_ingest::listen::Endpoint;
use bannin_ingest::pipeline::Pipeline;

use crate::config::DataDir;
use crate::query_access::QueryAccess;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub data: DataDir,
    /// The durable ingest pipeline, when this server receives records.
    pub pipeline: Option<Arc<Pipeline>>,
    /// The syslog listeners running, with their counters.
    pub endpoints: Arc<Vec<Endpoint>>,
    /// Sessions for `POST /api/v1/query`.
    pub query: QueryAccess,
    /// Longer records are cut to this and kept as `unparsed`.
    pub max_record_bytes: usize,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/alerts", get(alerts::list))
        .route("/api/v1/alerts/{id}", get(alerts::get))
        .route("/api/v1/sources", get(sources::list))
        .route(
            "/api/v1/notifications/dead-letters",
            get(notifications::dead_letters),
        )
        .route(
            "/api/v1/notifications/dead-letters/{id}/retry",
            post(notifications::retry),
        )
        .route(
            "/api/v1/ingest",
            post(ingest::ingest).layer(DefaultBodyLimit::max(ingest::MAX_BODY_BYTES)),
        )
        .route(
            "/api/v1/query",
            post(query::query).layer(DefaultBodyLimit::max(query::MAX_BODY_BYTES)),
        )
        .fallback(console::asset)
        .with_state(state)
}
