//! `GET /api/v1/handover?since=&until=&tenant=`: the shift-handover
//! summary (引き継ぎ) — alerts opened, acknowledged, resolved, marked
//! false positive and reopened in the period, who did what, and what is
//! still open — for the caller's tenants. `until` defaults to now and
//! `since` to twelve hours before `until` (one shift).

use axum::Json;
use axum::extract::{Query, State};
use bannin_rules::RulesError;
use bannin_rules::store::{Handover, HandoverQuery};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::AppState;
use super::alerts::time;
use super::auth::Caller;
use super::error::ApiError;

/// The default period: one twelve-hour shift.
const SHIFT: Duration = Duration::hours(12);

#[derive(Debug, Deserialize)]
pub struct HandoverParams {
    since: Option<String>,
    until: Option<String>,
    tenant: Option<String>,
}

pub async fn summary(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<HandoverParams>,
) -> Result<Json<Handover>, ApiError> {
    let until = time(params.until.as_deref(), "until")?.unwrap_or_else(Utc::now);
    let since = time(params.since.as_deref(), "since")?.unwrap_or(until - SHIFT);
    let query = HandoverQuery {
        since,
        until,
        tenants: caller.scope.narrow(params.tenant.as_deref()),
    };
    let path = state.data.alerts();
    let summary = tokio::task::spawn_blocking(move || {
        bannin_rules::AlertStore::open(&path)?.handover(&query)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        RulesError::BadQuery(_) => ApiError::bad_request(e.to_string()),
        other => ApiError::internal(other),
    })?;
    Ok(Json(summary))
}
