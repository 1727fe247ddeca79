//! The REST API: routes with Confluent's paths, request media types, responses in
//! `application/vnd.schemaregistry.v1+json`. Handlers are thin: they parse the path and query,
//! call the [`Registry`](crate::registry::Registry) and shape the JSON Confluent clients expect.
//!
//! The OpenAPI document is generated from the handlers (`#[utoipa::path]`, registered with
//! `utoipa_axum::routes!` so route and document come from one attribute) and served at
//! `GET /api/v1/openapi.json`. Errors are Confluent's `{"error_code", "message"}`, not
//! problem+json: Confluent clients parse that shape (docs/schema-registry.md).

pub mod compatibility;
pub mod config;
pub mod health;
pub mod media;
pub mod schemas;
pub mod subjects;

use axum::Router;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::registry::Registry;

/// The document's frame; the paths come from the router ([`documented`]).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS local schema registry",
        description = "The subset of the Confluent Schema Registry REST API that the OMS's \
                       clients use (Avro only, no references), for local runs and CI; \
                       production points at a real registry. See docs/schema-registry.md."
    ),
    tags(
        (name = "subjects", description = "Register, look up, list and delete subject versions"),
        (name = "schemas", description = "Schemas by global id"),
        (name = "compatibility", description = "Test a schema without registering it"),
        (name = "config", description = "Compatibility levels"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

/// The documented routes over one registry: (router, OpenAPI document).
pub fn documented(registry: Registry) -> (Router, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::root))
        .routes(routes!(health::ready))
        .routes(routes!(schemas::types))
        .routes(routes!(schemas::by_id))
        .routes(routes!(schemas::raw_by_id))
        .routes(routes!(schemas::versions))
        .routes(routes!(schemas::subjects))
        .routes(routes!(subjects::list))
        .routes(routes!(subjects::lookup, subjects::delete))
        .routes(routes!(subjects::versions, subjects::register))
        .routes(routes!(subjects::version, subjects::delete_version))
        .routes(routes!(subjects::raw_version_schema))
        .routes(routes!(compatibility::against_subject))
        .routes(routes!(compatibility::against_version))
        .routes(routes!(
            config::get_global,
            config::put_global,
            config::delete_global
        ))
        .routes(routes!(
            config::get_subject,
            config::put_subject,
            config::delete_subject
        ))
        .with_state(registry)
        .split_for_parts()
}

/// All routes over one registry, and the OpenAPI document.
pub fn router(registry: Registry) -> Router {
    let (router, document) = documented(registry);
    let document = std::sync::Arc::new(document);
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json((*document).clone()) }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TraceLayer::new_for_http())
}

async fn not_found() -> ApiError {
    ApiError::RouteNotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
