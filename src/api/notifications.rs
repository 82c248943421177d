//! The notification dead letters: `GET /api/v1/notifications/dead-letters`
//! lists deliveries given up (channel, alert, tenant, attempts, last
//! error, time); `POST /api/v1/notifications/dead-letters/{id}/retry`
//! queues one again with fresh attempts. A tenant token sees and retries
//! its tenant's only.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use crate::notify::{self, DeadLetter};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct DeadLetterList {
    dead_letters: Vec<DeadLetter>,
}

#[derive(Debug, Serialize)]
pub struct Retried {
    /// The dead letter as it was, now queued again.
    retried: DeadLetter,
}

pub async fn dead_letters(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<DeadLetterList>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let data = state.data.clone();
    let dead_letters = tokio::task::spawn_blocking(move || {
        notify::dead_letters(&data, caller.scope.tenants().as_deref(), limit)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    Ok(Json(DeadLetterList { dead_letters }))
}

pub async fn retry(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Json<Retried>, ApiError> {
    let data = state.data.clone();
    tokio::task::spawn_blocking(move || notify::retry(&data, id, caller.scope.tenants().as_deref()))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("{e:#}")))?
        .map(|retried| Json(Retried { retried }))
        .ok_or_else(|| ApiError::not_found(&format!("dead letter {id}")))
}
