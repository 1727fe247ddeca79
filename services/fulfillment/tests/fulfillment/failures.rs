//! Failures: a transient one is retried on the persisted backoff schedule to success;
//! exhausted retries and a permanent rejection open fallout; a manual retry after the
//! downstream system is repaired completes the item.

use crate::support::reader::of_type;
use crate::support::{
    ACME, ACME_OPERATOR, Scenario, Stack, TaskSpec, fast_engine, quiet_simulators, sim_records,
};
use chrono::{DateTime, Utc};
use oms_domain::events::FulfillmentEvent;
use oms_domain::vocab::{ItemAction, RepairResolution};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

const RETRIED: &[TaskSpec] = &[
    TaskSpec("port", 0, "RESERVE_ACCESS_PORT", "INVENTORY", &[]),
    TaskSpec(
        "bill",
        0,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["port"],
    ),
    TaskSpec("ship", 1, "SHIP_DEVICE", "SHIPPING", &[]),
];

/// When each transition of a task happened: (trigger, at).
async fn timeline(stack: &Stack, task: Uuid) -> Vec<(String, DateTime<Utc>)> {
    sqlx::query_as(
        "select trigger, at from fulfillment_task_transition where task_id = $1 order by id",
    )
    .bind(task)
    .fetch_all(stack.db.pool())
    .await
    .expect("timeline")
}

#[tokio::test]
async fn transient_failures_are_retried_on_the_persisted_schedule_and_exhausted_ones_fall_out() {
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(20);
    // RESERVE_ACCESS_PORT fails twice, then works; SHIP_DEVICE never works.
    sims.inventory
        .fail_first
        .insert("RESERVE_ACCESS_PORT".into(), 2);
    sims.shipping.fail_first.insert("SHIP_DEVICE".into(), 99);
    let engine = fast_engine(4); // 3 attempts, 300 ms doubling, 20 % jitter
    let app = stack.start(engine.clone(), sims).await;
    let order = Scenario::new(ACME, &[ItemAction::Add, ItemAction::Add], RETRIED);
    stack.publish_plan(&order).await;
    stack.publish_release(&order).await;

    let events = stack
        .fulfillment_events
        .until(|all| {
            of_type(all, order.order_id, "OrderItemFulfilled").len() == 1
                && of_type(all, order.order_id, "FalloutRaised").len() == 1
        })
        .await;
    // The port: two failed attempts, each followed by a wait of at least the jittered
    // backoff (persisted as next_attempt_at), then success on attempt 3. The schedule is
    // computed after the failed call, so the next dispatch is at least the backoff after the
    // failed attempt's dispatch (measuring from the SCHEDULE_RETRY row instead depends on how
    // long that commit took, which a loaded machine stretches).
    let port = timeline(&stack, order.task("port")).await;
    let triggers: Vec<&str> = port.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        triggers,
        [
            "DEPENDENCIES_MET",
            "DISPATCH",
            "SCHEDULE_RETRY",
            "DISPATCH",
            "SCHEDULE_RETRY",
            "DISPATCH",
            "COMPLETE"
        ]
    );
    for (retry, min_ms) in [(2, 230), (4, 460)] {
        let waited = (port[retry + 1].1 - port[retry - 1].1).num_milliseconds();
        assert!(
            waited >= min_ms,
            "retry {retry} waited {waited} ms, at least {min_ms} expected"
        );
    }
    let failed: Vec<_> = of_type(&events, order.order_id, "FulfillmentTaskFailed")
        .into_iter()
        .filter_map(|e| match e {
            FulfillmentEvent::FulfillmentTaskFailed(f) => Some(f),
            _ => None,
        })
        .collect();
    let port_failures: Vec<(u32, bool)> = failed
        .iter()
        .filter(|f| f.task_id.as_uuid() == order.task("port"))
        .map(|f| (f.attempt, f.will_retry))
        .collect();
    assert_eq!(port_failures, [(1, true), (2, true)]);
    // The shipment: three attempts, the last one exhausted the budget and fell out.
    let ship_failures: Vec<(u32, bool)> = failed
        .iter()
        .filter(|f| f.task_id.as_uuid() == order.task("ship"))
        .map(|f| (f.attempt, f.will_retry))
        .collect();
    assert_eq!(ship_failures, [(1, true), (2, true), (3, false)]);
    let states = stack.task_states(order.order_id).await;
    assert_eq!(states[&order.task("ship")], "FALLOUT");
    assert_eq!(states[&order.task("port")], "SUCCEEDED");
    let raised = of_type(&events, order.order_id, "FalloutRaised");
    let FulfillmentEvent::FalloutRaised(raised) = &raised[0] else {
        unreachable!()
    };
    assert_eq!(raised.code.as_str(), "SIMULATED_OUTAGE");
    assert_eq!(
        raised.task_id.map(|t| t.as_uuid()),
        Some(order.task("ship"))
    );
    // Failed calls applied nothing: the inventory recorded the port once.
    let records = sim_records(stack.db.pool()).await;
    let port_records: Vec<_> = records
        .iter()
        .filter(|r| r.task_id == order.task("port"))
        .collect();
    assert_eq!(port_records.len(), 1);
    assert_eq!(port_records[0].calls, 1);
    assert!(records.iter().all(|r| r.task_id != order.task("ship")));
    app.stop().await;
}

const REJECTED: &[TaskSpec] = &[
    TaskSpec(
        "check",
        0,
        "VALIDATE_SERVICEABILITY",
        "NETWORK_PROVISIONING",
        &[],
    ),
    TaskSpec(
        "activate",
        0,
        "ACTIVATE_SERVICE",
        "NETWORK_PROVISIONING",
        &["check"],
    ),
    TaskSpec(
        "bill",
        0,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["activate"],
    ),
];

#[tokio::test]
async fn a_permanent_failure_opens_fallout_and_a_retry_after_repair_completes_the_order() {
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(20);
    sims.network_provisioning.fail_permanently = vec!["ACTIVATE_SERVICE".into()];
    let app = stack.start(fast_engine(4), sims).await;
    let order = Scenario::new(ACME, &[ItemAction::Add], REJECTED);
    stack.publish_plan(&order).await;
    stack.publish_release(&order).await;

    // FalloutRaised on the topic, after one attempt (a rejection is not retried).
    let events = stack
        .fulfillment_events
        .until(|all| of_type(all, order.order_id, "FalloutRaised").len() == 1)
        .await;
    let FulfillmentEvent::FalloutRaised(raised) =
        of_type(&events, order.order_id, "FalloutRaised").remove(0)
    else {
        unreachable!()
    };
    assert_eq!(raised.code.as_str(), "SIMULATED_REJECTION");
    assert_eq!(raised.item_id.map(|i| i.as_uuid()), Some(order.item_ids[0]));
    let states = stack.task_states(order.order_id).await;
    assert_eq!(states[&order.task("activate")], "FALLOUT");
    assert_eq!(states[&order.task("bill")], "PENDING", "dependents wait");
    // The durable case, and the operator's queue.
    let (status, task): (String, Uuid) =
        sqlx::query_as("select status, task_id from fallout_case where fallout_id = $1")
            .bind(raised.fallout_id.as_uuid())
            .fetch_one(stack.db.pool())
            .await
            .expect("fallout row");
    assert_eq!((status.as_str(), task), ("OPEN", order.task("activate")));
    let open = app
        .get_json(ACME_OPERATOR, "/api/v1/fallouts?status=OPEN")
        .await;
    assert_eq!(open["fallouts"].as_array().unwrap().len(), 1);
    assert_eq!(
        open["fallouts"][0]["taskId"],
        order.task("activate").to_string()
    );
    assert_eq!(open["fallouts"][0]["code"], "SIMULATED_REJECTION");
    let view = app
        .get_json(
            ACME_OPERATOR,
            &format!("/api/v1/fulfillment/{}", order.order_id),
        )
        .await;
    assert_eq!(view["status"], "FALLOUT");

    // Repair the downstream system, then retry the task.
    let operator = app.client(ACME_OPERATOR);
    let repaired = operator
        .delete("/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE")
        .send()
        .await
        .expect("repair");
    assert_eq!(repaired.status(), 204);
    let retried = operator
        .post_json(
            &format!(
                "/api/v1/fulfillment/{}/tasks/{}/retry",
                order.order_id,
                order.task("activate")
            ),
            &json!({ "reason": "provisioning profile fixed in the OSS" }),
        )
        .await;
    assert_eq!(retried.status(), 200);
    let task: serde_json::Value = retried.json().await.expect("task");
    assert_eq!(task["state"], "READY");
    stack.order_done(order.order_id, 1).await;

    let events = stack
        .fulfillment_events
        .until(|all| of_type(all, order.order_id, "OrderItemFulfilled").len() == 1)
        .await;
    let resolved = of_type(&events, order.order_id, "FalloutResolved");
    assert!(matches!(
        &resolved[..],
        [FulfillmentEvent::FalloutResolved(r)]
            if r.resolution == RepairResolution::RetryItem && r.fallout_id == raised.fallout_id
    ));
    let open = app
        .get_json(ACME_OPERATOR, "/api/v1/fallouts?status=OPEN")
        .await;
    assert!(open["fallouts"].as_array().unwrap().is_empty());
    let view = app
        .get_json(
            ACME_OPERATOR,
            &format!("/api/v1/fulfillment/{}", order.order_id),
        )
        .await;
    assert_eq!(view["status"], "COMPLETED");
    assert_eq!(view["audit"][0]["action"], "RETRY_TASK");
    assert_eq!(view["audit"][0]["outcome"], "ACCEPTED");
    assert_eq!(view["audit"][0]["actor"], "user:acme-tester");
    // The rejections applied nothing; the retry applied once, with the original key.
    let records = sim_records(stack.db.pool()).await;
    let activate: Vec<_> = records
        .iter()
        .filter(|r| r.task_id == order.task("activate"))
        .collect();
    assert_eq!(activate.len(), 1);
    assert_eq!(
        activate[0].idempotency_key,
        format!("{}:1", order.task("activate"))
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.stop().await;
}

#[tokio::test]
async fn an_order_closed_by_order_capture_stops_its_remaining_work() {
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(20);
    sims.network_provisioning.fail_permanently = vec!["ACTIVATE_SERVICE".into()];
    let app = stack.start(fast_engine(4), sims).await;
    // A released order falls out, then order-capture closes it as failed.
    let fallen = Scenario::new(ACME, &[ItemAction::Add], REJECTED);
    stack.publish_plan(&fallen).await;
    stack.publish_release(&fallen).await;
    stack
        .fulfillment_events
        .until(|all| of_type(all, fallen.order_id, "FalloutRaised").len() == 1)
        .await;
    let closed = stack.publish_order_event(&fallen.failed_closed()).await;
    // A planned order is cancelled before its release.
    let unreleased = Scenario::new(ACME, &[ItemAction::Add], REJECTED);
    let planned = stack.publish_plan(&unreleased).await;
    stack.handled(planned).await;
    let cancelled = stack
        .publish_order_event(&unreleased.cancelled_before_execution())
        .await;
    stack.handled(closed).await;
    stack.handled(cancelled).await;

    let states = stack.task_states(fallen.order_id).await;
    assert_eq!(states[&fallen.task("check")], "SUCCEEDED");
    assert_eq!(states[&fallen.task("activate")], "CANCELLED");
    assert_eq!(states[&fallen.task("bill")], "CANCELLED");
    let states = stack.task_states(unreleased.order_id).await;
    assert!(states.values().all(|s| s == "CANCELLED"), "{states:?}");
    let resolution: Option<String> =
        sqlx::query_scalar("select resolution from fallout_case where order_id = $1")
            .bind(fallen.order_id)
            .fetch_one(stack.db.pool())
            .await
            .expect("case");
    assert_eq!(resolution.as_deref(), Some("ORDER_CLOSED"));
    let open = app
        .get_json(ACME_OPERATOR, "/api/v1/fallouts?status=OPEN")
        .await;
    assert!(open["fallouts"].as_array().unwrap().is_empty());
    let view = app
        .get_json(
            ACME_OPERATOR,
            &format!("/api/v1/fulfillment/{}", fallen.order_id),
        )
        .await;
    assert_eq!(view["status"], "CLOSED");
    assert_eq!(view["items"][0]["status"], "CANCELLED");
    // Nothing of a closed order can be restarted.
    let retry = app
        .client(ACME_OPERATOR)
        .post_json(
            &format!(
                "/api/v1/fulfillment/{}/tasks/{}/retry",
                fallen.order_id,
                fallen.task("activate")
            ),
            &json!({ "reason": "too late" }),
        )
        .await;
    assert_eq!(retry.status(), 409);
    app.stop().await;
}
