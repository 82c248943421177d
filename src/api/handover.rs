//! `GET /api/v1/handover?since=&until=&tenant=`: the shift-handover
//! summary (引き継ぎ) — alerts opened, acknowledged, resolved, marked
//! false positive and reopened in the period, who did what, and what is
//! still open — for the caller's tenants. `until` defaults to now and
//! `since` to twelve hours before `until` (one shift).

use axum::Json;
use axum::extract::{Query, State};
use bannin_rules::store::{Handover, HandoverQuery};
use chrono::{Duration, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::alerts::time;
use super::auth::Caller;
use super::error::{ApiError, blocking};
use super::openapi::ErrorBody;

/// The default period: one twelve-hour shift.
const SHIFT: Duration = Duration::hours(12);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HandoverParams {
    since: Option<String>,
    until: Option<String>,
    tenant: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/handover",
    tag = "alerts",
    summary = "The shift-handover summary of a period",
    params(HandoverParams),
    responses(
        (status = 200, body = Handover),
        (status = 400, description = "A parameter is invalid; the reason is in `error`", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
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
    let summary =
        blocking(move || Ok(bannin_rules::AlertStore::open(&path)?.handover(&query)?)).await?;
    Ok(Json(summary))
}
