//! The web console's static files (from the `dashboards` crate).

use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

pub async fn asset(uri: Uri) -> Response {
    match bannin_dashboards::asset(uri.path()) {
        Some(asset) => ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response(),
        None => ApiError::not_found(uri.path()).into_response(),
    }
}
