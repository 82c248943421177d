//! `GET /healthz`: the process is up (liveness). `GET /readyz`: it can do
//! its work — the alert store and the token store open, the lake's
//! directory is there and, on a server that ingests, the pipeline accepts
//! — else 503 with what is wrong (readiness, for load balancers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

#[utoipa::path(get, path = "/healthz", tag = "operations", summary = "Liveness", responses((status = 200, description = "The process is up", body = Object)))]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

#[utoipa::path(get, path = "/readyz", tag = "operations", summary = "Readiness: the stores open and ingest accepts", responses((status = 200, description = "Ready", body = Object), (status = 503, description = "Not ready, with the problems", body = Object)))]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let data = state.data.clone();
    let auth = state.auth.store.clone();
    let checks = tokio::task::spawn_blocking(move || {
        let mut problems = Vec::new();
        if let Err(e) = bannin_rules::AlertStore::open(&data.alerts()) {
            problems.push(format!("alert store: {e}"));
        }
        if let Err(e) = auth.tokens() {
            problems.push(format!("token store: {e}"));
        }
        if !data.root().is_dir() {
            problems.push(format!(
                "data directory {} is missing",
                data.root().display()
            ));
        }
        problems
    })
    .await;
    let mut problems = checks.unwrap_or_else(|e| vec![format!("check failed: {e}")]);
    if let Some(pipeline) = &state.pipeline
        && let Some(failure) = pipeline.failure()
    {
        problems.push(format!("ingest: {failure}"));
    }
    if problems.is_empty() {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "problems": problems })),
        )
    }
}
