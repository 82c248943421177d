//! The alert queue: `GET /api/v1/alerts` (newest activity first, filtered
//! and paged) and `GET /api/v1/alerts/{id}` (one alert with its evidence,
//! comments and history).

use axum::Json;
use axum::extract::{Path, Query, State};
use bannin_rules::store::AlertDetail;
use bannin_rules::{Alert, AlertFilter, AlertStatus, AlertStore, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::ApiError;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Serialize)]
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

fn time(text: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| ApiError::bad_request(format!("{what} must be RFC 3339: {e}")))
    })
    .transpose()
}

impl ListParams {
    fn filter(&self) -> Result<AlertFilter, ApiError> {
        Ok(AlertFilter {
            statuses: list_of(self.status.as_deref(), "status", |s| {
                s.parse::<AlertStatus>().ok()
            })?,
            severities: list_of(self.severity.as_deref(), "severity", Severity::from_name)?,
            rule_id: self.rule.clone(),
            tenants: self.tenant.clone().map(|t| vec![t]),
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
async fn read_store<T: Send + 'static>(
    state: &AppState,
    read: impl FnOnce(&AlertStore) -> Result<T, bannin_rules::RulesError> + Send + 'static,
) -> Result<Option<T>, ApiError> {
    let path = state.data.alerts();
    tokio::task::spawn_blocking(move || {
        if !path.exists() {
            return Ok(None);
        }
        let store = AlertStore::open(&path).map_err(ApiError::internal)?;
        read(&store).map(Some).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)?
}

pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<AlertList>, ApiError> {
    let filter = params.filter()?;
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

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AlertDetail>, ApiError> {
    let what = format!("alert {id}");
    read_store(&state, move |store| store.get(&id))
        .await?
        .flatten()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(&what))
}
