//! The alert queue: `GET /api/v1/alerts` (newest activity first, filtered
//! and paged), `GET /api/v1/alerts/{id}` (one alert with its evidence,
//! comments and history) and `POST /api/v1/alerts/{id}/{action}` (ack,
//! assign, comment, resolve, false_positive, reopen). A token scoped to a
//! tenant sees only that tenant's alerts; another tenant's alert is "not
//! found", never "forbidden", so ids do not leak.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use bannin_rules::store::AlertDetail;
use bannin_rules::{Action, Alert, AlertFilter, AlertStatus, AlertStore, RulesError, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::{AuditNote, Caller};
use super::error::{ApiError, blocking};
use super::openapi::ErrorBody;
use crate::auth::Scope;

/// Largest body of an action (a comment or a reason).
pub const MAX_ACTION_BODY_BYTES: usize = 64 * 1024;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// At most this many alerts (default 100, at most 1000).
    limit: Option<usize>,
    /// Skip this many first.
    #[serde(default)]
    offset: usize,
    /// Comma-separated statuses: new, acknowledged, resolved, false_positive.
    status: Option<String>,
    /// Comma-separated severities: low, medium, high, critical.
    severity: Option<String>,
    rule: Option<String>,
    tenant: Option<String>,
    /// Last seen at or after (RFC 3339).
    since: Option<String>,
    /// Last seen before (RFC 3339).
    until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertList {
    alerts: Vec<Alert>,
    /// Alerts matching the filter (all pages).
    total: u64,
}

fn list_of<T>(
    text: Option<&str>,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<Vec<T>>, ApiError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    text.split(',')
        .map(|item| {
            let item = item.trim();
            parse(item).ok_or_else(|| ApiError::bad_request(format!("unknown {what} `{item}`")))
        })
        .collect::<Result<Vec<T>, _>>()
        .map(Some)
}

pub fn time(text: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| ApiError::bad_request(format!("{what} must be RFC 3339: {e}")))
    })
    .transpose()
}

impl ListParams {
    fn filter(&self, scope: &Scope) -> Result<AlertFilter, ApiError> {
        Ok(AlertFilter {
            statuses: list_of(self.status.as_deref(), "status", |s| {
                s.parse::<AlertStatus>().ok()
            })?,
            severities: list_of(self.severity.as_deref(), "severity", Severity::from_name)?,
            rule_id: self.rule.clone(),
            tenants: scope.narrow(self.tenant.as_deref()),
            since: time(self.since.as_deref(), "since")?,
            until: time(self.until.as_deref(), "until")?,
            limit: Some(self.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT)),
            offset: self.offset,
            ..AlertFilter::default()
        })
    }
}

/// Runs `read` over the alert store off the async threads; `None` when
/// no rule ever stored an alert.
pub async fn read_store<T: Send + 'static>(
    state: &AppState,
    read: impl FnOnce(&AlertStore) -> Result<T, RulesError> + Send + 'static,
) -> Result<Option<T>, ApiError> {
    let path = state.data.alerts();
    blocking(move || {
        if !path.exists() {
            return Ok(None);
        }
        let store = AlertStore::open(&path)?;
        Ok(Some(read(&store)?))
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts",
    tag = "alerts",
    summary = "The alert queue, newest activity first",
    params(ListParams),
    responses(
        (status = 200, body = AlertList),
        (status = 400, description = "A parameter is invalid; the reason is in `error`", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<AlertList>, ApiError> {
    let filter = params.filter(&caller.scope)?;
    let list = read_store(&state, move |store| {
        Ok(AlertList {
            alerts: store.list(&filter)?,
            total: store.counts(&filter)?.total,
        })
    })
    .await?;
    Ok(Json(list.unwrap_or(AlertList {
        alerts: Vec::new(),
        total: 0,
    })))
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts/{id}",
    tag = "alerts",
    summary = "One alert with its evidence, comments and history",
    params(("id" = String, Path, description = "The alert id")),
    responses(
        (status = 200, body = AlertDetail),
        (status = 404, description = "No such alert in the token's tenants", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> Result<Json<AlertDetail>, ApiError> {
    let what = format!("alert {id}");
    read_store(&state, move |store| store.get(&id))
        .await?
        .flatten()
        .filter(|detail| caller.scope.sees(&detail.alert.tenant))
        .map(Json)
        .ok_or_else(|| ApiError::not_found(&what))
}

/// The body of an action; which fields count depends on the action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// `assign`: who takes it (blank clears the assignee).
    assignee: Option<String>,
    /// `comment`: the text.
    text: Option<String>,
    /// `resolve`, `false_positive`: why (kept as a comment).
    reason: Option<String>,
}

impl ActionRequest {
    fn action(self, name: &str) -> Result<Action, ApiError> {
        let missing = |field: &str| ApiError::bad_request(format!("`{name}` needs `{field}`"));
        Ok(match name {
            "ack" | "acknowledge" => Action::Acknowledge,
            "assign" => Action::Assign(self.assignee.ok_or_else(|| missing("assignee"))?),
            "comment" => Action::Comment(self.text.ok_or_else(|| missing("text"))?),
            "resolve" => Action::Resolve(self.reason),
            "false_positive" => Action::FalsePositive(self.reason),
            "reopen" => Action::Reopen,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown action `{other}` (known: ack, assign, comment, resolve, \
                     false_positive, reopen)"
                )));
            }
        })
    }
}

/// Applies an action as the caller and answers with the alert afterwards.
#[utoipa::path(
    post,
    path = "/api/v1/alerts/{id}/{action}",
    tag = "alerts",
    summary = "Acknowledge, assign, comment, resolve, mark false positive or reopen",
    params(("id" = String, Path, description = "The alert id"), ("action" = String, Path, description = "ack, assign, comment, resolve, false_positive or reopen")),
    request_body = Option<ActionRequest>,
    responses(
        (status = 200, description = "The alert after the action", body = AlertDetail),
        (status = 400, description = "A parameter is invalid; the reason is in `error`", body = ErrorBody),
        (status = 404, description = "No such alert in the token's tenants", body = ErrorBody),
        (status = 409, description = "The action is not allowed in the alert's status", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 KiB", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst"]))
)]
pub async fn act(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, name)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Extension<AuditNote>, Json<AlertDetail>), ApiError> {
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        message: e.body_text(),
    })?;
    let request: ActionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ActionRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("body is not an action request: {e}")))?
    };
    let action = request.action(&name)?;
    let mut note = AuditNote::detail(format!("{action:?}"));
    let path = state.data.alerts();
    let not_found = ApiError::not_found(&format!("alert {id}"));
    let detail = blocking(move || {
        if !path.exists() {
            return Ok(None);
        }
        let mut store = AlertStore::open(&path)?;
        match store.get(&id)? {
            Some(detail) if caller.scope.sees(&detail.alert.tenant) => {}
            _ => return Ok(None),
        }
        store.act(&id, action, &caller.name, Utc::now())?;
        Ok(store.get(&id)?)
    })
    .await?;
    let detail = detail.ok_or(not_found)?;
    state.alert_changed.notify_waiters();
    note.tenant = Some(detail.alert.tenant.clone());
    Ok((Extension(note), Json(detail)))
}
