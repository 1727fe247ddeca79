//! The happy path through the broker: releasing the fiber bundle yields one `OrderDecomposed`
//! on the decomposition topic with the hand-drawn task graph and what fulfillment needs to
//! compensate without calling back; the plan is stored and served tenant-scoped; the same
//! release delivered again (same record, or the same fact under a new event id) yields no
//! second event.

use oms_decomposition::planner::decompose;
use oms_domain::events::{DecompositionEvent, PlannedTask};
use oms_domain::value::{OrderItemId, TaskId};
use oms_domain::vocab::AssetEffect;
use oms_test_support::expect_problem;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use crate::fixtures::{item_id, order_id, sample_catalog};
use crate::support::{
    ACME, ACME_NO_SCOPE, ACME_READER, GLOBEX_READER, Stack, fiber_bundle, released,
};

/// `"<line>.<template key>"` of every task, by task id.
fn names(tasks: &[PlannedTask]) -> BTreeMap<TaskId, String> {
    let line_of = |id: OrderItemId| (1..=4).find(|l| item_id(*l) == id).expect("a bundle item");
    tasks
        .iter()
        .map(|t| {
            let key = t.template_key.as_deref().expect("template key sent");
            (t.task_id, format!("{}.{key}", line_of(t.item_ids[0])))
        })
        .collect()
}

fn expected_edges() -> BTreeSet<(String, String)> {
    [
        ("1.reserve_port", "1.check_serviceability"),
        ("1.activate_service", "1.reserve_port"),
        ("1.activate_service", "4.dispatch_technician"),
        ("1.activate_billing", "1.activate_service"),
        ("2.ship_device", "2.reserve_device"),
        ("2.configure_device", "2.ship_device"),
        ("2.configure_device", "1.activate_service"),
        ("2.activate_billing", "2.configure_device"),
        ("3.activate_service", "3.assign_ip"),
        ("3.activate_service", "1.activate_service"),
        ("3.activate_billing", "3.activate_service"),
        ("4.dispatch_technician", "4.schedule_appointment"),
        ("4.bill_installation_fee", "4.dispatch_technician"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect()
}

#[tokio::test]
async fn the_fiber_bundle_decomposes_once_into_the_expected_task_graph() {
    let stack = Stack::new().await;
    let app = stack.start().await;
    let (input, configuration) = fiber_bundle(order_id());
    let release = released(&input, ACME, &configuration);
    let record = Stack::record(&release);
    let release_id = stack.publish(&record).await;
    stack.handled(release_id).await;

    // One OrderDecomposed on the decomposition topic, keyed by the order.
    let events = stack.read_topic(1).await;
    let (key, _, DecompositionEvent::OrderDecomposed(decomposed)) = &events[0] else {
        panic!("expected OrderDecomposed, got {:?}", events[0].2);
    };
    assert_eq!(key, &order_id().to_string());
    assert_eq!(decomposed.base.order_id, order_id());
    assert_eq!(decomposed.base.tenant_id.as_str(), ACME);
    assert_eq!(
        decomposed.base.meta.correlation_id,
        release.base.meta.correlation_id
    );
    assert_eq!(
        decomposed
            .base
            .meta
            .causation_id
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        Some(release_id.to_string()),
        "caused by the release record"
    );
    let plan = &decomposed.plan;
    let names = names(&plan.tasks);
    assert_eq!(plan.tasks.len(), 14);
    let edges: BTreeSet<(String, String)> = plan
        .tasks
        .iter()
        .flat_map(|t| {
            t.depends_on
                .iter()
                .map(|d| (names[&t.task_id].clone(), names[d].clone()))
        })
        .collect();
    assert_eq!(edges, expected_edges());
    // What fulfillment needs to compensate and complete items without calling back.
    let milestones: BTreeSet<&str> = plan
        .tasks
        .iter()
        .filter(|t| t.item_milestone == Some(true))
        .map(|t| names[&t.task_id].as_str())
        .collect();
    assert_eq!(
        milestones,
        BTreeSet::from([
            "1.activate_service",
            "2.configure_device",
            "3.activate_service",
            "4.dispatch_technician"
        ])
    );
    for task in &plan.tasks {
        assert_eq!(
            task.compensation_task_type.is_some(),
            task.reversibility != oms_domain::vocab::TaskReversibility::None,
            "{}",
            names[&task.task_id]
        );
        let expected_effect = if task.item_ids[0] == item_id(4) {
            AssetEffect::None
        } else {
            AssetEffect::Create
        };
        assert_eq!(task.item_asset_effect, Some(expected_effect));
    }

    // The same plan the pure planner makes (same ids, same hash), stored with its evidence.
    let expected = decompose(&input, &sample_catalog()).unwrap();
    assert_eq!(plan, &expected.to_fulfillment_plan());
    let stored = stack.plan_row(order_id()).await.expect("plan stored");
    assert_eq!(stored.tenant_id, ACME);
    assert_eq!(stored.rules_version, 1);
    assert_eq!(stored.rules_label, plan.rules_version);
    assert_eq!(stored.plan_hash, expected.plan_hash);
    assert_eq!(stored.input_hash, input.input_hash());
    assert_eq!(
        stored.plan_json.as_bytes(),
        expected.to_canonical_json(),
        "the canonical bytes are stored verbatim"
    );

    // Delivered again: the same record, then the same fact under a new event id. Both share
    // the order's partition, so once the second is handled the first was too.
    stack.publish(&record).await;
    stack.release(&release).await;
    assert_eq!(
        stack.events_of(order_id()).await.len(),
        1,
        "no second event"
    );
    assert_eq!(stack.published_records().await, 1);
    assert_eq!(stack.plan_row(order_id()).await, Some(stored.clone()));

    // The API: the plan for the order's tenant, 404 for any other, scope required.
    let path = format!("/api/v1/plans/{}", order_id());
    let response = app.client(ACME_READER).get_ok(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "DECOMPOSED");
    assert_eq!(body["planId"], plan.plan_id.to_string());
    assert_eq!(body["rulesLabel"], plan.rules_version);
    assert_eq!(body["rulesVersion"]["number"], 1);
    assert_eq!(body["planHash"], stored.plan_hash);
    assert_eq!(body["inputHash"], stored.input_hash);
    assert_eq!(body["tasks"].as_array().unwrap().len(), 14);
    assert_eq!(body["items"].as_array().unwrap().len(), 4);
    let billing = &body["tasks"][8];
    assert_eq!(billing["templateKey"], "activate_billing");
    assert_eq!(billing["dependsOn"].as_array().unwrap().len(), 1);

    let other_tenant = app.client(GLOBEX_READER).get_ok(&path).await;
    let problem = expect_problem(other_tenant, StatusCode::NOT_FOUND).await;
    assert_eq!(problem["code"], "PLAN_NOT_FOUND");
    let unknown = app
        .client(ACME_READER)
        .get_ok("/api/v1/plans/not-an-order-id")
        .await;
    expect_problem(unknown, StatusCode::NOT_FOUND).await;
    let no_scope = app.client(ACME_NO_SCOPE).get_ok(&path).await;
    let problem = expect_problem(no_scope, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["code"], "MISSING_SCOPE");
    let anonymous = app.client(ACME_READER).without_token().get_ok(&path).await;
    expect_problem(anonymous, StatusCode::UNAUTHORIZED).await;

    // Health and metrics as in the other services.
    let ready: Value = app
        .client(ACME_READER)
        .get_ok("/health/ready")
        .await
        .json()
        .await
        .unwrap();
    let checks: BTreeSet<&str> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        BTreeSet::from(["catalog", "consumer", "database", "relay"])
    );
    let metrics = app
        .client(ACME_READER)
        .get_ok("/metrics")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("oms_decomposition_plans_total"),
        "{metrics}"
    );
    assert!(metrics.contains("oms_decomposition_duplicates_total"));
    app.stop().await;
}
