//! The OpenAPI document, generated from the handlers (`#[utoipa::path]`) and the response types
//! (`#[derive(ToSchema)]`) with utoipa, and served at `GET /api/v1/openapi.json`.
//!
//! The pattern, for every service: annotate each handler with `#[utoipa::path]`, register it
//! with `utoipa_axum::routes!` on an `OpenApiRouter` (which adds the axum route and the
//! document entry from the same attribute, so they cannot drift), derive `ToSchema` on the
//! JSON types, and split the router into the axum `Router` and the document at start-up;
//! `oms_runtime::http::openapi::finish` adds the `bearer` scheme, the `Problem` schema and the
//! error responses every operation can give.

use utoipa::OpenApi;

/// Where the document is served.
pub const PATH: &str = oms_runtime::http::openapi::PATH;

/// The document's frame; the paths come from the routers (`crate::http::documented`).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS projections",
        description = "The read side of the OMS: order summary, order timeline, fallout queue, \
                       stuck orders, throughput and consumer lag, rebuildable from the topics. \
                       Every read is limited to the token's tenant. See docs/projections-api.md."
    ),
    tags(
        (name = "orders", description = "Order summary, order page, timeline, live updates"),
        (name = "operations", description = "Fallout queue, stuck orders, flow, lag, rebuild"),
    )
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use crate::http::{ApiState, documented};

    /// Every documented operation exists as a route and vice versa (utoipa-axum registers both
    /// from one attribute); this pins the list so a route cannot disappear unnoticed.
    #[tokio::test]
    async fn the_document_lists_every_api_route_with_bearer_security() {
        let state = ApiState::for_tests();
        let (_, document) = documented(state, oms_messaging::Router::for_docs());
        assert_eq!(
            oms_runtime::http::openapi::operations(&document),
            [
                "get /api/v1/fallouts",
                "get /api/v1/flow/lag",
                "get /api/v1/flow/throughput",
                "get /api/v1/orders",
                "get /api/v1/orders/{orderId}",
                "get /api/v1/orders/{orderId}/timeline",
                "get /api/v1/session",
                "get /api/v1/stream",
                "get /api/v1/stuck-orders",
                "get /ops/dead-letters",
                "post /ops/dead-letters/{id}/replay",
                "post /ops/rebuild",
            ]
        );
        let json = serde_json::to_value(&document).unwrap();
        assert!(json.pointer("/components/securitySchemes/bearer").is_some());
        assert!(json.pointer("/components/schemas/OrderDetail").is_some());
        assert!(json.pointer("/components/schemas/OperatorAction").is_some());
    }
}
