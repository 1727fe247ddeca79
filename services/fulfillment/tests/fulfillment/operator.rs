//! Operator actions: refused without the operator scope and across tenants, validated,
//! refused by the state machine (and audited as refused), and when accepted: a waiver stops
//! an item's tasks, a manual completion with evidence finishes a task waiting for a
//! callback. Every accepted and refused action is in the audit.

use crate::support::reader::of_type;
use crate::support::{
    ACME, ACME_OPERATOR, ACME_READER, GLOBEX_OPERATOR, GLOBEX_READER, Scenario, Stack, TaskSpec,
    fast_engine, quiet_simulators,
};
use oms_domain::events::FulfillmentEvent;
use oms_domain::vocab::{ItemAction, RepairResolution};
use oms_test_support::{TestClient, eventually, expect_problem};
use reqwest::StatusCode;
use serde_json::{Value, json};

const MIXED: &[TaskSpec] = &[
    TaskSpec(
        "visit",
        0,
        "DISPATCH_TECHNICIAN",
        "WORKFORCE_SCHEDULING",
        &[],
    ),
    TaskSpec(
        "activate",
        0,
        "ACTIVATE_SERVICE",
        "NETWORK_PROVISIONING",
        &["visit"],
    ),
    TaskSpec("ip", 1, "ASSIGN_STATIC_IP", "INVENTORY", &[]),
    TaskSpec(
        "ip_bill",
        1,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["ip"],
    ),
    TaskSpec(
        "support_bill",
        2,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &[],
    ),
];

async fn post(client: &TestClient, path: &str, body: &Value) -> reqwest::Response {
    client.post_json(path, body).await
}

#[tokio::test]
async fn operator_actions_need_the_scope_and_the_tenant_and_are_audited() {
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(20);
    // the visit is accepted but its callback would come only in ten minutes
    sims.workforce_scheduling.async_task_types = vec!["DISPATCH_TECHNICIAN".into()];
    sims.workforce_scheduling.async_completion_ms = 600_000;
    sims.inventory.fail_permanently = vec!["ASSIGN_STATIC_IP".into()];
    let app = stack.start(fast_engine(4), sims).await;
    // the OpenAPI document, open and generated from the handlers, names every route
    let document: Value = TestClient::for_port(app.port)
        .get_ok("/api/v1/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    let mut operations: Vec<String> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .map(move |method| format!("{method} {path}"))
        })
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        [
            "delete /api/v1/simulators/{system}/faults/{task_type}",
            "get /api/v1/fallouts",
            "get /api/v1/fulfillment/{order_id}",
            "get /api/v1/simulators",
            "get /ops/dead-letters",
            "post /api/v1/fulfillment/{order_id}/items/{item_id}/waive",
            "post /api/v1/fulfillment/{order_id}/tasks/{task_id}/complete",
            "post /api/v1/fulfillment/{order_id}/tasks/{task_id}/retry",
            "post /ops/dead-letters/{id}/replay",
            "put /api/v1/simulators/{system}/faults/{task_type}",
        ]
    );
    let order = Scenario::new(
        ACME,
        &[ItemAction::Add, ItemAction::Add, ItemAction::Add],
        MIXED,
    );
    stack.publish_plan(&order).await;
    stack.publish_release(&order).await;
    let o = order.order_id;
    eventually(crate::support::WAIT, crate::support::POLL, || async {
        let states = stack.task_states(o).await;
        (states.get(&order.task("visit")).map(String::as_str) == Some("WAITING_FOR_CALLBACK")
            && states.get(&order.task("ip")).map(String::as_str) == Some("FALLOUT")
            && states.get(&order.task("support_bill")).map(String::as_str) == Some("SUCCEEDED"))
        .then_some(())
    })
    .await;
    let retry_ip = format!("/api/v1/fulfillment/{o}/tasks/{}/retry", order.task("ip"));
    let reason = json!({ "reason": "try again" });

    // Scope and tenant.
    let reader = app.client(ACME_READER);
    let body = expect_problem(
        post(&reader, &retry_ip, &reason).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(body["code"], "MISSING_SCOPE");
    expect_problem(
        reader.get_ok("/api/v1/fallouts").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let anonymous = app.client(ACME_READER).without_token();
    expect_problem(
        post(&anonymous, &retry_ip, &reason).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let globex = app.client(GLOBEX_OPERATOR);
    expect_problem(
        post(&globex, &retry_ip, &reason).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_problem(
        app.client(GLOBEX_READER)
            .get_ok(&format!("/api/v1/fulfillment/{o}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let theirs = app
        .get_json(GLOBEX_OPERATOR, "/api/v1/fallouts?status=OPEN")
        .await;
    assert!(
        theirs["fallouts"].as_array().unwrap().is_empty(),
        "{theirs}"
    );
    let ours = app
        .get_json(ACME_OPERATOR, "/api/v1/fallouts?status=OPEN")
        .await;
    assert_eq!(ours["fallouts"].as_array().unwrap().len(), 1);

    // Validation and the state machine.
    let operator = app.client(ACME_OPERATOR);
    let blank = expect_problem(
        post(&operator, &retry_ip, &json!({ "reason": "  " })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(blank["violations"][0]["field"], "reason");
    let retry_done = format!(
        "/api/v1/fulfillment/{o}/tasks/{}/retry",
        order.task("support_bill")
    );
    let refused = expect_problem(
        post(&operator, &retry_done, &json!({ "reason": "just in case" })).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(refused["code"], "TASK_TRANSITION_NOT_ALLOWED");

    // Waive the item whose static IP fell out: the IP task FAILS (accepted), its billing
    // task is SKIPPED, the case is resolved, order-capture is told.
    let waive = format!("/api/v1/fulfillment/{o}/items/{}/waive", order.item_ids[1]);
    let waived = post(
        &operator,
        &waive,
        &json!({ "reason": "customer dropped the static IP", "policyRef": "POL-WAIVE-7" }),
    )
    .await;
    assert_eq!(waived.status(), 200);
    let states = stack.task_states(o).await;
    assert_eq!(states[&order.task("ip")], "FAILED");
    assert_eq!(states[&order.task("ip_bill")], "SKIPPED");
    let again = expect_problem(
        post(
            &operator,
            &waive,
            &json!({ "reason": "twice", "policyRef": "POL-WAIVE-7" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(again["code"], "ITEM_ALREADY_FINISHED");

    // Complete the visit by hand, with evidence; the service activation follows.
    let complete = format!(
        "/api/v1/fulfillment/{o}/tasks/{}/complete",
        order.task("visit")
    );
    let missing = expect_problem(
        post(&operator, &complete, &json!({ "reason": "done" })).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(missing["code"], "INVALID_BODY");
    let evidence = json!({
        "reason": "technician confirmed the installation by phone",
        "evidence": { "externalRef": "WO-MANUAL-17", "note": "call with J. Doe, 14:05" }
    });
    let completed = post(&operator, &complete, &evidence).await;
    assert_eq!(completed.status(), 200);
    let task: Value = completed.json().await.expect("task");
    assert_eq!(task["state"], "SUCCEEDED");
    assert_eq!(task["externalRef"], "WO-MANUAL-17");
    stack.order_done(o, 3).await;

    let events = stack
        .fulfillment_events
        .until(|all| {
            of_type(all, o, "OrderItemFulfilled").len() == 2
                && of_type(all, o, "FulfillmentItemWaived").len() == 1
        })
        .await;
    let waived_fact = of_type(&events, o, "FulfillmentItemWaived");
    let FulfillmentEvent::FulfillmentItemWaived(w) = &waived_fact[0] else {
        unreachable!()
    };
    assert_eq!(w.item_id.as_uuid(), order.item_ids[1]);
    assert_eq!(w.policy_ref.as_str(), "POL-WAIVE-7");
    assert_eq!(
        w.base.meta.reason.as_ref().map(|r| r.as_str().to_owned()),
        Some("customer dropped the static IP".to_owned())
    );
    assert_eq!(w.base.meta.actor.id(), "acme-tester");
    let resolved = of_type(&events, o, "FalloutResolved");
    assert!(matches!(
        &resolved[..],
        [FulfillmentEvent::FalloutResolved(r)] if r.resolution == RepairResolution::WaiveItem
    ));

    let view = app
        .get_json(ACME_READER, &format!("/api/v1/fulfillment/{o}"))
        .await;
    assert_eq!(view["status"], "COMPLETED");
    let audit: Vec<(String, String)> = view["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_owned(),
                a["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        audit,
        [
            (
                "RETRY_TASK".to_owned(),
                "REFUSED:TASK_TRANSITION_NOT_ALLOWED".to_owned()
            ),
            ("WAIVE_ITEM".to_owned(), "ACCEPTED".to_owned()),
            (
                "WAIVE_ITEM".to_owned(),
                "REFUSED:ITEM_ALREADY_FINISHED".to_owned()
            ),
            ("COMPLETE_TASK".to_owned(), "ACCEPTED".to_owned()),
        ]
    );
    let complete_entry = &view["audit"][3];
    assert_eq!(complete_entry["actor"], "user:acme-tester");
    assert_eq!(complete_entry["evidence"]["externalRef"], "WO-MANUAL-17");
    let items = view["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|i| i["status"] == "WAIVED").count(), 1);
    assert_eq!(
        items.iter().filter(|i| i["status"] == "FULFILLED").count(),
        2
    );
    app.stop().await;
}
