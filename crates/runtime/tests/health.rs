//! `/health/live`, `/health/ready` (200 only when every check passes, each check listed) and
//! `/metrics` (Prometheus text).

mod common;

use oms_runtime::http::{Readiness, health};
use oms_test_support::TestDatabase;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[tokio::test]
async fn live_is_always_200() {
    let readiness = Readiness::new();
    readiness.add("broken", || async { Err("down for the test".to_owned()) });
    let app = common::serve(health::routes(readiness)).await;
    let response = app.client.get_ok("/health/live").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], "live");
}

#[tokio::test]
async fn ready_is_503_until_every_check_passes() {
    let readiness = Readiness::new();
    let database = TestDatabase::create_empty().await;
    readiness.add_database(database.pool().clone());
    let consumer_assigned = readiness.flag("consumer assigned");
    let relay_healthy = Arc::new(AtomicBool::new(true));
    let probe = relay_healthy.clone();
    readiness.add("relay running", move || {
        let up = probe.load(Ordering::SeqCst);
        async move {
            if up {
                Ok(())
            } else {
                Err("relay stopped".to_owned())
            }
        }
    });
    let app = common::serve(health::routes(readiness)).await;

    let response = app.client.get_ok("/health/ready").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(
        body["checks"],
        json!([
            { "name": "database", "status": "up" },
            { "name": "consumer assigned", "status": "down", "reason": "not ready yet" },
            { "name": "relay running", "status": "up" },
        ])
    );

    consumer_assigned.set(true);
    let response = app.client.get_ok("/health/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert!(
        body["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "up"),
        "{body}"
    );

    relay_healthy.store(false, Ordering::SeqCst);
    let response = app.client.get_ok("/health/ready").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["checks"][2],
        json!({ "name": "relay running", "status": "down", "reason": "relay stopped" })
    );

    relay_healthy.store(true, Ordering::SeqCst);
    database.cleanup().await;
    let response = app.client.get_ok("/health/ready").await;
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is gone"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"][0]["status"], "down", "{body}");
    assert_eq!(
        body["checks"][0]["reason"], "database unreachable",
        "no driver text: {body}"
    );
}

#[tokio::test]
async fn a_hanging_check_is_down_after_the_check_timeout() {
    let readiness = Readiness::new();
    readiness.add("hangs", std::future::pending::<Result<(), String>>);
    let app = common::serve(health::routes(readiness)).await;
    let started = std::time::Instant::now();
    let response = app.client.get_ok("/health/ready").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < health::CHECK_TIMEOUT * 2);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"][0]["status"], "down");
}

#[tokio::test]
async fn metrics_serves_prometheus_text_with_our_counters() {
    // Installing twice (as two apps in one test process would) is harmless.
    let first = oms_runtime::prometheus::install();
    let app = common::serve(health::routes(Readiness::new())).await;
    let _second = oms_runtime::prometheus::install();

    metrics::counter!("oms_test_orders_captured_total", "tenant" => "tenant-a").increment(3);
    assert_eq!(
        app.client.get_ok("/health/live").await.status(),
        StatusCode::OK
    );

    let response = app.client.get_ok("/metrics").await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.unwrap();
    assert!(
        text.contains("oms_test_orders_captured_total{tenant=\"tenant-a\"} 3"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|line| line.starts_with("http_requests_total{")
                && line.contains("route=\"/health/live\"")
                && line.contains("status=\"200\"")),
        "request metrics are recorded: {text}"
    );
    assert!(
        first.render().contains("oms_test_orders_captured_total"),
        "one recorder"
    );
}
