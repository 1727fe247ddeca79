//! The asset service's HTTP API, behind bearer authentication and scoped to the caller's
//! tenant (another tenant's asset is 404, never 403, so its existence does not leak):
//!
//! - `GET /api/v1/assets?customerId=&accountId=&status=&limit=&cursor=` (scope `assets:read`);
//! - `GET /api/v1/assets/{id}`: the asset with its history (scope `assets:read`);
//! - operator (`operator` scope): `GET /api/v1/asset-inconsistencies?status=&limit=&cursor=`,
//!   `POST /api/v1/asset-inconsistencies/{id}/resolve`, and the dead-letter routes
//!   `GET /ops/dead-letters`, `POST /ops/dead-letters/{id}/replay`.
//!
//! Open: `GET /api/v1/openapi.json` (generated from the handlers with utoipa). Health
//! (`/health/live`, `/health/ready`) and `/metrics` are added by the application, outside
//! authentication. docs/asset-api.md describes every route.

mod assets;
mod inconsistencies;
mod params;

use axum::Router;
use oms_runtime::http::Authenticator;
use oms_runtime::http::auth::require_operator;
use oms_runtime::http::openapi;
use sqlx::PgPool;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Scope that reads the installed base of the caller's tenant.
pub const ASSETS_READ: &str = "assets:read";

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
}

/// The document's frame; the paths come from the routers ([`documented`]).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS asset service",
        description = "The installed base of each tenant (assets and their append-only \
                       history), inconsistency cases for operators, and the service's dead \
                       letters. Every route is limited to the token's tenant; another \
                       tenant's asset is 404. See docs/asset-api.md."
    ),
    tags(
        (name = "assets", description = "The installed base"),
        (name = "operations", description = "Inconsistency cases"),
        (name = "dead letters", description = "Records the consumer could not apply"),
    )
)]
struct ApiDoc;

/// The documented routes: (router, OpenAPI document).
pub fn documented(
    state: ApiState,
    messages: Arc<oms_messaging::Router>,
) -> (Router, utoipa::openapi::OpenApi) {
    let readers = OpenApiRouter::new()
        .routes(routes!(assets::list))
        .routes(routes!(assets::get))
        .with_state(state.clone());
    let operators = OpenApiRouter::new()
        .routes(routes!(inconsistencies::list))
        .routes(routes!(inconsistencies::resolve))
        .with_state(state)
        .merge(oms_messaging::ops::dead_letter_routes(messages))
        .route_layer(axum::middleware::from_fn(require_operator));
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(readers)
        .merge(operators)
        .split_for_parts();
    (router, openapi::finish(document))
}

/// Every authenticated route of the service, and the OpenAPI document in the open.
pub fn routes(
    state: ApiState,
    authenticator: &Authenticator,
    messages: Arc<oms_messaging::Router>,
) -> Router {
    let (api, document) = documented(state, messages);
    authenticator.protect(api).merge(openapi::route(document))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_document_lists_every_route_with_its_errors() {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://postgres@127.0.0.1:1/none")
            .expect("lazy pool");
        let (_, document) = documented(ApiState { pool }, oms_messaging::Router::for_docs());
        assert_eq!(
            openapi::operations(&document),
            [
                "get /api/v1/asset-inconsistencies",
                "get /api/v1/assets",
                "get /api/v1/assets/{id}",
                "get /ops/dead-letters",
                "post /api/v1/asset-inconsistencies/{id}/resolve",
                "post /ops/dead-letters/{id}/replay",
            ]
        );
        let json = serde_json::to_value(&document).unwrap();
        let get = &json["paths"]["/api/v1/assets/{id}"]["get"]["responses"];
        for status in ["200", "401", "403", "404", "500"] {
            assert!(get.get(status).is_some(), "GET asset lacks {status}");
        }
        assert!(
            json.pointer("/components/schemas/AssetWithHistory")
                .is_some()
        );
        assert!(json.pointer("/components/schemas/Problem").is_some());
    }
}
