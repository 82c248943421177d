//! The HTTP API (`/api/v1`, JSON) and the embedded web console.

mod alerts;
mod audit;
pub mod auth;
mod console;
mod error;
mod handover;
mod health;
mod ingest;
mod metrics;
mod notifications;
mod openapi;
mod query;
mod rules;
mod sources;
mod stream;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use axum::{Json, Router};
use bannin_ingest::listen::Endpoint;
use bannin_ingest::pipeline::Pipeline;
use tokio::sync::Notify;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use self::auth::{Guard, authorize};
use crate::auth::Gate;
use crate::auth::Role::{self, Admin, Analyst, Auditor, Ingest};
use crate::config::DataDir;
use crate::query_access::QueryAccess;

/// Who may use each group of routes (docs/api.md has the matrix).
pub mod roles {
    use super::*;
    /// Reading alerts, sources, rules, SQL, metrics.
    pub const READERS: &[Role] = &[Admin, Analyst, Auditor];
    /// Acting on alerts.
    pub const RESPONDERS: &[Role] = &[Admin, Analyst];
    /// Switching rules on and off.
    pub const ADMINS: &[Role] = &[Admin];
    /// Reading the audit log.
    pub const AUDITORS: &[Role] = &[Admin, Auditor];
    /// Sending records.
    pub const SENDERS: &[Role] = &[Admin, Ingest];
}

/// Where the OpenAPI document is served (no token needed).
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub data: DataDir,
    /// The durable ingest pipeline, when this server receives records.
    pub pipeline: Option<Arc<Pipeline>>,
    /// The syslog listeners running, with their counters.
    pub endpoints: Arc<Vec<Endpoint>>,
    /// Sessions for `POST /api/v1/query`.
    pub query: QueryAccess,
    /// Longer records are cut to this and kept as `unparsed`.
    pub max_record_bytes: usize,
    /// Tokens, throttling and the audit log.
    pub auth: Gate,
    /// Woken when this process changes an alert (the streams then read
    /// the feed at once instead of at their next poll).
    pub alert_changed: Arc<Notify>,
    /// Open alert streams.
    pub streams: Arc<AtomicUsize>,
    /// The rules this server runs and their tuning (for `/api/v1/rules`).
    pub rules: Arc<RuleSet>,
}

/// The loaded rules and the configuration's tuning of them.
#[derive(Default)]
pub struct RuleSet {
    pub rules: Vec<bannin_rules::Rule>,
    pub tuning: bannin_rules::Tuning,
}

impl AppState {
    /// The state of a server over `data`, behind `gate`.
    pub fn new(
        data: DataDir,
        query: QueryAccess,
        gate: Gate,
        pipeline: Option<Arc<Pipeline>>,
        endpoints: Vec<Endpoint>,
        max_record_bytes: usize,
    ) -> Self {
        Self {
            auth: gate,
            data,
            pipeline,
            endpoints: Arc::new(endpoints),
            query,
            max_record_bytes,
            alert_changed: Arc::default(),
            streams: Arc::default(),
            rules: Arc::default(),
        }
    }

    /// With the rules of `config` for `/api/v1/rules`.
    pub fn with_rules(mut self, config: &crate::config::Config) -> anyhow::Result<Self> {
        self.rules = Arc::new(RuleSet {
            rules: config.rules.load()?,
            tuning: config.rules.tuning(),
        });
        Ok(self)
    }
}

/// `route` with its body limited to `bytes`.
fn limited(route: UtoipaMethodRouter<AppState>, bytes: usize) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = route;
    (
        schemas,
        paths,
        method_router.layer(DefaultBodyLimit::max(bytes)),
    )
}

/// The router and the OpenAPI document describing it, from one route list.
fn routes(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use roles::*;
    let guard = |roles| {
        from_fn_with_state(
            Guard {
                auth: state.auth.clone(),
                roles,
            },
            authorize,
        )
    };
    let readers = OpenApiRouter::new()
        .routes(routes!(alerts::list))
        .routes(routes!(stream::alerts))
        .routes(routes!(alerts::get))
        .routes(routes!(sources::list))
        .routes(routes!(rules::list))
        .routes(routes!(handover::summary))
        .routes(routes!(metrics::metrics))
        .routes(routes!(notifications::dead_letters))
        .routes(limited(routes!(query::query), query::MAX_BODY_BYTES))
        .route_layer(guard(READERS));
    let responders = OpenApiRouter::new()
        .routes(limited(routes!(alerts::act), alerts::MAX_ACTION_BODY_BYTES))
        .routes(routes!(notifications::retry))
        .route_layer(guard(RESPONDERS));
    let admins = OpenApiRouter::new()
        .routes(routes!(rules::switch_rule))
        .route_layer(guard(ADMINS));
    let auditors = OpenApiRouter::new()
        .routes(routes!(audit::list))
        .route_layer(guard(AUDITORS));
    let senders = OpenApiRouter::new()
        .routes(limited(routes!(ingest::ingest), ingest::MAX_BODY_BYTES))
        .route_layer(guard(SENDERS));
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .merge(readers)
        .merge(responders)
        .merge(auditors)
        .merge(admins)
        .merge(senders)
        .split_for_parts()
}

pub fn router(state: AppState) -> Router {
    let (router, mut document) = routes(&state);
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    openapi::add_refusals(&mut document);
    let document = Arc::new(document);
    router
        .route(
            OPENAPI_PATH,
            get(move || {
                let document = Arc::clone(&document);
                async move { Json((*document).clone()) }
            }),
        )
        .fallback(console::asset)
        .with_state(state)
}
