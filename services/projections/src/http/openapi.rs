//! The OpenAPI document, generated from the handlers (`#[utoipa::path]`) and the response types
//! (`#[derive(ToSchema)]`) with utoipa, and served at `GET /api/v1/openapi.json`.
//!
//! The pattern, for every service: annotate each handler with `#[utoipa::path]`, register it
//! with `utoipa_axum::routes!` on an `OpenApiRouter` (which adds the axum route and the
//! document entry from the same attribute, so they cannot drift), derive `ToSchema` on the
//! JSON types, and split the router into the axum `Router` and the document at start-up.
//! Bearer authentication is one security scheme (`bearer`), problem+json one schema.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Where the document is served.
pub const PATH: &str = "/api/v1/openapi.json";

/// An error (RFC 7807 problem+json, `application/problem+json`) as every OMS service sends it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDoc {
    /// `about:blank` or a URI naming the problem type.
    #[schema(example = "about:blank")]
    pub r#type: String,
    pub title: String,
    pub status: u16,
    /// Stable code, e.g. NOT_FOUND, INVALID_QUERY, MISSING_SCOPE.
    #[schema(example = "NOT_FOUND")]
    pub code: String,
    pub detail: Option<String>,
    pub correlation_id: Option<String>,
    /// Invalid inputs (400 INVALID_QUERY): `field`, `code`, `message`.
    #[schema(value_type = Vec<Object>)]
    pub violations: Option<Vec<serde_json::Value>>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token of the caller's tenant; reads need `orders:read` or `operator`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's frame; the paths come from the routers (`crate::http::documented`).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS projections",
        description = "The read side of the OMS: order summary, order timeline, fallout queue, \
                       stuck orders, throughput and consumer lag, rebuildable from the topics. \
                       Every read is limited to the token's tenant. See docs/projections-api.md."
    ),
    modifiers(&BearerAuth),
    components(schemas(ProblemDoc)),
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
        let (_, document) = documented(state);
        let mut operations: Vec<String> = document
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                let json = serde_json::to_value(item).unwrap();
                json.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| ["get", "post", "put", "delete"].contains(&k.as_str()))
                    .map(|method| format!("{method} {path}"))
                    .collect::<Vec<_>>()
            })
            .collect();
        operations.sort();
        assert_eq!(
            operations,
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
                "post /ops/rebuild",
            ]
        );
        let json = serde_json::to_value(&document).unwrap();
        assert!(json.pointer("/components/securitySchemes/bearer").is_some());
        assert!(json.pointer("/components/schemas/OrderDetail").is_some());
        assert!(json.pointer("/components/schemas/OperatorAction").is_some());
    }
}
