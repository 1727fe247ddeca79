//! 001 §21.4: same key + same payload replays the stored response (status included); same
//! key + another payload is 409; a race of 50 identical requests creates one order and
//! every request gets the same answer.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::support::{direct_order, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_key_replays_and_another_payload_conflicts() {
    let app = spawn_app().await;
    let body = direct_order(1);
    let (status, first) = app.capture_with_key("key-1", &body).await;
    assert_eq!(status, 201, "{first}");

    // A retry (e.g. after a timeout) replays the stored answer, marked as a replay.
    let response = app
        .acme()
        .post("/api/v1/orders")
        .header("Idempotency-Key", "key-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    assert_eq!(response.json::<Value>().await.unwrap(), first);

    // Same semantic payload written differently (key order, amount scale): still a replay.
    let mut equivalent = body.clone();
    equivalent["items"][0]["itemTotal"] = json!("90.0000");
    let (status, replay) = app.capture_with_key("key-1", &equivalent).await;
    assert_eq!((status, &replay), (201, &first));

    // Another payload under the same key: 409, nothing new stored.
    let mut other = body.clone();
    other["items"][0]["quantity"] = json!(2);
    let (status, problem) = app.capture_with_key("key-1", &other).await;
    assert_eq!(status, 409);
    assert_eq!(
        problem["code"],
        "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD"
    );

    assert_eq!(app.count("select count(*) from orders").await, 1);
    // The key is scoped per tenant: the same key of another tenant is another order.
    let response = app
        .client(crate::support::GLOBEX_WRITE)
        .post("/api/v1/orders")
        .header("Idempotency-Key", "key-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(app.count("select count(*) from orders").await, 2);
    let metrics = app.acme().get_ok("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("oms_idempotency_replays_total"),
        "{metrics}"
    );
    assert!(metrics.contains("oms_idempotency_conflicts_total"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_duplicates_create_one_order() {
    let app = spawn_app().await;
    let body = direct_order(2);
    let answers = join_all((0..50).map(|_| app.capture_with_key("race-key", &body))).await;
    let (status, first) = &answers[0];
    assert_eq!(*status, 201, "{first}");
    for (status, answer) in &answers {
        assert_eq!(
            (*status, answer),
            (201, first),
            "every request gets the same answer"
        );
    }
    assert_eq!(app.count("select count(*) from orders").await, 1);
    assert_eq!(
        app.count("select count(*) from idempotency_records").await,
        1
    );
    // One order's events only: captured, validated, released.
    assert_eq!(app.count("select count(*) from outbox").await, 3);

    let (status, problem) = app.capture_with_key("race-key", &direct_order(1)).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD"))
    );
}
