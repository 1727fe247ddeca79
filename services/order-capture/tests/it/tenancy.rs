//! Tenant isolation: every read and write is scoped to the token's tenant; another
//! tenant's order is 404 (not 403), so its existence does not leak.

use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{ACME_READ, GLOBEX_WRITE, direct_order, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenant_can_neither_read_nor_change_an_order() {
    let app = spawn_app().await;
    let (status, captured) = app.capture(&direct_order(1)).await;
    assert_eq!(status, 201);
    let order_id = captured["orderId"].as_str().unwrap();
    let globex = app.client(GLOBEX_WRITE);

    for path in [
        format!("/api/v1/orders/{order_id}"),
        format!("/api/v1/orders/{order_id}/history"),
    ] {
        let problem = expect_problem(globex.get_ok(&path).await, StatusCode::NOT_FOUND).await;
        assert_eq!(problem["code"], "ORDER_NOT_FOUND");
    }
    let missing = uuid::Uuid::now_v7();
    let unknown = expect_problem(
        globex.get_ok(&format!("/api/v1/orders/{missing}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let foreign = expect_problem(
        globex.get_ok(&format!("/api/v1/orders/{order_id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        (unknown["code"].clone(), unknown["detail"].clone()),
        (foreign["code"].clone(), foreign["detail"].clone())
    );

    let response = globex
        .post_json(
            &format!("/api/v1/orders/{order_id}/holds"),
            &json!({ "holdType": "LEGAL", "reason": "probe" }),
        )
        .await;
    assert_eq!(
        expect_problem(response, StatusCode::NOT_FOUND).await["code"],
        "ORDER_NOT_FOUND"
    );
    let page: Value = globex
        .get_ok("/api/v1/orders?customerId=cust-1001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"]["total"], 0);
    assert!(page["orders"].as_array().unwrap().is_empty());

    // The owner still sees it, read-only tokens can read but not write.
    let page: Value = app
        .client(ACME_READ)
        .get_ok("/api/v1/orders?customerId=cust-1001&state=VALIDATED")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["page"]["total"], 1);
    assert_eq!(page["orders"][0]["orderId"], order_id);
    let response = app
        .client(ACME_READ)
        .post_json(
            &format!("/api/v1/orders/{order_id}/holds"),
            &json!({ "holdType": "LEGAL", "reason": "x" }),
        )
        .await;
    assert_eq!(
        expect_problem(response, StatusCode::FORBIDDEN).await["code"],
        "MISSING_SCOPE"
    );
    let response = app.acme().get_ok("/ops/dead-letters").await;
    assert_eq!(
        expect_problem(response, StatusCode::FORBIDDEN).await["requiredScope"],
        "operator"
    );
    assert_eq!(app.order(order_id).await["holds"], json!([]));
}
