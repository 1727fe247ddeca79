//! Amendments whose decomposition outcome arrives before the request: fulfillment reads the
//! request from the order topic and the outcome from the decomposition topic, independently,
//! so after a pause or restart the outcome can come first (found by the fault suite).

use crate::support::{ACME, Scenario, Stack, TaskSpec, fast_engine, quiet_simulators};
use oms_domain::vocab::ItemAction;
use oms_test_support::eventually;
use uuid::Uuid;

const PLAN: &[TaskSpec] = &[
    TaskSpec(
        "check",
        0,
        "VALIDATE_SERVICEABILITY",
        "NETWORK_PROVISIONING",
        &[],
    ),
    TaskSpec(
        "visit",
        0,
        "DISPATCH_TECHNICIAN",
        "WORKFORCE_SCHEDULING",
        &["check"],
    ),
];

async fn kept(stack: &Stack, request_id: Uuid) -> i64 {
    sqlx::query_scalar("select count(*) from early_replan where request_id = $1")
        .bind(request_id)
        .fetch_one(stack.db.pool())
        .await
        .expect("early_replan")
}

async fn amendment_status(stack: &Stack, request_id: Uuid) -> Option<String> {
    sqlx::query_scalar("select status from plan_amendment where request_id = $1")
        .bind(request_id)
        .fetch_optional(stack.db.pool())
        .await
        .expect("plan_amendment")
}

#[tokio::test]
async fn a_replan_that_arrives_before_its_request_is_kept_and_applied_when_the_request_comes() {
    let stack = Stack::new().await;
    let mut sims = quiet_simulators(0);
    // the visit stays out for the whole test: the order is in flight
    sims.workforce_scheduling.async_task_types = vec!["DISPATCH_TECHNICIAN".into()];
    sims.workforce_scheduling.async_completion_ms = 600_000;
    let app = stack.start(fast_engine(4), sims).await;
    let order = Scenario::new(ACME, &[ItemAction::Add], PLAN);
    stack.handled(stack.publish_plan(&order).await).await;
    stack.handled(stack.publish_release(&order).await).await;
    let visit = order.task("visit");
    eventually(crate::support::WAIT, crate::support::POLL, || async {
        let state = stack.task_states(order.order_id).await.remove(&visit)?;
        (state == "WAITING_FOR_CALLBACK").then_some(())
    })
    .await;

    // The re-plan comes first: it is kept, nothing changes yet.
    let request_id = Uuid::now_v7();
    let (new_plan, added) = (Uuid::now_v7(), Uuid::now_v7());
    let replan = order.redecomposed(request_id, new_plan, added, "check");
    stack
        .handled(stack.publish_decomposition_event(&replan).await)
        .await;
    assert_eq!(
        kept(&stack, request_id).await,
        1,
        "the early re-plan is kept"
    );
    assert_eq!(amendment_status(&stack, request_id).await, None);
    assert!(
        !stack.task_states(order.order_id).await.contains_key(&added),
        "the re-plan is not applied before its request"
    );

    // The request comes: the kept re-plan is applied in the same transaction.
    let request = order.amendment_requested(request_id);
    stack
        .handled(stack.publish_order_event(&request).await)
        .await;
    assert_eq!(
        amendment_status(&stack, request_id).await.as_deref(),
        Some("APPLIED")
    );
    assert_eq!(kept(&stack, request_id).await, 0, "taken when applied");
    let states = stack.task_states(order.order_id).await;
    assert_eq!(
        states[&visit], "WAITING_FOR_CALLBACK",
        "kept tasks keep their state"
    );
    // the added task depends on the succeeded check only: the engine runs it at once
    eventually(crate::support::WAIT, crate::support::POLL, || async {
        let state = stack.task_states(order.order_id).await.remove(&added)?;
        (state == "SUCCEEDED").then_some(())
    })
    .await;
    let plan: Option<Uuid> =
        sqlx::query_scalar("select started_plan_id from fulfillment_order where order_id = $1")
            .bind(order.order_id)
            .fetch_one(stack.db.pool())
            .await
            .expect("order");
    assert_eq!(plan, Some(new_plan), "the order runs on the re-plan");
    app.stop().await;
}
