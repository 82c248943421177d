//! The OpenAPI 3.1 description of the API, served at
//! `/api/v1/openapi.json`. It is built from the same route list as the
//! router (utoipa-axum), so every route is described and nothing else;
//! each operation's `bearer` security lists the roles that may call it.

use serde::Serialize;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

/// The body of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Why the request was refused or failed.
    pub error: String,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "bannin API",
        description = "番人 bannin: the alert queue for 24-hour monitoring, source health, \
                       detection rules, ad-hoc SQL and ingest for Japanese local governments. \
                       Every /api/v1 route and /metrics needs `Authorization: Bearer <token>` \
                       (`bannin token create`); a token's role decides which routes it may use \
                       (listed as the scopes of its `bearer` security) and its tenant which \
                       data it sees."
    ),
    modifiers(&Bearer),
    components(schemas(ErrorBody)),
    tags(
        (name = "alerts", description = "The alert queue and its lifecycle"),
        (name = "sources", description = "Log source health"),
        (name = "rules", description = "Detection rules"),
        (name = "query", description = "Read-only SQL over the lake"),
        (name = "ingest", description = "Records over HTTP"),
        (name = "notifications", description = "Webhook and mail delivery"),
        (name = "audit", description = "Who did what (admin and auditor)"),
        (name = "operations", description = "Health, readiness, metrics")
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the operations refer to.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("bnn_<id>_<secret>")
            .description(Some("A bannin API token (`bannin token create`)"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Adds what the token check answers (401, 403, 429) to every operation
/// behind it, so the handlers describe only their own answers.
pub fn add_refusals(document: &mut Document) {
    let refusals = [
        ("401", "No token, or not a live one"),
        ("403", "The token's role may not use this route"),
        ("429", "Too many failed authentications from this address"),
    ];
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            if operation.security.is_none() {
                continue;
            }
            for (code, description) in refusals {
                let body = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build();
                let response = ResponseBuilder::new()
                    .description(description)
                    .content("application/json", body)
                    .build();
                operation
                    .responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert(RefOr::T(response));
            }
        }
    }
}
