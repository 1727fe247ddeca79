//! The decomposition service's HTTP API, behind bearer authentication:
//!
//! - `GET /api/v1/plans/{orderId}` (scope `orders:read`, tenant-scoped: another tenant's
//!   order is 404, never 403): the order's plan, or its recorded decomposition failure;
//! - operator (`operator` scope): `POST /api/v1/catalog/versions` (publish a technical
//!   catalog version), `GET /api/v1/catalog/versions`, `GET /api/v1/catalog/versions/{version}`,
//!   and the dead-letter routes `GET /ops/dead-letters`, `POST /ops/dead-letters/{id}/replay`.
//!
//! Open: `GET /api/v1/openapi.json` (generated from the handlers with utoipa). Health
//! (`/health/live`, `/health/ready`) and `/metrics` are added by the application, outside
//! authentication. `docs/decomposition-api.md` describes every route.

mod catalog;
mod plans;

use axum::Router;
use oms_runtime::http::auth::require_operator;
use oms_runtime::http::openapi;
use oms_runtime::http::{ApiError, Authenticator};
use sqlx::PgPool;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::store::StoreError;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
    /// Largest catalog text a publication accepts.
    pub max_catalog_bytes: usize,
}

/// The document's frame; the paths come from the routers ([`documented`]).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS decomposition service",
        description = "The fulfillment plan decomposition made for each order (or the failure \
                       it recorded), the technical catalog versions it decomposes with, and the \
                       service's dead letters. See docs/decomposition-api.md."
    ),
    tags(
        (name = "plans", description = "Plans and decomposition failures, by order"),
        (name = "catalog", description = "Technical catalog versions (operators)"),
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
        .routes(routes!(plans::get))
        .with_state(state.clone());
    let operators = OpenApiRouter::new()
        .routes(routes!(catalog::list, catalog::publish))
        .routes(routes!(catalog::get))
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

/// A store failure as the client sees it: logged with its cause, shown as `INTERNAL_ERROR`.
fn internal(error: StoreError) -> ApiError {
    ApiError::internal(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_document_lists_every_route_with_its_errors() {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://postgres@127.0.0.1:1/none")
            .expect("lazy pool");
        let state = ApiState {
            pool,
            max_catalog_bytes: 1024,
        };
        let (_, document) = documented(state, oms_messaging::Router::for_docs());
        assert_eq!(
            openapi::operations(&document),
            [
                "get /api/v1/catalog/versions",
                "get /api/v1/catalog/versions/{version}",
                "get /api/v1/plans/{order_id}",
                "get /ops/dead-letters",
                "post /api/v1/catalog/versions",
                "post /ops/dead-letters/{id}/replay",
            ]
        );
        let json = serde_json::to_value(&document).unwrap();
        let publish = &json["paths"]["/api/v1/catalog/versions"]["post"];
        assert!(
            publish
                .pointer("/requestBody/content/application~1toml")
                .is_some()
        );
        for status in ["200", "201", "401", "403", "409", "413", "415", "422"] {
            assert!(
                publish["responses"].get(status).is_some(),
                "publish lacks {status}"
            );
        }
    }
}
