//! Holds (000 §13, §27.3): a blocking CREDIT hold placed at capture keeps the order out of
//! decomposition until it is released (actor and reason required); a hold placed after the
//! release for decomposition keeps the decomposed order out of fulfillment.

use oms_contracts::DecompositionEventV1;
use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::lifecycle::decomposed;
use crate::support::{direct_order, spawn_app, types_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_holds_keep_the_order_from_decomposition_and_fulfillment_until_released() {
    let app = spawn_app().await;
    app.register::<DecompositionEventV1>().await;

    let mut body = direct_order(1);
    body["holds"] = json!([{ "holdType": "CREDIT", "reason": "credit check pending" }]);
    let (status, captured) = app.capture(&body).await;
    assert_eq!(status, 201, "{captured}");
    let order_id = captured["orderId"].as_str().unwrap().to_owned();
    assert_eq!(captured["customerStatus"]["code"], "ACTION_REQUIRED");
    let order = app.order(&order_id).await;
    assert_eq!(order["state"], "VALIDATED");
    assert_eq!(order["releasedForDecomposition"], false);
    let hold = &order["holds"][0];
    assert_eq!(hold["holdType"], "CREDIT");
    assert_eq!(hold["placedBy"]["id"], "alice");
    let hold_id = hold["id"].as_str().unwrap().to_owned();
    let events = app
        .order_events_until(|e| types_of(e, &order_id).len() >= 3)
        .await;
    assert_eq!(
        types_of(&events, &order_id),
        ["OrderCaptured", "OrderValidated", "OrderHoldPlaced"]
    );

    // Releasing needs a reason.
    let release = format!("/api/v1/orders/{order_id}/holds/{hold_id}/release");
    let response = app.acme().post_json(&release, &json!({})).await;
    let problem = expect_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["violations"][0]["field"], "reason");
    let response = app
        .acme()
        .post_json(&release, &json!({ "reason": "  " }))
        .await;
    assert_eq!(
        expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await["violations"][0]["field"],
        "reason"
    );
    let response = app
        .acme()
        .post_json(&release, &json!({ "reason": "credit approved by finance" }))
        .await;
    assert_eq!(response.status(), 200);
    let released: Value = response.json().await.unwrap();
    assert_eq!(released["releasedForDecomposition"], true);
    assert_eq!(
        released["holds"][0]["released"]["reason"],
        "credit approved by finance"
    );
    assert_eq!(released["customerStatus"]["code"], "PROCESSING");
    let response = app
        .acme()
        .post_json(&release, &json!({ "reason": "again" }))
        .await;
    assert_eq!(
        expect_problem(response, StatusCode::CONFLICT).await["code"],
        "HOLD_ALREADY_RELEASED"
    );
    let events = app
        .order_events_until(|e| types_of(e, &order_id).len() >= 5)
        .await;
    assert_eq!(
        types_of(&events, &order_id)[3..],
        ["OrderHoldReleased", "OrderReleasedForDecomposition"]
    );

    // A FRAUD hold placed now: the plan is recorded, fulfillment waits for the release.
    let response = app
        .acme()
        .post_json(
            &format!("/api/v1/orders/{order_id}/holds"),
            &json!({ "holdType": "FRAUD", "reason": "velocity check" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let placed: Value = response.json().await.unwrap();
    let fraud_hold = placed["holdId"].as_str().unwrap().to_owned();
    let (plan, _, _) = decomposed(&app.order(&order_id).await);
    app.produce(&plan).await;
    let held = app
        .order_until(&order_id, |o| o["state"] == "DECOMPOSED")
        .await;
    assert_eq!(held["fulfillmentStarted"], false);
    assert_eq!(
        held["customerStatus"]["code"], "PROCESSING",
        "fraud holds never show to the customer"
    );
    let response = app
        .acme()
        .post_json(
            &format!("/api/v1/orders/{order_id}/holds/{fraud_hold}/release"),
            &json!({ "reason": "cleared by fraud team" }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let running: Value = response.json().await.unwrap();
    assert_eq!(running["state"], "IN_PROGRESS");

    // History: hold commands with actor and reason.
    let history: Value = app
        .acme()
        .get_ok(&format!("/api/v1/orders/{order_id}/history"))
        .await
        .json()
        .await
        .unwrap();
    let releases: Vec<&Value> = history["commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["command"] == "RELEASE_HOLD")
        .collect();
    assert_eq!(releases.len(), 2);
    assert_eq!(releases[0]["actor"]["id"], "alice");
    assert_eq!(releases[0]["reason"], "credit approved by finance");
}
