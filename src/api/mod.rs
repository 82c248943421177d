//! The HTTP API (`/api/v1`, JSON) and the embedded web console.

mod alerts;
mod console;
mod error;
mod health;

use axum::Router;
use axum::routing::get;

use crate::config::DataDir;

/// Shared state of the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    pub data: DataDir,
}

pub fn router(data: DataDir) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/alerts", get(alerts::list))
        .fallback(console::asset)
        .with_state(AppState { data })
}
