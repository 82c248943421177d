//! `GET /api/v1/audit`: the self-audit log, newest first, for admin and
//! auditor tokens (a tenant token reads its tenant's rows only). Filters:
//! `since`, `until` (RFC 3339), `actor`, `limit` (default 100, at most
//! 1000). The same rows are the SQL table `bannin_audit`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::alerts::time;
use super::auth::Caller;
use super::error::{ApiError, blocking};
use super::openapi::ErrorBody;
use crate::auth::{AuditFilter, AuditRow};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    since: Option<String>,
    until: Option<String>,
    actor: Option<String>,
    limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    entries: Vec<AuditRow>,
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    summary = "The self-audit log, newest first",
    params(AuditParams),
    responses(
        (status = 200, body = AuditList),
        (status = 400, description = "A parameter is invalid; the reason is in `error`", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "auditor"]))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditList>, ApiError> {
    let filter = AuditFilter {
        scope: caller.scope,
        since: time(params.since.as_deref(), "since")?,
        until: time(params.until.as_deref(), "until")?,
        actor: params.actor,
        limit: Some(params.limit.unwrap_or(100).min(1000)),
    };
    let store = Arc::clone(&state.auth.store);
    let entries = blocking(move || Ok(store.audit_rows(&filter)?)).await?;
    Ok(Json(AuditList { entries }))
}
