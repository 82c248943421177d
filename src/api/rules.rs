//! `GET /api/v1/rules`: every rule with whether it runs, why (default,
//! the configuration, or a switch by whom and when) and its last run;
//! `POST /api/v1/rules/{id}/enable|disable` switches a rule at run time
//! (admin over every tenant only — a rule runs for every tenant). The
//! running scheduler obeys a switch at its next tick; switches survive
//! restarts and are written to the audit log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bannin_rules::runs::RunLog;
use bannin_rules::state::{RuleState, rule_states, switch};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, blocking};
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
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn list(State(state): State<AppState>) -> Result<Json<RuleList>, ApiError> {
    let path = state.data.alerts();
    let rules = blocking(move || {
        let log = RunLog::open(&path)?;
        Ok(rule_states(&state.rules.rules, &state.rules.tuning, &log)?)
    })
    .await?;
    Ok(Json(RuleList { rules }))
}

#[utoipa::path(
    post,
    path = "/api/v1/rules/{id}/{change}",
    tag = "rules",
    summary = "Switch a rule on or off (all-tenants admin tokens only)",
    params(
        ("id" = String, Path, description = "The rule id"),
        ("change" = String, Path, description = "enable or disable")
    ),
    responses(
        (status = 200, description = "The rule's state afterwards", body = RuleState),
        (status = 400, description = "Neither enable nor disable", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 403, description = "The token's role may not use this route, or it sees one tenant only", body = ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn switch_rule(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, change)): Path<(String, String)>,
) -> Result<Json<RuleState>, ApiError> {
    let enabled = match change.as_str() {
        "enable" => true,
        "disable" => false,
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown change `{other}` (known: enable, disable)"
            )));
        }
    };
    if caller.scope.tenant().is_some() {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            message: "a rule runs for every tenant: only an all-tenants admin token switches it"
                .into(),
        });
    }
    let path = state.data.alerts();
    let switched = blocking(move || {
        let mut log = RunLog::open(&path)?;
        let rules = &state.rules;
        let (all, tuning) = (&rules.rules, &rules.tuning);
        Ok(switch(
            &mut log,
            all,
            tuning,
            &id,
            enabled,
            &caller.name,
            Utc::now(),
        )?)
    })
    .await?;
    Ok(Json(switched))
}
