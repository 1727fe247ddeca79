//! Operability: health, readiness (database, relay, consumer), Prometheus metrics, the
//! OpenAPI document (every documented operation reaches a route), search filters and paging.

use serde_json::Value;

use crate::support::{ACME_OPERATOR, direct_order, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_openapi_and_search() {
    let app = spawn_app().await;
    let client = app.acme();
    assert_eq!(client.get_ok("/health/live").await.status(), 200);
    let ready: Value = client.get_ok("/health/ready").await.json().await.unwrap();
    let checks: Vec<&str> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["database", "relay running", "consumer running"]);
    assert_eq!(ready["status"], "ready");

    let mut first = direct_order(1);
    first["externalOrderRef"] = serde_json::json!("WEB-SEARCH-1");
    assert_eq!(app.capture(&first).await.0, 201);
    let mut body = direct_order(1);
    body["items"][0]["quantity"] = serde_json::json!(0);
    assert_eq!(app.capture(&body).await.0, 422);
    assert_eq!(app.capture(&direct_order(2)).await.0, 201);

    let metrics = client.get_ok("/metrics").await.text().await.unwrap();
    for series in [
        "oms_orders_captured_total",
        "oms_validation_rejections_total",
        "oms_order_state_entered_total",
        "oms_outbox_appended_total",
        "http_requests_total",
    ] {
        assert!(metrics.contains(series), "{series} missing from /metrics");
    }
    assert!(
        metrics.contains("code=\"QUANTITY_INVALID\""),
        "rejections by code"
    );

    // Search: filters, newest first, paging with the total.
    let page: Value = client
        .get_ok("/api/v1/orders?limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"]["total"], 2);
    assert_eq!(page["orders"].as_array().unwrap().len(), 1);
    let page: Value = client
        .get_ok("/api/v1/orders?externalOrderRef=WEB-SEARCH-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"]["total"], 1);
    let page: Value = client
        .get_ok("/api/v1/orders?createdFrom=2099-01-01T00:00:00Z")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"]["total"], 0);
    let bad = client.get_ok("/api/v1/orders?state=SHIPPED").await;
    assert_eq!(bad.status(), 400);

    // The OpenAPI document: every documented operation exists (answers anything but an
    // unmatched 404 or 405).
    let doc: Value = app
        .acme()
        .without_token()
        .get_ok("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let operator = app.client(ACME_OPERATOR);
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            let concrete = path
                .replace("{orderId}", &uuid::Uuid::now_v7().to_string())
                .replace("{holdId}", &uuid::Uuid::now_v7().to_string())
                .replace("{falloutId}", &uuid::Uuid::now_v7().to_string())
                .replace("{id}", "1");
            let request = match method.as_str() {
                "get" => operator.get(&concrete),
                "post" => operator.post(&concrete).json(&serde_json::json!({})),
                other => panic!("unexpected method {other}"),
            };
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(status, 405, "{method} {path}");
            assert!(
                status != 404 || body["code"] != "NOT_FOUND" || path.starts_with("/ops"),
                "{method} {path} is not routed: {body}"
            );
        }
    }
}
