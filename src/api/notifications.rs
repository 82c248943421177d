//! The notification dead letters: `GET /api/v1/notifications/dead-letters`
//! lists deliveries given up (channel, alert, tenant, attempts, last
//! error, time); `POST /api/v1/notifications/dead-letters/{id}/retry`
//! queues one again with fresh attempts. A tenant token sees and retries
//! its tenant's only.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, blocking};
use super::openapi::ErrorBody;
use crate::notify::{self, DeadLetter};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterList {
    dead_letters: Vec<DeadLetter>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Retried {
    /// The dead letter as it was, now queued again.
    retried: DeadLetter,
}

#[utoipa::path(
    get,
    path = "/api/v1/notifications/dead-letters",
    tag = "notifications",
    summary = "Notifications given up after their retries",
    params(ListParams),
    responses(
        (status = 200, body = DeadLetterList),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn dead_letters(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<DeadLetterList>, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let data = state.data.clone();
    let tenants = caller.scope.tenants();
    let dead_letters =
        blocking(move || Ok(notify::dead_letters(&data, tenants.as_deref(), limit)?)).await?;
    Ok(Json(DeadLetterList { dead_letters }))
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/dead-letters/{id}/retry",
    tag = "notifications",
    summary = "Queue a dead letter again with fresh attempts",
    params(("id" = i64, Path, description = "The dead letter id")),
    responses(
        (status = 200, body = Retried),
        (status = 404, description = "No such dead letter in the token's tenants", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst"]))
)]
pub async fn retry(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Json<Retried>, ApiError> {
    let data = state.data.clone();
    let tenants = caller.scope.tenants();
    blocking(move || Ok(notify::retry(&data, id, tenants.as_deref())?))
        .await?
        .map(|retried| Json(Retried { retried }))
        .ok_or_else(|| ApiError::not_found(&format!("dead letter {id}")))
}
