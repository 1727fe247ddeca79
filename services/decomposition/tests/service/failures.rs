//! Every failure code of DOMAIN §6, each from a realistic released order (the core's failing
//! fixtures), reaches the decomposition topic as `OrderDecompositionFailed` with the code,
//! the item and a remediation, and is recorded once. TEMPORARY_DEPENDENCY_UNAVAILABLE is not
//! recorded but retried until the catalog can be read again; INTERNAL_ERROR (a stored
//! catalog version edited behind the service's back) is recorded.

use oms_decomposition::planner::PlanningInput;
use oms_domain::events::{DecompositionEvent, OrderDecompositionFailed};
use oms_domain::value::{OrderId, OrderItemId};
use oms_domain::vocab::{DecompositionFailureCode as Code, ItemAction};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::fixtures::{ItemExt, SAMPLE_CATALOG, item, item_id, order};
use crate::support::{
    ACME, ACME_OPERATOR, ACME_READER, Running, Stack, as_order, new_order_id, released,
};

/// Releases `input` and returns the failure the service published for it.
async fn fails(stack: &Stack, input: &PlanningInput) -> OrderDecompositionFailed {
    stack
        .release(&released(input, ACME, &BTreeMap::new()))
        .await;
    let events = stack.events_of(input.order_id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    match &events[0].1 {
        DecompositionEvent::OrderDecompositionFailed(failed) => failed.clone(),
        other => {
            panic!("expected OrderDecompositionFailed, got {other:?}")
        }
    }
}

/// Checks the published failure, its stored row and the API's view of it.
async fn assert_failed(
    stack: &Stack,
    app: &Running,
    input: &PlanningInput,
    code: Code,
    item: Option<OrderItemId>,
) {
    let failed = fails(stack, input).await;
    assert_eq!(failed.code, code, "{failed:?}");
    assert_eq!(failed.item_id, item, "{failed:?}");
    assert!(!failed.message.trim().is_empty());
    assert!(!failed.remediation.trim().is_empty());
    let (stored_code, stored_item, fallout) = stack
        .failure_row(input.order_id)
        .await
        .expect("failure recorded");
    assert_eq!(stored_code, code.as_str());
    assert_eq!(stored_item, item.map(|i| i.as_uuid()));
    assert_eq!(fallout, failed.fallout_id.as_uuid());
    let response = app
        .client(ACME_READER)
        .get_ok(&format!("/api/v1/plans/{}", input.order_id))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "FAILED");
    assert_eq!(body["failure"]["code"], code.as_str());
    assert_eq!(body["failure"]["remediation"], failed.remediation);
    assert_eq!(body["failure"]["retryable"], false);
}

#[tokio::test]
async fn every_data_and_catalog_failure_is_published_with_its_item_and_remediation() {
    let stack = Stack::new().await;
    let app = stack.start().await;
    let id = new_order_id;

    // ORDER_INVALID: the access declared dependent on its own static IP add-on, whose
    // activation waits for the access: a cycle once the rules apply.
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let static_ip = item(2, "po-static-ip", 1, ItemAction::Add).child_of(&access);
    let access = access.depends_on(&static_ip);
    let cycle = as_order(order(vec![access, static_ip]), id());
    assert_failed(&stack, &app, &cycle, Code::OrderInvalid, Some(item_id(1))).await;

    // DECOMPOSITION_RULE_MISSING: SD-WAN sold before anyone wrote its technical rules.
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let sdwan = item(2, "po-sdwan-edge", 1, ItemAction::Add).child_of(&access);
    let unknown = as_order(order(vec![access, sdwan]), id());
    let rule_missing = Code::DecompositionRuleMissing;
    assert_failed(&stack, &app, &unknown, rule_missing, Some(item_id(2))).await;

    // TECHNICAL_CATALOG_MAPPING_MISSING: version 3 of the 1 Gbps offering is not mapped.
    let unmapped = as_order(
        order(vec![item(1, "po-fiber-internet-1g", 3, ItemAction::Add)]),
        id(),
    );
    let mapping_missing = Code::TechnicalCatalogMappingMissing;
    assert_failed(&stack, &app, &unmapped, mapping_missing, Some(item_id(1))).await;

    // TARGET_ASSET_NOT_FOUND: disconnecting a static IP without naming the asset.
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::NoChange);
    let static_ip = item(2, "po-static-ip", 1, ItemAction::Delete)
        .child_of(&access)
        .without_target();
    let no_asset = as_order(order(vec![access, static_ip]), id());
    let asset_missing = Code::TargetAssetNotFound;
    assert_failed(&stack, &app, &no_asset, asset_missing, Some(item_id(2))).await;

    // UNSUPPORTED_ACTION_TYPE: moving a mobile plan.
    let moving = as_order(
        order(vec![item(
            1,
            "po-mobile-business-plan",
            1,
            ItemAction::Move,
        )]),
        id(),
    );
    let unsupported = Code::UnsupportedActionType;
    assert_failed(&stack, &app, &moving, unsupported, Some(item_id(1))).await;

    // Recorded failures are final: the same release again changes and emits nothing.
    stack
        .release(&released(&moving, ACME, &BTreeMap::new()))
        .await;
    assert_eq!(stack.events_of(moving.order_id).await.len(), 1);
    assert_eq!(stack.published_records().await, 5);
    let dead: i64 = sqlx::query_scalar("select count(*) from dead_letter")
        .fetch_one(stack.db.pool())
        .await
        .unwrap();
    assert_eq!(dead, 0, "failures are outcomes, not dead letters");
    app.stop().await;
}

fn mobile_order(order_id: OrderId) -> PlanningInput {
    let plan = item(1, "po-mobile-business-plan", 1, ItemAction::Add);
    let device = item(2, "po-mobile-device", 1, ItemAction::Add).child_of(&plan);
    as_order(order(vec![plan, device]), order_id)
}

#[tokio::test]
async fn an_unreadable_catalog_is_retried_and_a_tampered_one_is_an_internal_error() {
    let stack = Stack::new().await;
    let app = stack.start().await;
    let pool = stack.db.pool();

    // TEMPORARY_DEPENDENCY_UNAVAILABLE: the catalog table cannot be read. The release is
    // retried (not recorded, not dead-lettered) and decomposed once the table is back.
    sqlx::query("alter table catalog_version rename to catalog_version_offline")
        .execute(pool)
        .await
        .unwrap();
    let waiting = mobile_order(new_order_id());
    let record = Stack::record(&released(&waiting, ACME, &BTreeMap::new()));
    let event_id = stack.publish(&record).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let handled: bool =
        sqlx::query_scalar("select exists (select 1 from inbox where event_id = $1)")
            .bind(event_id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(!handled, "nothing commits while the catalog cannot be read");
    assert_eq!(stack.failure_row(waiting.order_id).await, None);
    sqlx::query("alter table catalog_version_offline rename to catalog_version")
        .execute(pool)
        .await
        .unwrap();
    stack.handled(event_id).await;
    let plan = stack
        .plan_row(waiting.order_id)
        .await
        .expect("decomposed once back");
    assert_eq!(plan.rules_version, 1);

    // INTERNAL_ERROR: version 2 is published, then its stored text is edited behind the
    // service's back (a different compensation), so it no longer matches its content hash.
    let v2 = SAMPLE_CATALOG.replacen("version = 1", "version = 2", 1);
    let response = app
        .client(ACME_OPERATOR)
        .post("/api/v1/catalog/versions")
        .header("content-type", "application/toml")
        .body(v2.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let tampered = v2.replace("RESET_DEVICE_CONFIGURATION\"", "FACTORY_RESET_DEVICE\"");
    assert_ne!(tampered, v2);
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("alter table catalog_version disable trigger catalog_version_immutable")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update catalog_version set source_text = $1 where version = 2")
        .bind(&tampered)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("alter table catalog_version enable trigger catalog_version_immutable")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let unlucky = mobile_order(new_order_id());
    let failed = fails(&stack, &unlucky).await;
    assert_eq!(failed.code, Code::InternalError);
    assert_eq!(failed.item_id, None);
    assert!(failed.message.contains("version 2"), "{}", failed.message);
    assert!(!failed.remediation.is_empty());
    let (code, _, _) = stack.failure_row(unlucky.order_id).await.unwrap();
    assert_eq!(code, "INTERNAL_ERROR");
    // The order decomposed before the edit keeps its plan.
    assert_eq!(stack.plan_row(waiting.order_id).await, Some(plan));
    app.stop().await;
}
