//! The engine: dependency order, parallel branches under the concurrency bound, asynchronous
//! completion through the callback, and starting a plan exactly once, only after release.

use crate::support::reader::of_type;
use crate::support::{
    ACME, ACME_READER, Scenario, Stack, TaskSpec, fast_engine, quiet_simulators, sim_records,
};
use oms_domain::events::FulfillmentEvent;
use oms_domain::vocab::{AssetEffect, ItemAction};
use oms_fulfillment::downstream::{
    CallbackOutcome, DownstreamCallback, DownstreamFailure, ExternalRefs,
};
use oms_fulfillment::model::TargetSystem;
use oms_fulfillment::model::keys::new_asset_id;
use oms_test_support::eventually;
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// Two items; after each root, several independent branches; joins at the end. The
/// technician visit completes asynchronously through the callback.
const BRANCHES: &[TaskSpec] = &[
    TaskSpec(
        "check",
        0,
        "VALIDATE_SERVICEABILITY",
        "NETWORK_PROVISIONING",
        &[],
    ),
    TaskSpec("port", 0, "RESERVE_ACCESS_PORT", "INVENTORY", &["check"]),
    TaskSpec(
        "visit",
        0,
        "DISPATCH_TECHNICIAN",
        "WORKFORCE_SCHEDULING",
        &["check"],
    ),
    TaskSpec("ship", 0, "SHIP_DEVICE", "SHIPPING", &["check"]),
    TaskSpec(
        "activate",
        0,
        "ACTIVATE_SERVICE",
        "NETWORK_PROVISIONING",
        &["port", "visit", "ship"],
    ),
    TaskSpec(
        "bill",
        0,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["activate"],
    ),
    TaskSpec("sim", 1, "RESERVE_SIM", "INVENTORY", &[]),
    TaskSpec("sim_ship", 1, "SHIP_SIM", "SHIPPING", &["sim"]),
    TaskSpec(
        "mobile",
        1,
        "ACTIVATE_MOBILE_SERVICE",
        "NETWORK_PROVISIONING",
        &["sim"],
    ),
    TaskSpec(
        "mobile_bill",
        1,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["mobile", "sim_ship"],
    ),
];

#[tokio::test]
async fn parallel_branches_run_in_dependency_order_within_the_concurrency_bound() {
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(300);
    sims.workforce_scheduling.async_task_types = vec!["DISPATCH_TECHNICIAN".into()];
    sims.workforce_scheduling.async_completion_ms = 500;
    let bound = 2;
    let app = stack.start(fast_engine(bound), sims).await;
    let order = Scenario::new(ACME, &[ItemAction::Add, ItemAction::Add], BRANCHES);
    stack.publish_plan(&order).await;
    stack.publish_release(&order).await;
    stack.order_done(order.order_id, 2).await;

    let probe = app.sims.probe();
    assert_eq!(
        probe.max_observed(),
        bound,
        "calls in flight never exceed the bound, and independent tasks did run side by side"
    );
    // The simulators' own records: every task applied once, each after its dependencies.
    let records = sim_records(stack.db.pool()).await;
    assert_eq!(records.len(), BRANCHES.len());
    let by_task: BTreeMap<Uuid, _> = records.iter().map(|r| (r.task_id, r)).collect();
    for spec in BRANCHES {
        let record = by_task[&order.task(spec.0)];
        assert_eq!(record.calls, 1, "{} applied once", spec.0);
        for dep in spec.4 {
            let done = by_task[&order.task(dep)].completed_at.expect("completed");
            assert!(
                record.received_at >= done,
                "{} started at {} before its dependency {dep} completed at {done}",
                spec.0,
                record.received_at
            );
        }
    }
    // The technician visit was accepted, then completed by the callback.
    let visit = stack.transitions(order.task("visit")).await;
    let triggers: Vec<&str> = visit.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(
        triggers,
        ["DEPENDENCIES_MET", "DISPATCH", "AWAIT_CALLBACK", "COMPLETE"]
    );
    let visit_record = by_task[&order.task("visit")];
    assert_eq!(visit_record.status, "COMPLETED");
    assert!(visit_record.callback_delivered_at.is_some());

    // One OrderItemFulfilled per item, with the asset effect and the derived asset id.
    let events = stack
        .fulfillment_events
        .until(|all| of_type(all, order.order_id, "OrderItemFulfilled").len() == 2)
        .await;
    for (i, item_id) in order.item_ids.iter().enumerate() {
        let fulfilled: Vec<_> = of_type(&events, order.order_id, "OrderItemFulfilled")
            .into_iter()
            .filter_map(|e| match e {
                FulfillmentEvent::OrderItemFulfilled(f) if f.item_id.as_uuid() == *item_id => {
                    Some(f)
                }
                _ => None,
            })
            .collect();
        assert_eq!(fulfilled.len(), 1, "item {i} fulfilled once");
        let f = &fulfilled[0];
        assert_eq!(f.asset_effect, AssetEffect::Create);
        assert_eq!(
            f.asset_id.as_ref().map(|a| a.as_str().to_owned()),
            Some(new_asset_id(order.order_id, *item_id))
        );
        assert!(f.service_refs.iter().all(|s| s.starts_with("SVC-")) && !f.service_refs.is_empty());
        assert!(!f.resource_refs.is_empty());
        assert_eq!(f.item.billing_account_id.as_str(), "ba-1");
    }
    let started = of_type(&events, order.order_id, "FulfillmentTaskStarted");
    assert_eq!(started.len(), BRANCHES.len(), "one start per task");

    let view = app
        .get_json(
            ACME_READER,
            &format!("/api/v1/fulfillment/{}", order.order_id),
        )
        .await;
    assert_eq!(view["status"], "COMPLETED");
    let tasks = view["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), BRANCHES.len());
    assert!(
        tasks
            .iter()
            .all(|t| t["state"] == "SUCCEEDED" && t["attempt"] == 1)
    );
    app.stop().await;
}

const CHAIN: &[TaskSpec] = &[
    TaskSpec("port", 0, "RESERVE_ACCESS_PORT", "INVENTORY", &[]),
    TaskSpec(
        "activate",
        0,
        "ACTIVATE_SERVICE",
        "NETWORK_PROVISIONING",
        &["port"],
    ),
];

#[tokio::test]
async fn a_plan_starts_exactly_once_after_its_release_whichever_arrives_first() {
    let stack = Stack::new().await;
    let app = stack.start(fast_engine(4), quiet_simulators(20)).await;
    let running = &app;
    let view = move |order: Uuid| async move {
        running
            .get_json(ACME_READER, &format!("/api/v1/fulfillment/{order}"))
            .await
    };

    // Plan first: stored, but nothing runs without the release.
    let plan_first = Scenario::new(ACME, &[ItemAction::Add], CHAIN);
    let event = stack.publish_plan(&plan_first).await;
    stack.handled(event).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let states = stack.task_states(plan_first.order_id).await;
    assert!(states.values().all(|s| s == "PENDING"), "{states:?}");
    assert!(
        sim_records(stack.db.pool()).await.is_empty(),
        "no downstream call before release"
    );
    assert_eq!(
        view(plan_first.order_id).await["status"],
        "WAITING_FOR_RELEASE"
    );

    // Release first: remembered until the plan arrives. (Its catalog says the item leaves
    // no asset behind, like an on-site installation sold as ADD.)
    let release_first =
        Scenario::new(ACME, &[ItemAction::Add], CHAIN).with_asset_effect(0, AssetEffect::None);
    let event = stack.publish_release(&release_first).await;
    stack.handled(event).await;
    assert_eq!(
        view(release_first.order_id).await["status"],
        "WAITING_FOR_PLAN"
    );

    stack.publish_release(&plan_first).await;
    stack.publish_plan(&release_first).await;
    stack.order_done(plan_first.order_id, 1).await;
    stack.order_done(release_first.order_id, 1).await;

    // The same facts again (new event ids, so the inbox does not absorb them): no restart.
    let again = [
        stack.publish_release(&plan_first).await,
        stack.publish_plan(&plan_first).await,
        stack.publish_plan(&release_first).await,
        stack.publish_release(&release_first).await,
    ];
    for event in again {
        stack.handled(event).await;
    }
    let (a, b) = (plan_first.order_id, release_first.order_id);
    stack
        .fulfillment_events
        .until(|all| {
            of_type(all, a, "OrderItemFulfilled").len() == 1
                && of_type(all, b, "OrderItemFulfilled").len() == 1
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let records = sim_records(stack.db.pool()).await;
    assert_eq!(records.len(), 4, "two tasks per order, applied once each");
    assert!(records.iter().all(|r| r.calls == 1));
    let events = stack.fulfillment_events.all();
    for (order, effect) in [
        (&plan_first, AssetEffect::Create),
        (&release_first, AssetEffect::None),
    ] {
        assert_eq!(
            of_type(&events, order.order_id, "FulfillmentTaskStarted").len(),
            2
        );
        let fulfilled = of_type(&events, order.order_id, "OrderItemFulfilled");
        let [FulfillmentEvent::OrderItemFulfilled(f)] = &fulfilled[..] else {
            panic!("one OrderItemFulfilled: {fulfilled:?}");
        };
        assert_eq!(f.asset_effect, effect);
        assert_eq!(f.asset_id.is_some(), effect == AssetEffect::Create);
        assert_eq!(view(order.order_id).await["status"], "COMPLETED");
    }
    app.stop().await;
}

const VISIT: &[TaskSpec] = &[
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
];

#[tokio::test]
async fn a_failure_reported_by_callback_retries_with_the_next_key_and_stale_callbacks_are_ignored()
{
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(20);
    // the visit is accepted; its own completion would come only in ten minutes
    sims.workforce_scheduling.async_task_types = vec!["DISPATCH_TECHNICIAN".into()];
    sims.workforce_scheduling.async_completion_ms = 600_000;
    let app = stack.start(fast_engine(4), sims).await;
    let order = Scenario::new(ACME, &[ItemAction::Add], VISIT);
    stack.publish_plan(&order).await;
    stack.publish_release(&order).await;
    let visit = order.task("visit");
    let waiting = || async {
        let state = stack.task_states(order.order_id).await.remove(&visit)?;
        (state == "WAITING_FOR_CALLBACK").then_some(())
    };
    eventually(crate::support::WAIT, crate::support::POLL, waiting).await;
    let callback = |key: String, outcome| DownstreamCallback {
        system: TargetSystem::WorkforceScheduling,
        task_id: visit,
        idempotency_key: key,
        outcome,
    };
    let first_key = format!("{visit}:1");
    let second_key = format!("{visit}:2");

    // The technician could not get in: the first request is closed with a failure.
    app.callbacks
        .deliver(callback(
            first_key.clone(),
            CallbackOutcome::Failed {
                failure: DownstreamFailure::new("CUSTOMER_NOT_HOME", "nobody at the door"),
                transient: true,
            },
        ))
        .await
        .expect("taken");
    // retried after the backoff, as a new request with the next key, accepted again
    eventually(crate::support::WAIT, crate::support::POLL, || async {
        let records = sim_records(stack.db.pool()).await;
        let again = records.iter().any(|r| r.idempotency_key == second_key);
        (again && stack.task_states(order.order_id).await[&visit] == "WAITING_FOR_CALLBACK")
            .then_some(())
    })
    .await;
    // A late success for the first request changes nothing; the current one completes it.
    let done = |key| {
        callback(
            key,
            CallbackOutcome::Completed(ExternalRefs {
                external_ref: Some("WO-77".into()),
                ..ExternalRefs::default()
            }),
        )
    };
    app.callbacks
        .deliver(done(first_key))
        .await
        .expect("acknowledged");
    assert_eq!(
        stack.task_states(order.order_id).await[&visit],
        "WAITING_FOR_CALLBACK"
    );
    app.callbacks
        .deliver(done(second_key))
        .await
        .expect("taken");
    stack.order_done(order.order_id, 1).await;
    let triggers: Vec<String> = stack
        .transitions(visit)
        .await
        .into_iter()
        .map(|(t, _, _)| t)
        .collect();
    assert_eq!(
        triggers,
        [
            "DEPENDENCIES_MET",
            "DISPATCH",
            "AWAIT_CALLBACK",
            "SCHEDULE_RETRY",
            "DISPATCH",
            "AWAIT_CALLBACK",
            "COMPLETE"
        ]
    );
    let events = stack
        .fulfillment_events
        .until(|all| of_type(all, order.order_id, "OrderItemFulfilled").len() == 1)
        .await;
    let failed = of_type(&events, order.order_id, "FulfillmentTaskFailed");
    assert!(matches!(
        &failed[..],
        [FulfillmentEvent::FulfillmentTaskFailed(f)] if f.code.as_str() == "CUSTOMER_NOT_HOME" && f.will_retry
    ));
    app.stop().await;
}
