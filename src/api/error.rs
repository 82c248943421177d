//! API errors: a status code and a JSON body with the reason.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bannin_rules::RulesError;
use serde_json::json;

use crate::auth::store::AuthError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "request failed");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e.to_string(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: format!("{what} not found"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.message }))).into_response()
    }
}

/// Runs `work` (SQLite, file I/O) off the async threads.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}

/// The store's refusals are the caller's fault; the rest is ours.
impl From<RulesError> for ApiError {
    fn from(e: RulesError) -> Self {
        let status = match &e {
            RulesError::NotFound { .. } | RulesError::UnknownRule { .. } => StatusCode::NOT_FOUND,
            RulesError::Transition { .. } => StatusCode::CONFLICT,
            RulesError::Rejected { .. } | RulesError::BadQuery(_) => StatusCode::BAD_REQUEST,
            _ => return ApiError::internal(e),
        };
        ApiError {
            status,
            message: e.to_string(),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::internal(format!("{e:#}"))
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        ApiError::internal(e)
    }
}
