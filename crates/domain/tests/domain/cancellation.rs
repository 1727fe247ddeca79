//! Cancellation, compensation and repair (004 §27, DOMAIN §4 and §8).

use oms_domain::lifecycle::{ItemState, OrderState};
use oms_domain::vocab::{CancellationFeasibility as F, FalloutCategory, RepairResolution};
use oms_domain::{OrderCommand, replay};

use crate::support::{
    Story, assess, cancel, complete, given, item_cancelled, item_id, raise, repair, request_id,
    start,
};

#[test]
fn cancellation_before_fulfillment_starts_cancels_directly() {
    for state in [
        OrderState::Draft,
        OrderState::Submitted,
        OrderState::Validated,
        OrderState::Decomposed,
    ] {
        let story = Story::reaching(state, 2);
        let after = given(&story)
            .when(cancel())
            .then_expect_types(&["OrderCancelled"]);
        assert_eq!(after.state, OrderState::Cancelled);
        let events =
            oms_domain::decide(Some(story.order()), cancel(), &crate::support::meta()).unwrap();
        let oms_domain::OrderEvent::OrderCancelled(fact) = &events[0] else {
            panic!("cancelled event")
        };
        // Billing can tell a never-validated order (nothing billable) from a validated one.
        let validated = matches!(state, OrderState::Validated | OrderState::Decomposed);
        assert_eq!(
            fact.billing_account_id
                .as_ref()
                .map(oms_domain::value::BillingAccountId::as_str),
            validated.then_some("ba-3001"),
            "{state:?}"
        );
        // Items exist (typed) from validation on.
        assert_eq!(
            fact.cancelled_item_ids.len(),
            if validated { 2 } else { 0 },
            "{state:?}"
        );
        assert!(
            after
                .items()
                .iter()
                .all(|i| i.state == ItemState::Cancelled)
        );
    }
}

#[test]
fn golden_scenario_cancellation_after_reservation_goes_through_cancelling() {
    // Given IN_PROGRESS with a reversible task done; when cancellation is requested
    // then the order waits for assessment, compensates, and only then is CANCELLED.
    let story = Story::in_progress(2).then(start(0));
    let requested = given(&story)
        .when(cancel())
        .then_expect_types(&["OrderCancellationRequested"]);
    assert_eq!(requested.state, OrderState::CancellationRequested);
    let story = story.then(cancel());
    let cancelling = given(&story)
        .when(assess(F::FullyCancellable, vec![]))
        .then_expect_types(&["OrderCancellationAssessed"]);
    assert_eq!(cancelling.state, OrderState::Cancelling);
    assert!(
        cancelling
            .items()
            .iter()
            .all(|i| i.state == ItemState::Cancelling)
    );
    let story = story
        .then(assess(F::FullyCancellable, vec![]))
        .then(item_cancelled(0));
    let done = given(&story)
        .when(item_cancelled(1))
        .then_expect_types(&["OrderItemCancelled", "OrderCancelled"]);
    assert_eq!(done.state, OrderState::Cancelled);
    let audit: Vec<&str> = story
        .events
        .iter()
        .map(oms_domain::DomainEvent::event_type)
        .collect();
    assert!(
        audit.contains(&"OrderCancellationRequested")
            && audit.contains(&"OrderCancellationAssessed")
    );
}

#[test]
fn cancellation_after_irreversible_activation_keeps_the_activated_item() {
    let story = Story::in_progress(2).then(complete(0)).then(cancel());
    let after = given(&story)
        .when(assess(F::PartiallyCancellable, vec![]))
        .then_expect_types(&["OrderCancellationAssessed"]);
    assert_eq!(after.item(item_id(0)).unwrap().state, ItemState::Completed);
    assert_eq!(after.item(item_id(1)).unwrap().state, ItemState::Cancelling);
    let story = story.then(assess(F::PartiallyCancellable, vec![]));
    // the cancelled item is no longer executable: the order completes with the rest
    let done = given(&story).when(item_cancelled(1)).then_expect_types(&[
        "OrderItemCancelled",
        "OrderCancellationCompleted",
        "OrderCompleted",
    ]);
    assert_eq!(done.state, OrderState::Completed);
    assert_eq!(done.item(item_id(0)).unwrap().state, ItemState::Completed);
    assert_eq!(done.item(item_id(1)).unwrap().state, ItemState::Cancelled);
}

#[test]
fn partial_assessment_may_only_compensate_completed_items() {
    let story = Story::in_progress(2).then(complete(0)).then(cancel());
    given(&story)
        .when(assess(F::PartiallyCancellable, vec![item_id(1)]))
        .then_error("CANCELLATION_SCOPE_INVALID");
    let after = given(&story)
        .when(assess(F::PartiallyCancellable, vec![item_id(0)]))
        .then_expect_types(&["OrderCancellationAssessed"]);
    assert_eq!(after.item(item_id(0)).unwrap().state, ItemState::Cancelling);
}

#[test]
fn not_cancellable_returns_to_the_prior_state_and_manual_review_waits() {
    let story = Story::in_progress(2).then(cancel());
    let back = given(&story)
        .when(assess(F::NotCancellable, vec![]))
        .then_expect_types(&["OrderCancellationAssessed", "OrderCancellationRejected"]);
    assert_eq!(back.state, OrderState::InProgress);
    assert!(back.cancellation.is_none());
    let waiting = given(&story)
        .when(assess(F::RequiresManualReview, vec![]))
        .then_expect_types(&["OrderCancellationAssessed"]);
    assert_eq!(waiting.state, OrderState::CancellationRequested);
}

#[test]
fn nothing_left_to_cancel_must_be_recorded_as_not_cancellable() {
    let story = Story::in_progress(1).then(cancel()).then(complete(0));
    given(&story)
        .when(assess(F::PartiallyCancellable, vec![]))
        .then_error("CANCELLATION_SCOPE_INVALID");
    let after = given(&story)
        .when(assess(F::NotCancellable, vec![]))
        .then_expect_types(&[
            "OrderCancellationAssessed",
            "OrderCancellationRejected",
            "OrderCompleted",
        ]);
    assert_eq!(after.state, OrderState::Completed);
}

#[test]
fn duplicate_cancellation_is_refused_and_a_foreign_request_id_does_not_match() {
    let story = Story::in_progress(2).then(cancel());
    given(&story)
        .when(cancel())
        .then_error("CANCELLATION_ALREADY_REQUESTED");
    let other = oms_domain::value::CancellationRequestId::from_uuid(crate::support::uuid(4999));
    let foreign = |feasibility| {
        let OrderCommand::RecordCancellationAssessment(mut a) = assess(feasibility, vec![]) else {
            unreachable!()
        };
        a.request_id = other;
        OrderCommand::RecordCancellationAssessment(a)
    };
    given(&Story::in_progress(2))
        .when(foreign(F::FullyCancellable))
        .then_error("ORDER_TRANSITION_NOT_ALLOWED");
    given(&story)
        .when(foreign(F::FullyCancellable))
        .then_error("CANCELLATION_REQUEST_MISMATCH");
    assert_eq!(
        story.order().cancellation.as_ref().unwrap().request_id,
        request_id()
    );
}

#[test]
fn compensation_failure_creates_fallout_and_manual_repair_resumes_cancellation() {
    let story = Story::reaching(OrderState::Cancelling, 2);
    let fallout = given(&story)
        .when(raise(1, FalloutCategory::Compensation))
        .then_expect_types(&["OrderFalloutRaised"]);
    assert_eq!(fallout.state, OrderState::Fallout);
    let story = story.then(raise(1, FalloutCategory::Compensation));
    let resumed = given(&story)
        .when(repair(1, RepairResolution::Resume))
        .then_expect_types(&["OrderFalloutRepaired"]);
    assert_eq!(resumed.state, OrderState::Cancelling);
    let story = story
        .then(repair(1, RepairResolution::Resume))
        .then(item_cancelled(0))
        .then(item_cancelled(1));
    assert_eq!(story.state(), Some(OrderState::Cancelled));
}

#[test]
fn cancelling_a_completed_order_points_to_a_disconnect_order() {
    let story = Story::reaching(OrderState::Completed, 1);
    let err = given(&story)
        .when(cancel())
        .then_error("COMPLETED_ORDER_NOT_CANCELLABLE");
    assert!(err.to_string().contains("DISCONNECT"), "{err}");
}

#[test]
fn replaying_the_events_rebuilds_the_same_order_without_duplicate_effects() {
    let story = Story::reaching(OrderState::Cancelling, 2)
        .then(item_cancelled(0))
        .then(item_cancelled(1));
    assert_eq!(replay(&story.events).as_ref(), story.order.as_ref());
    let cancelled = story
        .events
        .iter()
        .filter(|e| matches!(e, oms_domain::OrderEvent::OrderCancelled(_)))
        .count();
    assert_eq!(cancelled, 1);
}
