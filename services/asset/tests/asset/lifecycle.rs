//! Each item action applied through the real consumer: the asset, its history and the asset
//! event it emits; NO_CHANGE emitting nothing; impossible changes becoming inconsistency cases.

use oms_domain::events::{AssetEvent, InstalledAsset};
use oms_domain::vocab::{AssetStatus, ItemAction};
use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::support::{
    ACME, ACME_OPERATOR, ACME_READER, Stack, address, date, fulfilled, price, snapshot,
};

async fn asset_json(app: &crate::support::Running, id: &str) -> Value {
    let response = app
        .client(ACME_READER)
        .get_ok(&format!("/api/v1/assets/{id}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("asset JSON")
}

/// The asset's price as a domain value (amounts compare by value, whatever their scale).
fn price_of(asset: &Value) -> oms_domain::order::PriceSnapshot {
    serde_json::from_value(asset["price"].clone()).expect("a price snapshot")
}

#[tokio::test]
async fn add_creates_an_asset_with_every_field_of_the_item_context() {
    let stack = Stack::new().await;
    let app = stack.start(oms_asset::SERVICE).await;
    let add = fulfilled(ACME, ItemAction::Add, "asset-add-1");
    stack.apply(add.clone()).await;

    let asset = asset_json(&app, "asset-add-1").await;
    let expected = json!({
        "assetId": "asset-add-1", "tenantId": "acme", "status": "ACTIVE",
        "customerId": "cust-1", "accountId": "acct-1", "billingAccountId": "bill-1",
        "product": { "offeringId": "fiber-500", "offeringVersion": 3, "offeringName": "Fiber 500", "specRef": null },
        "quantity": 1,
        "configuration": { "bandwidth": "500M" },
        "serviceAddress": serde_json::to_value(address("Main St 1")).unwrap(),
        "activationDate": "2026-01-15", "termMonths": 12,
        "termStartDate": "2026-01-15", "termEndDate": "2027-01-14",
        "renewalCount": 0, "terminatedOn": null,
        "serviceRefs": ["svc-asset-add-1"], "resourceRefs": ["ont-asset-add-1"],
        "sourceOrderId": add.base.order_id.to_string(), "sourceItemId": add.item_id.to_string(),
        "lastOrderId": add.base.order_id.to_string(), "lastItemId": add.item_id.to_string(),
        "version": 1,
    });
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&asset[field], value, "field {field} of {asset}");
    }
    assert_eq!(
        price_of(&asset),
        price(4_000),
        "same amounts (scale 4 after Avro)"
    );
    let history = asset["history"].as_array().expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["eventType"], "AssetCreated");
    assert_eq!(history[0]["action"], "ADD");
    assert_eq!(history[0]["itemId"], add.item_id.to_string());
    assert!(history[0]["before"].is_null());
    assert_eq!(
        history[0]["after"]["configuration"],
        json!({ "bandwidth": "500M" })
    );

    // The event on the asset topic: keyed by asset id, naming the causing order item,
    // carrying the whole asset.
    let records = stack.read_asset_topic(1).await;
    let (key, AssetEvent::AssetCreated(created)) = &records[0] else {
        panic!("{records:?}")
    };
    assert_eq!(key, "asset-add-1");
    assert_eq!(
        (created.base.order_id, created.base.item_id),
        (add.base.order_id, add.item_id)
    );
    assert_eq!(
        created.base.meta.correlation_id,
        add.base.meta.correlation_id
    );
    let item = &add.item;
    assert_eq!(
        created.asset,
        InstalledAsset {
            customer_id: item.customer_id.clone(),
            account_id: item.account_id.clone(),
            billing_account_id: item.billing_account_id.clone(),
            product: item.product.clone(),
            quantity: item.quantity,
            status: AssetStatus::Active,
            configuration: item.configuration.clone(),
            service_address: item.service_address.clone(),
            price: item.price.clone(),
            activation_date: Some(date(2026, 1, 15)),
            term_months: Some(12),
            term_end_date: Some(date(2027, 1, 14)),
        }
    );
    app.stop().await;
}

#[tokio::test]
async fn modify_changes_the_configuration_and_writes_history_then_delete_terminates() {
    let stack = Stack::new().await;
    let app = stack.start(oms_asset::SERVICE).await;
    stack
        .apply(fulfilled(ACME, ItemAction::Add, "asset-m1"))
        .await;
    let mut modify = fulfilled(ACME, ItemAction::Modify, "asset-m1");
    modify.item.configuration = BTreeMap::from([("bandwidth".into(), "1G".into())]);
    modify.item.price = price(6_000);
    stack.apply(modify.clone()).await;

    let asset = asset_json(&app, "asset-m1").await;
    assert_eq!(asset["configuration"], json!({ "bandwidth": "1G" }));
    assert_eq!(price_of(&asset), price(6_000));
    assert_eq!(
        (asset["version"].clone(), asset["status"].clone()),
        (json!(2), json!("ACTIVE"))
    );
    assert_eq!(asset["lastItemId"], modify.item_id.to_string());
    let history = asset["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["eventType"], "AssetModified");
    assert_eq!(history[1]["version"], 2);
    assert_eq!(
        (history[1]["orderId"].clone(), history[1]["itemId"].clone()),
        (
            json!(modify.base.order_id.to_string()),
            json!(modify.item_id.to_string())
        )
    );
    assert_eq!(
        history[1]["before"]["configuration"],
        json!({ "bandwidth": "500M" })
    );
    assert_eq!(
        history[1]["after"]["configuration"],
        json!({ "bandwidth": "1G" })
    );

    let delete = fulfilled(ACME, ItemAction::Delete, "asset-m1");
    stack.apply(delete.clone()).await;
    let asset = asset_json(&app, "asset-m1").await;
    assert_eq!(asset["status"], "TERMINATED");
    assert_eq!(
        asset["terminatedOn"],
        json!(delete.base.meta.at.date_naive())
    );
    assert_eq!(asset["history"].as_array().unwrap().len(), 3);

    let events = stack.asset_events("asset-m1").await;
    let kinds: Vec<_> = events
        .iter()
        .map(oms_domain::DomainEvent::event_type)
        .collect();
    assert_eq!(kinds, ["AssetCreated", "AssetModified", "AssetTerminated"]);
    let AssetEvent::AssetModified(modified) = &events[1] else {
        unreachable!()
    };
    assert_eq!(modified.base.item_id, modify.item_id);
    assert_eq!(modified.asset.configuration["bandwidth"], "1G");

    // History is append-only.
    for statement in [
        "update asset_history set event_type = 'X'",
        "delete from asset_history",
    ] {
        let error = sqlx::query(statement)
            .execute(stack.db.pool())
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn suspend_resume_move_and_renew_change_the_asset() {
    let stack = Stack::new().await;
    let app = stack.start(oms_asset::SERVICE).await;
    stack
        .apply(fulfilled(ACME, ItemAction::Add, "asset-s1"))
        .await;

    stack
        .apply(fulfilled(ACME, ItemAction::Suspend, "asset-s1"))
        .await;
    assert_eq!(asset_json(&app, "asset-s1").await["status"], "SUSPENDED");
    stack
        .apply(fulfilled(ACME, ItemAction::Resume, "asset-s1"))
        .await;
    assert_eq!(asset_json(&app, "asset-s1").await["status"], "ACTIVE");

    let mut moved = fulfilled(ACME, ItemAction::Move, "asset-s1");
    moved.item.service_address = Some(address("New Rd 9"));
    stack.apply(moved).await;
    let asset = asset_json(&app, "asset-s1").await;
    assert_eq!(asset["serviceAddress"]["line1"], "New Rd 9");

    let mut renew = fulfilled(ACME, ItemAction::Renew, "asset-s1");
    renew.item.term_months = Some(24);
    stack.apply(renew).await;
    let asset = asset_json(&app, "asset-s1").await;
    assert_eq!(asset["termStartDate"], "2027-01-15");
    assert_eq!(asset["termEndDate"], "2029-01-14");
    assert_eq!(
        (asset["termMonths"].clone(), asset["renewalCount"].clone()),
        (json!(24), json!(1))
    );
    assert_eq!(asset["version"], 5);

    let events = stack.asset_events("asset-s1").await;
    let kinds: Vec<_> = events
        .iter()
        .map(oms_domain::DomainEvent::event_type)
        .collect();
    assert_eq!(
        kinds,
        [
            "AssetCreated",
            "AssetSuspended",
            "AssetResumed",
            "AssetMoved",
            "AssetRenewed"
        ]
    );
    let AssetEvent::AssetMoved(e) = &events[3] else {
        unreachable!()
    };
    assert_eq!(e.previous_location, Some(address("Main St 1")));
    let AssetEvent::AssetRenewed(e) = &events[4] else {
        unreachable!()
    };
    assert_eq!(e.previous_term_end_date, Some(date(2027, 1, 14)));
    app.stop().await;
}

#[tokio::test]
async fn no_change_changes_nothing_and_emits_nothing() {
    let stack = Stack::new().await;
    let app = stack.start(oms_asset::SERVICE).await;
    stack
        .apply(fulfilled(ACME, ItemAction::Add, "asset-n1"))
        .await;
    let before = snapshot(&stack.db, "asset", "asset_id").await;

    let no_change = fulfilled(ACME, ItemAction::NoChange, "asset-n1");
    stack.apply(no_change.clone()).await;

    assert_eq!(snapshot(&stack.db, "asset", "asset_id").await, before);
    assert_eq!(
        stack.asset_events("asset-n1").await.len(),
        1,
        "only AssetCreated"
    );
    let guarded: i64 =
        sqlx::query_scalar("select count(*) from asset_change_applied where order_item_id = $1")
            .bind(no_change.item_id.as_uuid())
            .fetch_one(stack.db.pool())
            .await
            .unwrap();
    assert_eq!(guarded, 0);
    app.stop().await;
}

#[tokio::test]
async fn impossible_changes_open_inconsistency_cases_and_leave_the_asset_unchanged() {
    let stack = Stack::new().await;
    let app = stack.start(oms_asset::SERVICE).await;
    stack
        .apply(fulfilled(ACME, ItemAction::Add, "asset-i1"))
        .await;
    let before = snapshot(&stack.db, "asset", "asset_id").await;

    // Resume an ACTIVE asset.
    let resume = fulfilled(ACME, ItemAction::Resume, "asset-i1");
    stack.apply(resume.clone()).await;
    assert_eq!(
        snapshot(&stack.db, "asset", "asset_id").await,
        before,
        "asset unchanged"
    );
    let events = stack.asset_events("asset-i1").await;
    let AssetEvent::AssetInconsistencyDetected(detected) = events.last().unwrap() else {
        panic!("{events:?}")
    };
    assert_eq!(
        (detected.base.order_id, detected.base.item_id),
        (resume.base.order_id, resume.item_id)
    );
    assert_eq!(detected.attempted_action, ItemAction::Resume);
    assert_eq!(detected.expected_status, Some(AssetStatus::Suspended));
    assert_eq!(detected.actual_status, Some(AssetStatus::Active));
    assert!(
        detected.description.starts_with("ASSET_NOT_SUSPENDED"),
        "{}",
        detected.description
    );

    // Modify a TERMINATED asset.
    stack
        .apply(fulfilled(ACME, ItemAction::Delete, "asset-i1"))
        .await;
    let terminated = snapshot(&stack.db, "asset", "asset_id").await;
    let mut modify = fulfilled(ACME, ItemAction::Modify, "asset-i1");
    modify.item.configuration = BTreeMap::from([("bandwidth".into(), "10G".into())]);
    stack.apply(modify.clone()).await;
    assert_eq!(
        snapshot(&stack.db, "asset", "asset_id").await,
        terminated,
        "asset unchanged"
    );
    let history: i64 = sqlx::query_scalar("select count(*) from asset_history")
        .fetch_one(stack.db.pool())
        .await
        .unwrap();
    assert_eq!(history, 2, "created and terminated only");

    // Both are durable OPEN cases the operator sees, and can resolve.
    let operator = app.client(ACME_OPERATOR);
    let page: Value = operator
        .get_ok("/api/v1/asset-inconsistencies?status=OPEN")
        .await
        .json()
        .await
        .unwrap();
    let cases = page["items"].as_array().unwrap();
    let codes: Vec<_> = cases
        .iter()
        .map(|c| c["reasonCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ASSET_NOT_SUSPENDED", "ASSET_TERMINATED"]);
    assert_eq!(cases[1]["itemId"], modify.item_id.to_string());
    assert_eq!(cases[1]["attemptedAction"], "MODIFY");
    assert_eq!(cases[1]["actualStatus"], "TERMINATED");
    assert_eq!(cases[1]["assetId"], "asset-i1");

    let path = format!(
        "/api/v1/asset-inconsistencies/{}/resolve",
        cases[0]["id"].as_str().unwrap()
    );
    let resolved: Value = operator
        .post_json(
            &path,
            &json!({ "resolution": "duplicate resume from a retried order" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (resolved["status"].clone(), resolved["resolvedBy"].clone()),
        (json!("RESOLVED"), json!("acme-tester"))
    );
    expect_problem(
        operator
            .post_json(&path, &json!({ "resolution": "again" }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let open: Value = operator
        .get_ok("/api/v1/asset-inconsistencies?status=OPEN")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open["items"].as_array().unwrap().len(), 1);

    // Readers are not operators.
    let problem = expect_problem(
        app.client(ACME_READER)
            .get_ok("/api/v1/asset-inconsistencies")
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(problem["code"], "MISSING_SCOPE");
    app.stop().await;
}
