//! The OpenAPI document's frame, served at `GET /api/v1/openapi.json`.
//!
//! The paths come from the handlers: each carries `#[utoipa::path]` and is registered with
//! `utoipa_axum::routes!` in [`super::documented`], which adds the axum route and the
//! document entry from the same attribute, so the two cannot drift. Request bodies derive
//! `ToSchema` (the domain's input types through its `openapi` feature); responses are the
//! typed views of [`super::views`]. `oms_runtime::http::openapi::finish` adds the bearer
//! scheme, the `Problem` schema and the error responses every operation can give.

use utoipa::OpenApi;

/// The document's frame.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS order-capture API",
        description = "Captures product orders (DIRECT_ORDER, ADMIN_MIGRATION, QUOTE_DERIVED, \
                       SUPPLEMENTAL), validates them, and exposes orders, their history, holds, \
                       fallout repair, and cancellation and amendment of orders in flight with \
                       dry runs. Every route is limited to the token's tenant; another tenant's \
                       order is 404. Errors are application/problem+json with a stable `code`. \
                       See docs/api.md."
    ),
    tags(
        (name = "orders", description = "Capture, advisory validation, queries, history"),
        (name = "holds", description = "Holds and fallout repair"),
        (name = "changes", description = "Cancellation and amendment of orders in flight"),
        (name = "dead letters", description = "Records the consumer could not apply"),
    )
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::super::{ROUTES, documented_operations};

    /// Every business route is documented, and every documented operation is routed: the
    /// list is pinned so a route cannot appear or disappear unnoticed.
    #[tokio::test]
    async fn every_route_is_documented_and_nothing_else() {
        let documented = documented_operations();
        let mut routed: Vec<String> = ROUTES
            .iter()
            .map(|(method, path)| format!("{method} {path}"))
            .collect();
        routed.sort();
        assert_eq!(documented, routed);
    }

    #[tokio::test]
    async fn request_bodies_are_derived_from_the_types() {
        let document = super::super::document_for_tests();
        let json = serde_json::to_value(&document).unwrap();
        let capture = json
            .pointer("/components/schemas/CaptureOrderRequest")
            .expect("CaptureOrderRequest");
        let required: Vec<&str> = capture["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for field in [
            "captureMode",
            "salesChannel",
            "customer",
            "currency",
            "items",
        ] {
            assert!(
                required.contains(&field),
                "{field} not required: {required:?}"
            );
        }
        assert!(
            json.pointer("/components/schemas/CaptureMode/enum")
                .is_some()
        );
        let post = &json["paths"]["/api/v1/orders"]["post"];
        let parameters = post["parameters"].as_array().unwrap();
        assert!(
            parameters
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
            "{parameters:?}"
        );
        for status in [
            "201", "400", "401", "403", "409", "413", "415", "422", "500",
        ] {
            assert!(
                post["responses"].get(status).is_some(),
                "capture lacks {status}"
            );
        }
    }
}
