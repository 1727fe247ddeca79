//! Correlation ids are adopted or generated, visible to handlers and problems, echoed; the
//! request span continues an incoming W3C trace.

mod common;

use axum::Router;
use axum::routing::get;
use oms_runtime::http::{ApiError, CorrelationId};
use reqwest::StatusCode;

fn router() -> Router {
    Router::new()
        .route(
            "/id",
            get(|id: CorrelationId| async move { id.to_string() }),
        )
        .route(
            "/current",
            get(|| async {
                oms_runtime::http::correlation::current()
                    .map(|id| id.to_string())
                    .unwrap_or_default()
            }),
        )
        .route(
            "/fail",
            get(|| async { Err::<(), _>(ApiError::not_found("nothing")) }),
        )
        .route(
            "/traceparent",
            get(|| async { oms_telemetry::current_traceparent().unwrap_or_default() }),
        )
}

#[tokio::test]
async fn an_incoming_id_is_used_and_echoed() {
    let app = common::serve(router()).await;
    let response = app
        .client
        .get("/id")
        .header("x-correlation-id", "quote-42:accept")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-correlation-id"], "quote-42:accept");
    assert_eq!(
        response.text().await.unwrap(),
        "quote-42:accept",
        "the handler sees it"
    );

    let response = app
        .client
        .get("/current")
        .header("x-correlation-id", "abc-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "abc-1", "task-local too");
}

#[tokio::test]
async fn a_missing_id_is_generated_as_uuid_v7() {
    let app = common::serve(router()).await;
    let response = app.client.get_ok("/id").await;
    let header = response.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let id = uuid::Uuid::parse_str(&header).expect("a UUID");
    assert_eq!(id.get_version_num(), 7);
    assert_eq!(response.text().await.unwrap(), header);

    let second = app.client.get_ok("/id").await;
    assert_ne!(
        second.headers()["x-correlation-id"].to_str().unwrap(),
        header,
        "one per request"
    );
}

#[tokio::test]
async fn an_unsafe_id_is_replaced() {
    let app = common::serve(router()).await;
    let response = app
        .client
        .get("/id")
        .header("x-correlation-id", "a b\tc<script>")
        .send()
        .await
        .unwrap();
    let header = response.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        uuid::Uuid::parse_str(&header).is_ok(),
        "replaced by a fresh id: {header}"
    );
}

#[tokio::test]
async fn problems_carry_the_same_id_as_the_header() {
    let app = common::serve(router()).await;
    let response = app
        .client
        .get("/fail")
        .header("x-correlation-id", "corr-7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-correlation-id"], "corr-7");
    let body = oms_test_support::expect_problem(response, StatusCode::NOT_FOUND).await;
    assert_eq!(body["correlationId"], "corr-7");
}

#[tokio::test]
async fn the_request_span_continues_an_incoming_trace() {
    oms_telemetry::init_for_tests("runtime-correlation-test");
    let app = common::serve(router()).await;
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let response = app
        .client
        .get("/traceparent")
        .header("traceparent", incoming)
        .send()
        .await
        .unwrap();
    let inside = response.text().await.unwrap();
    let parts: Vec<&str> = inside.split('-').collect();
    assert_eq!(
        parts.len(),
        4,
        "a traceparent inside the handler: {inside:?}"
    );
    assert_eq!(
        parts[1], "4bf92f3577b34da6a3ce929d0e0e4736",
        "same trace id"
    );
    assert_ne!(parts[2], "00f067aa0ba902b7", "a span of our own");

    let fresh = app
        .client
        .get_ok("/traceparent")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !fresh.contains("4bf92f3577b34da6a3ce929d0e0e4736"),
        "no header, new trace: {fresh}"
    );
    assert_eq!(fresh.len(), 55, "{fresh}");
}
