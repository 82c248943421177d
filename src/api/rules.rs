//! `GET /api/v1/rules`: every rule with whether it runs, why (default,
//! the configuration, or a switch by whom and when) and its last run;
//! `POST /api/v1/rules/{id}/enable|disable` switches a rule at run time
//! (admin over every tenant only — a rule runs for every tenant). The
//! running scheduler obeys a switch at its next tick; switches survive
//! restarts and are written to the audit log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bannin_rules::RulesError;
use bannin_rules::runs::RunLog;
use bannin_rules::state::{RuleState, rule_states, switch};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::ErrorBody;

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    rules: Vec<RuleState>,
}

#[utoipa::path(
    get,
    path = "/api/v1/rules",
    tag = "rules",
    summary = "Every rule: whether it runs, why, and its last run",
    responses(
        (status = 200, body = RuleList),
        (status = 401, description = "No token, or not a live one", body = ErrorBody),
        (status = 403, description = "The token's role may not use this route", body = ErrorBody),
        (status = 429, description = "Too many failed authentications from this address", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<RuleList>, ApiError> {
    let path = state.data.alerts();
    let rules = tokio::task::spawn_blocking(move || {
        let log = RunLog::open(&path)?;
        rule_states(&state.rules.rules, &state.rules.tuning, &log)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    Ok(Json(RuleList { rules }))
}

#[utoipa::path(
    post,
    path = "/api/v1/rules/{id}/enable",
    tag = "rules",
    summary = "Switch a rule on (all-tenants admin tokens only)",
    params(("id" = String, Path, description = "The rule id")),
    responses(
        (status = 200, body = RuleState),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 401, description = "No token, or not a live one", body = ErrorBody),
        (status = 403, description = "The token's role may not use this route", body = ErrorBody),
        (status = 429, description = "Too many failed authentications from this address", body = ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn enable(
    state: State<AppState>,
    caller: Caller,
    id: Path<String>,
) -> Result<Json<RuleState>, ApiError> {
    set(state, caller, id, true).await
}

#[utoipa::path(
    post,
    path = "/api/v1/rules/{id}/disable",
    tag = "rules",
    summary = "Switch a rule off (all-tenants admin tokens only)",
    params(("id" = String, Path, description = "The rule id")),
    responses(
        (status = 200, body = RuleState),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 401, description = "No token, or not a live one", body = ErrorBody),
        (status = 403, description = "The token's role may not use this route", body = ErrorBody),
        (status = 429, description = "Too many failed authentications from this address", body = ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn disable(
    state: State<AppState>,
    caller: Caller,
    id: Path<String>,
) -> Result<Json<RuleState>, ApiError> {
    set(state, caller, id, false).await
}

async fn set(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    enabled: bool,
) -> Result<Json<RuleState>, ApiError> {
    if caller.scope.tenant().is_some() {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            message: "a rule runs for every tenant: only an all-tenants admin token switches it"
                .into(),
        });
    }
    let path = state.data.alerts();
    let switched = tokio::task::spawn_blocking(move || {
        let mut log = RunLog::open(&path)?;
        let rules = &state.rules;
        switch(
            &mut log,
            &rules.rules,
            &rules.tuning,
            &id,
            enabled,
            &caller.name,
            Utc::now(),
        )
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        RulesError::UnknownRule { id } => ApiError::not_found(&format!("rule {id}")),
        other => ApiError::internal(other),
    })?;
    Ok(Json(switched))
}
