//! The bearer-token check in front of every `/api/v1` route: who is
//! calling (a live token), whether its role may use this route, throttling
//! of addresses that keep failing, and one `bannin_audit` row per request.
//!
//! A handler sees the caller as [`Caller`], and may tell the audit log
//! more than the request line through an [`AuditNote`] in its response.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::auth::{AuditEntry, Gate, Principal, Role};

/// The routes of one role group: the auth state and who may use them.
#[derive(Clone)]
pub struct Guard {
    pub auth: Gate,
    pub roles: &'static [Role],
}

/// The caller of a guarded route.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::internal("route is not behind the token check"))
    }
}

/// The client's address, when the server knows it.
#[derive(Debug, Clone, Copy)]
pub struct Client(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// What a handler adds to its request's audit row.
#[derive(Debug, Clone, Default)]
pub struct AuditNote {
    /// The tenant the request concerned, when the token sees several.
    pub tenant: Option<String>,
    /// The SQL text, an action's reason, …
    pub detail: Option<String>,
}

impl AuditNote {
    pub fn detail(detail: impl Into<String>) -> Self {
        Self {
            detail: Some(detail.into()),
            ..Self::default()
        }
    }
}

fn client_of(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn bearer(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn refusal(status: StatusCode, message: &str) -> Response {
    let mut response = ApiError {
        status,
        message: message.to_owned(),
    }
    .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The middleware of a role group.
pub async fn authorize(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    let auth = &guard.auth;
    let client = client_of(&request);
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let action = format!("{} {route}", request.method());
    let target = request.uri().to_string();
    if let Some(left) = client.and_then(|c| auth.throttle.refused(c, Instant::now())) {
        let mut response = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            "too many failed authentications from this address; wait and retry",
        );
        if let Ok(value) = HeaderValue::from_str(&left.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let Some(token) = bearer(&request) else {
        auth.failures.fetch_add(1, Ordering::Relaxed);
        return refusal(
            StatusCode::UNAUTHORIZED,
            "this route needs `Authorization: Bearer <token>` (bannin token create)",
        );
    };
    let principal = match auth.verify(token).await.map_err(ApiError::internal) {
        Ok(Some(principal)) => principal,
        Ok(None) => {
            auth.failures.fetch_add(1, Ordering::Relaxed);
            if let Some(client) = client {
                auth.throttle.failed(client, Instant::now());
            }
            auth.audit(AuditEntry {
                actor: "unknown".into(),
                action: action.clone(),
                target: Some(target),
                outcome: "denied: unknown or revoked token".into(),
                client: client.map(|c| c.to_string()),
                ..AuditEntry::default()
            })
            .await;
            return refusal(StatusCode::UNAUTHORIZED, "unknown or revoked token");
        }
        Err(e) => return e.into_response(),
    };
    let mut entry = AuditEntry::by(&principal, action);
    entry.target = Some(target);
    entry.client = client.map(|c| c.to_string());
    if !principal.is(guard.roles) {
        entry.outcome = format!("denied: role {}", principal.role);
        auth.audit(entry).await;
        let allowed: Vec<&str> = guard.roles.iter().map(|r| r.as_str()).collect();
        return refusal(
            StatusCode::FORBIDDEN,
            &format!(
                "a token with role {} may not use this route (allowed: {})",
                principal.role,
                allowed.join(", ")
            ),
        );
    }
    request.extensions_mut().insert(principal);
    let response = next.run(request).await;
    if let Some(note) = response.extensions().get::<AuditNote>() {
        if note.tenant.is_some() {
            entry.tenant.clone_from(&note.tenant);
        }
        entry.detail.clone_from(&note.detail);
    }
    let status = response.status();
    entry.outcome = if status.is_success() {
        "ok".to_owned()
    } else {
        status.as_u16().to_string()
    };
    auth.audit(entry).await;
    response
}
