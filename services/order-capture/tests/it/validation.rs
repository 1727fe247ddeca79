//! 001 §21.2 domain validation through the API: every rejection is a 422
//! `ORDER_VALIDATION_FAILED` with rule codes and paths, logged without the payload; the
//! advisory endpoint gives the same verdict and stores nothing. Snapshot rules read the
//! asset projection.

use serde_json::{Value, json};

use crate::support::{TestApp, direct_order, spawn_app};

fn codes(problem: &Value) -> Vec<(String, String)> {
    problem["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["severity"] == "ERROR")
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_owned(),
                v["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn rejected(app: &TestApp, body: &Value) -> Vec<(String, String)> {
    let (status, problem) = app.capture(body).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "ORDER_VALIDATION_FAILED");
    assert_eq!(problem["type"], "urn:oms:problem:order-validation-failed");
    codes(&problem)
}

fn pair(code: &str, path: &str) -> (String, String) {
    (code.to_owned(), path.to_owned())
}

async fn seed_asset(app: &TestApp, asset: &str, customer: &str, status: &str) {
    sqlx::query(
        "insert into asset_snapshot (tenant_id, asset_id, customer_id, account_id, billing_account_id,
             status, product_offering_id, last_event_id, last_event_at)
         values ('acme', $1, $2, 'acct-2001', 'ba-3001', $3, 'po-fiber-1gbps', $4, now())",
    )
    .bind(asset)
    .bind(customer)
    .bind(status)
    .bind(uuid::Uuid::now_v7())
    .execute(app.db.pool())
    .await
    .unwrap();
}

fn modify(asset: Option<&str>) -> Value {
    let mut body = direct_order(1);
    body["items"][0]["action"] = json!("MODIFY");
    body["items"][0]["targetAssetId"] = asset.map_or(Value::Null, |a| json!(a));
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_rules_reject_with_codes_and_paths() {
    let app = spawn_app().await;

    assert_eq!(
        rejected(&app, &modify(None)).await,
        [pair("TARGET_ASSET_REQUIRED", "items[0].targetAssetId")]
    );

    let mut body = direct_order(2);
    body["items"][1]["clientItemRef"] = json!("line-1");
    assert!(
        rejected(&app, &body)
            .await
            .contains(&pair("DUPLICATE_CLIENT_ITEM_REF", "items[1].clientItemRef"))
    );

    let mut body = direct_order(1);
    body["captureMode"] = json!("QUOTE_DERIVED");
    assert!(
        rejected(&app, &body)
            .await
            .contains(&pair("QUOTE_REF_REQUIRED", "quote"))
    );

    let mut body = direct_order(1);
    body["items"][0]["itemTotal"] = json!("95.00");
    assert_eq!(
        rejected(&app, &body).await,
        [pair("PRICE_COMPONENTS_MISMATCH", "items[0].itemTotal")]
    );

    let mut body = direct_order(1);
    body["items"][0]["quantity"] = json!(0);
    body["requestedCompletionDate"] = json!("2020-01-01");
    let found = rejected(&app, &body).await;
    assert!(
        found.contains(&pair("QUANTITY_INVALID", "items[0].quantity")),
        "{found:?}"
    );
    assert!(
        found.contains(&pair("REQUESTED_DATE_IN_PAST", "requestedCompletionDate")),
        "{found:?}"
    );

    let mut body = direct_order(1);
    body["tenantId"] = json!("globex");
    assert_eq!(
        rejected(&app, &body).await,
        [pair("TENANT_MISMATCH", "tenantId")]
    );

    // The advisory endpoint: same rules, same verdict, nothing stored.
    let response = app
        .acme()
        .post_json("/api/v1/order-validations", &modify(None))
        .await;
    assert_eq!(response.status(), 200);
    let verdict: Value = response.json().await.unwrap();
    assert_eq!(verdict["valid"], false);
    assert_eq!(verdict["violations"][0]["code"], "TARGET_ASSET_REQUIRED");
    assert_eq!(verdict["violations"][0]["path"], "items[0].targetAssetId");
    let verdict: Value = app
        .acme()
        .post_json("/api/v1/order-validations", &direct_order(1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(verdict, json!({ "valid": true, "violations": [] }));

    assert_eq!(app.count("select count(*) from orders").await, 0);
    // Every rejection is logged with codes and paths, never with the payload.
    assert_eq!(
        app.count("select count(*) from validation_log where source = 'API'")
            .await,
        6
    );
    let logged: Value =
        sqlx::query_scalar("select violations from validation_log order by id limit 1")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        logged,
        json!([{ "code": "TARGET_ASSET_REQUIRED", "path": "items[0].targetAssetId", "severity": "ERROR" }])
    );
    let texts: Vec<String> = sqlx::query_scalar("select validation_log::text from validation_log")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(
        texts
            .iter()
            .all(|t| !t.contains("cust-1001") && !t.contains("po-fiber")),
        "no payload in the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_rules_read_the_asset_projection_and_the_in_flight_guard() {
    let app = spawn_app().await;
    seed_asset(&app, "asset-1", "cust-1001", "ACTIVE").await;
    seed_asset(&app, "asset-other", "cust-9999", "ACTIVE").await;
    seed_asset(&app, "asset-gone", "cust-1001", "TERMINATED").await;

    assert_eq!(
        rejected(&app, &modify(Some("asset-404"))).await,
        [pair("ASSET_NOT_FOUND", "items[0].targetAssetId")]
    );
    assert_eq!(
        rejected(&app, &modify(Some("asset-other"))).await,
        [pair(
            "ASSET_NOT_OWNED_BY_CUSTOMER",
            "items[0].targetAssetId"
        )]
    );
    assert_eq!(
        rejected(&app, &modify(Some("asset-gone"))).await,
        [pair("ASSET_STATE_DISALLOWS_ACTION", "items[0].action")]
    );

    // The first MODIFY takes the asset; a second in-flight order on it is refused.
    let (status, first) = app.capture(&modify(Some("asset-1"))).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        app.count("select count(*) from asset_in_flight where asset_id = 'asset-1'")
            .await,
        1
    );
    assert_eq!(
        rejected(&app, &modify(Some("asset-1"))).await,
        [pair("ASSET_IN_FLIGHT", "items[0].targetAssetId")]
    );

    // A quote with an expired validity and a past requested date (QUOTE_DERIVED via API).
    let mut body = direct_order(1);
    body["captureMode"] = json!("QUOTE_DERIVED");
    body["quote"] = json!({
        "quoteId": "q-api-1", "revision": 2, "acceptedAt": "2026-01-02T03:04:05Z",
        "validUntil": "2020-01-01", "configurationHash": "cfg", "priceHash": ""
    });
    let found = rejected(&app, &body).await;
    assert!(
        found.contains(&pair("QUOTE_EXPIRED", "quote.validUntil")),
        "{found:?}"
    );
    assert!(
        found.contains(&pair("QUOTE_HASH_MISSING", "quote.priceHash")),
        "{found:?}"
    );
}
