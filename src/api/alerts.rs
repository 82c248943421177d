//! `GET /api/v1/alerts`: the alert queue, newest activity first.

use axum::Json;
use axum::extract::{Query, State};
use bannin_rules::{Alert, AlertFilter, AlertStore};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::ApiError;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// At most this many alerts (default 100, at most 1000).
    limit: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct AlertList {
    alerts: Vec<Alert>,
    total: u64,
}

pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<AlertList>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let path = state.data.alerts();
    let list = tokio::task::spawn_blocking(move || -> Result<AlertList, ApiError> {
        if !path.exists() {
            return Ok(AlertList {
                alerts: Vec::new(),
                total: 0,
            });
        }
        let store = AlertStore::open(&path).map_err(ApiError::internal)?;
        Ok(AlertList {
            alerts: store
                .list(&AlertFilter {
                    limit: Some(limit),
                    ..AlertFilter::default()
                })
                .map_err(ApiError::internal)?,
            total: store.count().map_err(ApiError::internal)?,
        })
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(Json(list))
}
