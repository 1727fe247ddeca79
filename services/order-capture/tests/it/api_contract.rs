//! 001 §21.1 contract tests: missing Idempotency-Key, invalid enum, invalid item shape with
//! the field path, stable response shape; plus authentication and scopes.

use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{ACME_READ, direct_order, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_and_schema_errors_are_deterministic_problems() {
    let app = spawn_app().await;
    let client = app.acme();

    // Missing Idempotency-Key: the same deterministic 400 every time.
    for _ in 0..2 {
        let response = client
            .post("/api/v1/orders")
            .json(&direct_order(1))
            .send()
            .await
            .unwrap();
        let problem = expect_problem(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["code"], "MISSING_HEADER");
        assert_eq!(problem["violations"][0]["field"], "Idempotency-Key");
        assert!(problem["correlationId"].is_string());
    }

    // Invalid enum: a schema error naming the field.
    let mut body = direct_order(1);
    body["captureMode"] = json!("WHATEVER");
    let (status, problem) = app.capture(&body).await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "INVALID_BODY");
    assert_eq!(problem["violations"][0]["field"], "captureMode");

    let mut body = direct_order(1);
    body["items"][0]["action"] = json!("UPGRADE");
    let (_, problem) = app.capture(&body).await;
    assert_eq!(problem["violations"][0]["field"], "items[0].action");

    // Invalid item shape: the violation's path points into the item.
    let mut body = direct_order(2);
    body["items"][1]["quantity"] = json!("two");
    let (status, problem) = app.capture(&body).await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "INVALID_BODY");
    assert_eq!(problem["violations"][0]["field"], "items[1].quantity");
    assert_eq!(problem["violations"][0]["code"], "INVALID_VALUE");

    let mut body = direct_order(1);
    body["items"][0]
        .as_object_mut()
        .unwrap()
        .remove("productOfferingId");
    let (_, problem) = app.capture(&body).await;
    assert_eq!(
        problem["violations"][0]["field"],
        "items[0].productOfferingId"
    );
    assert_eq!(problem["violations"][0]["code"], "REQUIRED");

    // Unknown fields are refused (the API takes commands, not free payloads).
    let mut body = direct_order(1);
    body["items"][0]["discountOverride"] = json!(true);
    let (status, problem) = app.capture(&body).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("INVALID_BODY"))
    );

    // Capture modes of a later issue are refused at the protocol layer.
    let mut body = direct_order(1);
    body["captureMode"] = json!("AMENDMENT");
    let (status, problem) = app.capture(&body).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("CAPTURE_MODE_NOT_SUPPORTED"))
    );

    // Too many items.
    let (status, problem) = app.capture(&direct_order(21)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("TOO_MANY_ITEMS"))
    );

    // Authentication and scopes.
    let anonymous = app.acme().without_token();
    let response = anonymous
        .post("/api/v1/orders")
        .header("Idempotency-Key", "k")
        .json(&direct_order(1))
        .send()
        .await
        .unwrap();
    assert_eq!(
        expect_problem(response, StatusCode::UNAUTHORIZED).await["code"],
        "UNAUTHENTICATED"
    );
    let reader = app.client(ACME_READ);
    let response = reader
        .post("/api/v1/orders")
        .header("Idempotency-Key", "k")
        .json(&direct_order(1))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["code"], "MISSING_SCOPE");
    assert_eq!(problem["requiredScope"], "orders:write");

    assert_eq!(
        app.count("select count(*) from orders").await,
        0,
        "nothing was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_answers_with_a_stable_shape() {
    let app = spawn_app().await;
    let response = app
        .acme()
        .post("/api/v1/orders")
        .header("Idempotency-Key", "shape-1")
        .header("X-Correlation-Id", "corr-shape-1")
        .json(&direct_order(2))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["x-correlation-id"], "corr-shape-1");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "captureMode",
            "customerStatus",
            "fulfillmentState",
            "holds",
            "links",
            "orderId",
            "orderNumber",
            "state",
            "version",
            "warnings"
        ]
    );
    let order_id = body["orderId"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/orders/{order_id}"));
    assert_eq!(body["state"], "VALIDATED");
    assert_eq!(body["fulfillmentState"], "NOT_STARTED");
    assert_eq!(body["captureMode"], "DIRECT_ORDER");
    assert_eq!(body["customerStatus"]["code"], "PROCESSING");
    let number = body["orderNumber"].as_str().unwrap();
    assert!(
        oms_domain::value::OrderNumber::parse(number).is_ok(),
        "{number}"
    );
    assert_eq!(
        body["links"]["history"],
        format!("/api/v1/orders/{order_id}/history")
    );

    let order = app.order(order_id).await;
    assert_eq!(order["orderNumber"], number);
    assert_eq!(order["header"]["parties"]["billingAccountId"], "ba-3001");
    assert_eq!(
        order["header"]["commercial"]["orderTotal"]["amount"],
        "180.00"
    );
    assert_eq!(order["items"].as_array().unwrap().len(), 2);
    assert_eq!(order["items"][0]["price"]["total"]["amount"], "90.00");
    assert_eq!(order["items"][0]["state"], "PENDING");
    assert!(order["holds"].as_array().unwrap().is_empty());
    assert!(order["relations"].as_array().unwrap().is_empty());
    assert_eq!(
        order["releasedForDecomposition"], true,
        "released in the capture commit"
    );
    assert_eq!(order["correlationId"], "corr-shape-1");
}
