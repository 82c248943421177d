//! `GET /api/v1/alerts/stream`: new and changed alerts as server-sent
//! events, for the monitoring desk's screen. Each event is one change of
//! the alert change feed (`event: alert`, `id:` the change's sequence
//! number, `data:` the change with the alert as it is now), of the
//! caller's tenants only. A client that reconnects with `Last-Event-ID`
//! (browsers do) or `?after=N` gets every change it missed; without
//! either it gets what happens from now on.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use bannin_rules::{AlertChange, AlertStore};
use futures::Stream;
use serde::Deserialize;
use tokio::sync::Notify;
use utoipa::IntoParams;

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::ErrorBody;

/// How often the feed is read when nothing wakes the stream (changes made
/// by other processes, the scheduler's).
const POLL: Duration = Duration::from_secs(1);
/// Changes sent per read at most.
const PAGE: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// Resume after this change (as `Last-Event-ID`).
    after: Option<i64>,
}

/// Counts the open streams; a stream's guard is dropped when its client
/// goes away, whatever the reason.
#[derive(Debug)]
struct Open(Arc<AtomicUsize>);

impl Open {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(count))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One stream's position.
struct Cursor {
    state: AppState,
    tenants: Option<Vec<String>>,
    next: i64,
    wake: Arc<Notify>,
    pending: std::collections::VecDeque<Event>,
    _open: Open,
}

impl Cursor {
    async fn read(&mut self) -> Result<(), String> {
        let path = self.state.data.alerts();
        let (next, tenants) = (self.next, self.tenants.clone());
        let page = tokio::task::spawn_blocking(move || {
            if !path.exists() {
                return Ok(None);
            }
            let store = AlertStore::open(&path)?;
            store
                .changes_after(next, tenants.as_deref(), PAGE)
                .map(Some)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        let Some(page) = page else {
            return Ok(());
        };
        self.next = page.next;
        for change in page.changes {
            let event = Event::default()
                .event("alert")
                .id(change.seq.to_string())
                .json_data(&change)
                .map_err(|e| e.to_string())?;
            self.pending.push_back(event);
        }
        Ok(())
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/alerts/stream",
    tag = "alerts",
    summary = "New and changed alerts as server-sent events (event: alert, id: change number, data: the change)",
    params(StreamParams, ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this change")),
    responses(
        (status = 200, description = "An event stream of AlertChange", body = AlertChange, content_type = "text/event-stream"),
        (status = 400, description = "Last-Event-ID is not a change number", body = ErrorBody),
    ),
    security(("bearer" = ["admin", "analyst", "auditor"]))
)]
pub async fn alerts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<StreamParams>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("Last-Event-ID must be a change number"))
        })
        .transpose()?
        .or(params.after);
    let next = match resume {
        Some(after) => after.max(0),
        None => super::alerts::read_store(&state, |store| store.last_change())
            .await?
            .unwrap_or(0),
    };
    let cursor = Cursor {
        tenants: caller.scope.tenants(),
        next,
        wake: Arc::clone(&state.alert_changed),
        pending: Default::default(),
        _open: Open::new(&state.streams),
        state,
    };
    let events = futures::stream::unfold(cursor, |mut cursor| async move {
        loop {
            if let Some(event) = cursor.pending.pop_front() {
                return Some((Ok(event), cursor));
            }
            if let Err(e) = cursor.read().await {
                tracing::warn!(error = %e, "alert stream cannot read the change feed");
                let event = Event::default().event("error").data(e);
                tokio::time::sleep(POLL).await;
                return Some((Ok(event), cursor));
            }
            if cursor.pending.is_empty() {
                let wake = Arc::clone(&cursor.wake);
                let _ = tokio::time::timeout(POLL, wake.notified()).await;
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
