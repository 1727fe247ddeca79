//! The lifecycle through the broker, with decomposition, fulfillment and asset facts
//! produced by the contract encoders as those services would: DECOMPOSED -> IN_PROGRESS ->
//! items waiting for the installed base -> completed by the asset events (actual asset id,
//! activation date, price snapshot on `OrderItemCompleted`) -> COMPLETED. Also decomposition
//! fallout with operator repair, and a contract violation going to the dead letters.

use chrono::{NaiveDate, Utc};
use oms_contracts::{AssetEventV1, DecompositionEventV1, FulfillmentEventV1, OrderEventV1};
use oms_domain::events::{
    AssetCreated, AssetEvent, AssetEventBase, AssetModified, DecompositionEvent, FulfilledItem,
    FulfillmentEvent, FulfillmentPlan, FulfillmentTaskStarted, InstalledAsset, OrderDecomposed,
    OrderDecompositionFailed, OrderFactBase, OrderItemFulfilled, PlannedTask,
};
use oms_domain::order::OrderContent;
use oms_domain::value::{
    AssetId, CorrelationId, FalloutId, OrderId, OrderItemId, PlanId, TaskId, TenantId,
};
use oms_domain::vocab::{AssetEffect, AssetStatus, DecompositionFailureCode};
use oms_domain::{Actor, OrderEvent, TransitionMeta};
use oms_messaging::EventContract as _;
use oms_test_support::{eventually, expect_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    ACME, ACME_OPERATOR, POLL, TIMEOUT, TestApp, direct_order, spawn_app, types_of,
};

fn meta(service: &'static str, order: &Value) -> TransitionMeta {
    TransitionMeta::new(
        Actor::service(service),
        oms_messaging::envelope::truncate_to_millis(Utc::now()),
        CorrelationId::parse(order["correlationId"].as_str().unwrap()).unwrap(),
    )
}

pub fn fact(service: &'static str, order: &Value) -> OrderFactBase {
    OrderFactBase {
        order_id: OrderId::parse(order["orderId"].as_str().unwrap()).unwrap(),
        tenant_id: TenantId::parse(ACME).unwrap(),
        meta: meta(service, order),
    }
}

pub fn item_ids(order: &Value) -> Vec<OrderItemId> {
    order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| OrderItemId::parse(i["id"].as_str().unwrap()).unwrap())
        .collect()
}

/// A plan with one task per item, as decomposition would publish it.
pub fn decomposed(order: &Value) -> (DecompositionEventV1, PlanId, Vec<TaskId>) {
    let plan_id = PlanId::from_uuid(uuid::Uuid::now_v7());
    let tasks: Vec<PlannedTask> = item_ids(order)
        .into_iter()
        .map(|item| {
            // Through serde, so fields the decomposition contract adds later default.
            serde_json::from_value::<PlannedTask>(json!({
                "taskId": uuid::Uuid::now_v7(), "itemIds": [item], "taskType": "ACTIVATE_SERVICE",
                "targetSystem": "network", "dependsOn": [], "reversibility": "AUTOMATIC",
                "externalEffectLevel": "NETWORK_VISIBLE"
            }))
            .expect("planned task")
        })
        .collect();
    let task_ids = tasks.iter().map(|t| t.task_id).collect();
    let event = DecompositionEvent::from(OrderDecomposed {
        base: fact("decomposition", order),
        plan: FulfillmentPlan {
            plan_id,
            rules_version: "rules-2026.11".to_owned(),
            tasks,
        },
    });
    (DecompositionEventV1::from(&event), plan_id, task_ids)
}

fn installed(item: &FulfilledItem, status: AssetStatus, activation: NaiveDate) -> InstalledAsset {
    InstalledAsset {
        customer_id: item.customer_id.clone(),
        account_id: item.account_id.clone(),
        billing_account_id: item.billing_account_id.clone(),
        product: item.product.clone(),
        quantity: item.quantity,
        status,
        configuration: item.configuration.clone(),
        service_address: item.service_address.clone(),
        price: item.price.clone(),
        activation_date: Some(activation),
        term_months: item.term_months,
        term_end_date: None,
    }
}

async fn register_all(app: &TestApp) {
    app.register::<DecompositionEventV1>().await;
    app.register::<FulfillmentEventV1>().await;
    app.register::<AssetEventV1>().await;
}

fn domain_events(events: &[OrderEventV1], order_id: &str) -> Vec<OrderEvent> {
    events
        .iter()
        .filter(|e| e.envelope().aggregate_id == order_id)
        .map(|e| OrderEvent::try_from(e).expect("order event maps to the domain"))
        .collect()
}

/// Seeds the asset projection through an asset event of an order this service does not know
/// (e.g. the migrated installed base): only the projection changes.
async fn seed_asset(app: &TestApp, asset_id: &str, content: &OrderContent) {
    let item = FulfilledItem::from_content(content, content.items[0].id).unwrap();
    let event = AssetEvent::from(AssetCreated {
        base: AssetEventBase {
            asset_id: AssetId::parse(asset_id).unwrap(),
            tenant_id: TenantId::parse(ACME).unwrap(),
            order_id: OrderId::from_uuid(uuid::Uuid::now_v7()),
            item_id: OrderItemId::from_uuid(uuid::Uuid::now_v7()),
            meta: TransitionMeta::new(
                Actor::service("asset"),
                Utc::now(),
                CorrelationId::parse("seed").unwrap(),
            ),
        },
        asset: installed(
            &item,
            AssetStatus::Active,
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        ),
    });
    app.produce(&AssetEventV1::from(&event)).await;
    let sql = format!(
        "select count(*) from asset_snapshot where asset_id = '{asset_id}' and status = 'ACTIVE'"
    );
    eventually(TIMEOUT, POLL, || async {
        (app.count(&sql).await == 1).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facts_of_decomposition_fulfillment_and_asset_complete_the_order() {
    let app = spawn_app().await;
    register_all(&app).await;

    // An order to seed the projection with a content shape, then the real order:
    // line-1 ADD (creates an asset), line-2 MODIFY of an existing asset.
    let (_, template) = app.capture(&direct_order(1)).await;
    let template_id = template["orderId"].as_str().unwrap().to_owned();
    let template_events = app
        .order_events_until(|e| types_of(e, &template_id).len() >= 3)
        .await;
    let OrderEvent::OrderReleasedForDecomposition(released) =
        &domain_events(&template_events, &template_id)[2]
    else {
        panic!("released expected");
    };
    seed_asset(&app, "asset-existing-1", &released.content).await;

    let mut body = direct_order(2);
    body["items"][1]["action"] = json!("MODIFY");
    body["items"][1]["targetAssetId"] = json!("asset-existing-1");
    let (status, captured) = app.capture(&body).await;
    assert_eq!(status, 201, "{captured}");
    let order_id = captured["orderId"].as_str().unwrap().to_owned();
    let order = app.order(&order_id).await;
    let items = item_ids(&order);

    // Decomposition reports the plan: recorded, then released for fulfillment.
    let (plan, plan_id, tasks) = decomposed(&order);
    app.produce(&plan).await;
    let events = app
        .order_events_until(|e| types_of(e, &order_id).len() >= 5)
        .await;
    let released = domain_events(&events, &order_id);
    let OrderEvent::OrderReleasedForFulfillment(for_fulfillment) = &released[4] else {
        panic!(
            "expected OrderReleasedForFulfillment, got {:?}",
            types_of(&events, &order_id)
        );
    };
    assert_eq!(
        released[3]
            .base()
            .meta
            .causation_id
            .as_ref()
            .unwrap()
            .as_str(),
        plan.envelope_id()
    );
    let content = for_fulfillment.content.as_ref().clone();
    app.order_until(&order_id, |o| o["state"] == "IN_PROGRESS")
        .await;

    // Fulfillment: tasks start, items are fulfilled with an asset effect.
    let started = FulfillmentEvent::from(FulfillmentTaskStarted {
        base: fact("fulfillment", &order),
        plan_id,
        task_id: tasks[0],
        item_ids: items.clone(),
        attempt: 1,
        compensates_task_id: None,
    });
    app.produce(&FulfillmentEventV1::from(&started)).await;
    let new_asset = "asset-new-1";
    for (item, effect, asset) in [
        (items[0], AssetEffect::Create, new_asset),
        (items[1], AssetEffect::Modify, "asset-existing-1"),
    ] {
        let fulfilled = FulfillmentEvent::from(OrderItemFulfilled {
            base: fact("fulfillment", &order),
            item_id: item,
            asset_effect: effect,
            asset_id: Some(AssetId::parse(asset).unwrap()),
            service_refs: vec!["svc-1".to_owned()],
            resource_refs: vec![],
            activation_date: None,
            item: Box::new(FulfilledItem::from_content(&content, item).unwrap()),
        });
        app.produce(&FulfillmentEventV1::from(&fulfilled)).await;
    }
    let waiting = app
        .order_until(&order_id, |o| {
            o["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["fulfillmentState"] == "WAITING_FOR_EXTERNAL_SYSTEM")
        })
        .await;
    assert_eq!(
        waiting["state"], "IN_PROGRESS",
        "fulfilled is not complete: the asset event is"
    );

    // The asset service reports the installed base: items complete with the actual asset.
    let activation = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let first = FulfilledItem::from_content(&content, items[0]).unwrap();
    let created = AssetEvent::from(AssetCreated {
        base: AssetEventBase {
            asset_id: AssetId::parse(new_asset).unwrap(),
            tenant_id: TenantId::parse(ACME).unwrap(),
            order_id: OrderId::parse(&order_id).unwrap(),
            item_id: items[0],
            meta: meta("asset", &order),
        },
        asset: installed(&first, AssetStatus::Active, activation),
    });
    let created = AssetEventV1::from(&created);
    app.produce(&created).await;
    app.order_until(&order_id, |o| o["state"] == "PARTIALLY_COMPLETED")
        .await;
    let second = FulfilledItem::from_content(&content, items[1]).unwrap();
    let modified = AssetEvent::from(AssetModified {
        base: AssetEventBase {
            asset_id: AssetId::parse("asset-existing-1").unwrap(),
            tenant_id: TenantId::parse(ACME).unwrap(),
            order_id: OrderId::parse(&order_id).unwrap(),
            item_id: items[1],
            meta: meta("asset", &order),
        },
        asset: installed(&second, AssetStatus::Active, activation),
    });
    app.produce(&AssetEventV1::from(&modified)).await;
    let done = app
        .order_until(&order_id, |o| o["state"] == "COMPLETED")
        .await;
    assert_eq!(done["customerStatus"]["code"], "COMPLETED");
    assert_eq!(done["items"][0]["actualAssetId"], new_asset);
    assert_eq!(done["items"][1]["actualAssetId"], "asset-existing-1");
    assert_eq!(
        app.count("select count(*) from asset_in_flight").await,
        0,
        "the asset guard is released"
    );

    // Billing's view: OrderItemCompleted with price snapshot, asset, billing account, date.
    let events = app
        .order_events_until(|e| types_of(e, &order_id).contains(&"OrderCompleted".to_owned()))
        .await;
    let facts = domain_events(&events, &order_id);
    let completed: Vec<_> = facts
        .iter()
        .filter_map(|e| match e {
            OrderEvent::OrderItemCompleted(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(completed.len(), 2);
    let first_done = completed.iter().find(|c| c.item_id == items[0]).unwrap();
    assert_eq!(
        first_done.actual_asset_id.as_ref().unwrap().as_str(),
        new_asset
    );
    assert_eq!(first_done.asset_effect, AssetEffect::Create);
    assert_eq!(first_done.billing_account_id.as_str(), "ba-3001");
    assert_eq!(first_done.activation_date, Some(activation));
    assert_eq!(
        first_done.price.total().amount(),
        rust_decimal_macros::dec!(90.00)
    );
    assert_eq!(first_done.price.components().len(), 2);
    assert!(
        matches!(facts.last(), Some(OrderEvent::OrderCompleted(c)) if c.completed_item_ids.len() == 2)
    );

    // A second completion of the same item (the asset service re-sent its fact under a new
    // id) is absorbed: no new event, no dead letter.
    let version = done["version"].clone();
    let again = AssetEventV1::from(&AssetEvent::from(AssetCreated {
        base: AssetEventBase {
            asset_id: AssetId::parse(new_asset).unwrap(),
            tenant_id: TenantId::parse(ACME).unwrap(),
            order_id: OrderId::parse(&order_id).unwrap(),
            item_id: items[0],
            meta: meta("asset", &order),
        },
        asset: installed(&first, AssetStatus::Active, activation),
    }));
    app.produce(&again).await;
    eventually(TIMEOUT, POLL, || async {
        (app.count("select count(*) from inbox").await >= 8).then_some(())
    })
    .await;
    assert_eq!(app.order(&order_id).await["version"], version);
    assert_eq!(app.count("select count(*) from dead_letter").await, 0);

    // The history shows every transition with actor, reason and correlation id.
    let history: Value = app
        .acme()
        .get_ok(&format!("/api/v1/orders/{order_id}/history"))
        .await
        .json()
        .await
        .unwrap();
    let path: Vec<&str> = history["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["toState"].as_str().unwrap())
        .collect();
    assert_eq!(
        path,
        [
            "SUBMITTED",
            "VALIDATED",
            "DECOMPOSED",
            "IN_PROGRESS",
            "PARTIALLY_COMPLETED",
            "COMPLETED"
        ]
    );
    let decomposed_row = &history["transitions"][2];
    assert_eq!(
        decomposed_row["actor"],
        json!({ "kind": "SERVICE", "id": "decomposition" })
    );
    assert_eq!(decomposed_row["correlationId"], order["correlationId"]);
    assert_eq!(history["transitions"][0]["actor"]["id"], "alice");
    assert!(
        history["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["command"] == "RELEASE_FOR_FULFILLMENT")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decomposition_failure_is_fallout_repaired_by_an_operator_and_contract_violations_are_dead_lettered()
 {
    let app = spawn_app().await;
    register_all(&app).await;
    let (_, captured) = app.capture(&direct_order(1)).await;
    let order_id = captured["orderId"].as_str().unwrap().to_owned();
    let order = app.order(&order_id).await;
    let fallout_id = FalloutId::from_uuid(uuid::Uuid::now_v7());
    let failed = DecompositionEvent::from(OrderDecompositionFailed {
        base: fact("decomposition", &order),
        fallout_id,
        code: DecompositionFailureCode::TechnicalCatalogMappingMissing,
        item_id: Some(item_ids(&order)[0]),
        message: "no technical mapping for po-fiber-1gbps v3".to_owned(),
        remediation: "add the mapping to the technical catalog".to_owned(),
    });
    app.produce(&DecompositionEventV1::from(&failed)).await;
    let fallout = app
        .order_until(&order_id, |o| o["state"] == "FALLOUT")
        .await;
    assert_eq!(
        fallout["fallout"]["cases"][0]["code"],
        "TECHNICAL_CATALOG_MAPPING_MISSING"
    );
    assert_eq!(
        fallout["fallout"]["cases"][0]["remediation"],
        "add the mapping to the technical catalog"
    );

    // Repair is an operator command with actor and reason.
    let path = format!("/api/v1/orders/{order_id}/fallouts/{fallout_id}/repair");
    let repair = json!({ "resolution": "RESUME", "reason": "mapping added to catalog v2026.12" });
    let response = app.acme().post_json(&path, &repair).await;
    assert_eq!(
        expect_problem(response, StatusCode::FORBIDDEN).await["code"],
        "MISSING_SCOPE"
    );
    let response = app
        .client(ACME_OPERATOR)
        .post_json(&path, &json!({ "resolution": "RESUME" }))
        .await;
    assert_eq!(
        expect_problem(response, StatusCode::BAD_REQUEST).await["violations"][0]["field"],
        "reason"
    );
    let response = app.client(ACME_OPERATOR).post_json(&path, &repair).await;
    assert_eq!(response.status(), 200);
    let repaired: Value = response.json().await.unwrap();
    assert_eq!(repaired["state"], "VALIDATED");
    assert_eq!(
        repaired["releasedForDecomposition"], true,
        "released again after the repair"
    );
    let events = app
        .order_events_until(|e| {
            types_of(e, &order_id)
                .iter()
                .filter(|t| *t == "OrderReleasedForDecomposition")
                .count()
                == 2
        })
        .await;
    assert!(types_of(&events, &order_id).contains(&"OrderFalloutRepaired".to_owned()));
    let history: Value = app
        .acme()
        .get_ok(&format!("/api/v1/orders/{order_id}/history"))
        .await
        .json()
        .await
        .unwrap();
    let repair = history["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["command"] == "REPAIR_FALLOUT")
        .expect("the repair is audited");
    assert_eq!(repair["actor"], json!({ "kind": "USER", "id": "ops-olga" }));
    assert_eq!(repair["reason"], "mapping added to catalog v2026.12");
    assert_eq!(
        (
            repair["beforeState"].as_str(),
            repair["afterState"].as_str()
        ),
        (Some("FALLOUT"), Some("VALIDATED"))
    );

    // A fact the order's state cannot take (fulfillment before release) is another
    // service's bug: dead-lettered with the domain's code, visible to operators.
    let (_, _, tasks) = decomposed(&order);
    let premature = FulfillmentEvent::from(FulfillmentTaskStarted {
        base: fact("fulfillment", &order),
        plan_id: PlanId::from_uuid(uuid::Uuid::now_v7()),
        task_id: tasks[0],
        item_ids: item_ids(&order),
        attempt: 1,
        compensates_task_id: None,
    });
    app.produce(&FulfillmentEventV1::from(&premature)).await;
    let operator = app.client(ACME_OPERATOR);
    let letters = eventually(TIMEOUT, POLL, || async {
        let body: Value = operator
            .get("/ops/dead-letters")
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let letters = body["deadLetters"].as_array()?.clone();
        (!letters.is_empty()).then_some(letters)
    })
    .await;
    let text = letters[0].to_string();
    assert!(text.contains("ORDER_TRANSITION_NOT_ALLOWED"), "{text}");
    assert_eq!(app.order(&order_id).await["state"], "VALIDATED");
}

/// The envelope id of a produced contract event, as text.
trait EnvelopeId {
    fn envelope_id(&self) -> String;
}

impl<C: oms_messaging::EventContract> EnvelopeId for C {
    fn envelope_id(&self) -> String {
        self.envelope().event_id.to_string()
    }
}
