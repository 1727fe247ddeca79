//! Every `ApiError` variant, JSON rejections and axum's own errors arrive as
//! `application/problem+json` with a stable code and the request's correlation id.

mod common;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use oms_runtime::http::{ApiError, EdgeOptions, Json, Problem, Violation};
use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug, Serialize, Deserialize)]
struct NewOrder {
    customer: Customer,
    items: Vec<Item>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Customer {
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Item {
    quantity: u32,
}

fn router() -> Router {
    Router::new()
        .route(
            "/validation",
            get(|| async {
                Err::<(), _>(ApiError::validation(vec![Violation::new(
                    "items[0].quantity",
                    "OUT_OF_RANGE",
                    "must be at least 1",
                )]))
            }),
        )
        .route(
            "/not-found",
            get(|| async { Err::<(), _>(ApiError::not_found("order o-1 does not exist")) }),
        )
        .route(
            "/conflict",
            get(|| async {
                Err::<(), _>(ApiError::conflict(
                    "ORDER_ALREADY_CANCELLED",
                    "order o-1 is cancelled",
                ))
            }),
        )
        .route(
            "/conflict-with-extension",
            get(|| async {
                let problem = Problem::new(axum::http::StatusCode::CONFLICT, "VERSION_MISMATCH")
                    .detail("order o-1 changed")
                    .extension("currentVersion", 7);
                Err::<(), ApiError>(problem.into())
            }),
        )
        .route(
            "/forbidden",
            get(|| async { Err::<(), _>(ApiError::forbidden("FORBIDDEN", "not yours")) }),
        )
        .route(
            "/unauthorized",
            get(|| async { Err::<(), _>(ApiError::invalid_token()) }),
        )
        .route(
            "/needs-header",
            post(|headers: HeaderMap| async move {
                headers
                    .get("idempotency-key")
                    .map(|_| "ok")
                    .ok_or_else(|| ApiError::missing_header("Idempotency-Key"))
            }),
        )
        .route(
            "/internal",
            get(|| async {
                Err::<(), _>(ApiError::internal(std::io::Error::other(
                    "password authentication failed for user oms; select * from orders",
                )))
            }),
        )
        .route(
            "/unavailable",
            get(|| async { Err::<(), _>(ApiError::unavailable("identity provider down")) }),
        )
        .route(
            "/orders",
            post(|Json(order): Json<NewOrder>| async move {
                Json(json!({ "items": order.items.len() }))
            }),
        )
        .route(
            "/raw-axum-json",
            post(|axum::Json(_): axum::Json<NewOrder>| async { "ok" }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
}

async fn serve() -> common::Running {
    common::serve_with(
        router(),
        EdgeOptions {
            body_limit_bytes: 1024,
            request_timeout: Duration::from_millis(300),
        },
    )
    .await
}

/// The problem at `path` (GET) must carry `status` and `code`, and the correlation id echoed in
/// the response header.
async fn problem_at(app: &common::Running, path: &str, status: StatusCode, code: &str) -> Value {
    let response = app.client.get_ok(path).await;
    let header = response.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = expect_problem(response, status).await;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["correlationId"], header.as_str(), "{body}");
    let type_uri = body["type"].as_str().unwrap();
    assert!(type_uri.starts_with("urn:oms:problem:"), "{body}");
    assert!(body["title"].is_string(), "{body}");
    body
}

#[tokio::test]
async fn validation_is_422_with_violations() {
    let app = serve().await;
    let body = problem_at(
        &app,
        "/validation",
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(body["type"], "urn:oms:problem:validation-failed");
    assert_eq!(
        body["violations"],
        json!([{ "field": "items[0].quantity", "code": "OUT_OF_RANGE", "message": "must be at least 1" }])
    );
}

#[tokio::test]
async fn not_found_conflict_forbidden_and_unavailable_have_their_status_and_code() {
    let app = serve().await;
    let body = problem_at(&app, "/not-found", StatusCode::NOT_FOUND, "NOT_FOUND").await;
    assert_eq!(body["detail"], "order o-1 does not exist");
    let body = problem_at(
        &app,
        "/conflict",
        StatusCode::CONFLICT,
        "ORDER_ALREADY_CANCELLED",
    )
    .await;
    assert_eq!(body["type"], "urn:oms:problem:order-already-cancelled");
    let body = problem_at(
        &app,
        "/conflict-with-extension",
        StatusCode::CONFLICT,
        "VERSION_MISMATCH",
    )
    .await;
    assert_eq!(body["currentVersion"], 7, "extension members are top-level");
    problem_at(&app, "/forbidden", StatusCode::FORBIDDEN, "FORBIDDEN").await;
    problem_at(
        &app,
        "/unavailable",
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
    )
    .await;
}

#[tokio::test]
async fn unauthorized_carries_a_bearer_challenge() {
    let app = serve().await;
    let response = app.client.get_ok("/unauthorized").await;
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(challenge, "Bearer realm=\"oms\", error=\"invalid_token\"");
    let body = expect_problem(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_missing_header_is_400_naming_the_header() {
    let app = serve().await;
    let response = app.client.post("/needs-header").send().await.unwrap();
    let body = expect_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["code"], "MISSING_HEADER");
    assert_eq!(body["violations"][0]["field"], "Idempotency-Key");
    assert_eq!(body["violations"][0]["code"], "REQUIRED");
}

#[tokio::test]
async fn internal_errors_show_only_a_stable_code() {
    let app = serve().await;
    let body = problem_at(
        &app,
        "/internal",
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
    )
    .await;
    let text = body.to_string();
    assert!(!text.contains("password"), "the cause leaked: {text}");
    assert!(!text.contains("select"), "the cause leaked: {text}");
}

#[tokio::test]
async fn malformed_json_is_400_malformed_json() {
    let app = serve().await;
    let response = app
        .client
        .post("/orders")
        .header("content-type", "application/json")
        .body(r#"{"customer": {"name": "Ada"}, "items": [ "#)
        .send()
        .await
        .unwrap();
    let body = expect_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["code"], "MALFORMED_JSON", "{body}");
    assert!(body["correlationId"].is_string(), "{body}");
}

#[tokio::test]
async fn a_wrong_shape_is_400_invalid_body_with_the_field_path() {
    let app = serve().await;
    let wrong_type = json!({ "customer": { "name": "Ada" }, "items": [{ "quantity": 1 }, { "quantity": "two" }] });
    let body = expect_problem(
        app.client.post_json("/orders", &wrong_type).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body["code"], "INVALID_BODY", "{body}");
    assert_eq!(
        body["violations"][0]["field"], "items[1].quantity",
        "{body}"
    );
    assert_eq!(body["violations"][0]["code"], "INVALID_VALUE", "{body}");

    let missing = json!({ "customer": {}, "items": [] });
    let body = expect_problem(
        app.client.post_json("/orders", &missing).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(body["violations"][0]["field"], "customer.name", "{body}");
    assert_eq!(body["violations"][0]["code"], "REQUIRED", "{body}");

    let ok = json!({ "customer": { "name": "Ada" }, "items": [{ "quantity": 1 }] });
    let response = app.client.post_json("/orders", &ok).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["items"], 1);
}

#[tokio::test]
async fn a_body_without_json_content_type_is_415() {
    let app = serve().await;
    let response = app.client.post("/orders").body("{}").send().await.unwrap();
    let body = expect_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(body["code"], "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = serve().await;
    let items: Vec<Value> = (0..200).map(|_| json!({ "quantity": 1 })).collect();
    let large = json!({ "customer": { "name": "Ada" }, "items": items });
    let body = expect_problem(
        app.client.post_json("/orders", &large).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn axum_json_rejections_and_routing_errors_become_problems_too() {
    let app = serve().await;
    let response = app
        .client
        .post("/raw-axum-json")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let body = expect_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["code"], "BAD_REQUEST");
    assert!(
        body["detail"].as_str().unwrap().contains("JSON"),
        "axum's text kept: {body}"
    );

    let body = expect_problem(
        app.client.get_ok("/no-such-route").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["code"], "NOT_FOUND");
    assert!(body["correlationId"].is_string());

    let response = app.client.delete("/orders").send().await.unwrap();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = expect_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    assert_eq!(body["code"], "METHOD_NOT_ALLOWED");
    assert_eq!(allow.as_deref(), Some("POST"), "the Allow header survives");
}

#[tokio::test]
async fn a_request_over_the_timeout_is_503_timeout() {
    let app = serve().await;
    let started = std::time::Instant::now();
    let body = problem_at(&app, "/slow", StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered at the timeout"
    );
    assert!(body["detail"].is_string());
}

#[tokio::test]
async fn a_nul_character_in_the_url_is_a_bad_request_before_any_handler() {
    let app = serve().await;
    for path in ["/no-such-route?code=a%00b", "/no%00such"] {
        let body = expect_problem(app.client.get_ok(path).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["code"], "INVALID_QUERY", "{path}: {body}");
        assert_eq!(body["violations"][0]["code"], "INVALID_VALUE");
    }
}

#[tokio::test]
async fn a_nul_character_in_a_json_body_is_a_bad_request_naming_the_field() {
    let app = serve().await;
    for route in ["/orders", "/raw-axum-json"] {
        let response = app
            .client
            .post(route)
            .header("content-type", "application/json")
            .body(r#"{"customer": {"name": "Ada\u0000"}, "items": []}"#)
            .send()
            .await
            .unwrap();
        let body = expect_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["code"], "INVALID_BODY", "{route}: {body}");
        assert_eq!(body["violations"][0]["field"], "customer.name", "{body}");
        assert_eq!(body["violations"][0]["code"], "INVALID_VALUE", "{body}");
    }
    // The same text without the NUL (and an escaped backslash before `u0000`) goes through.
    let response = app
        .client
        .post("/orders")
        .header("content-type", "application/json")
        .body(r#"{"customer": {"name": "Ada\\u0000"}, "items": [{"quantity": 1}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["items"], 1);
}
