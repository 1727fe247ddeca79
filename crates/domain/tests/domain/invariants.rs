//! Invariants of DOMAIN §9 and the domain test lists of 000 §27.1/§27.3 and 001 §21.2.

use oms_domain::lifecycle::{ItemState, OrderState};
use oms_domain::vocab::{DecompositionFailureCode, FalloutCategory, HoldType, RepairResolution};
use oms_domain::{DomainEvent, OrderCommand, next_automatic_command};

use crate::support::{
    Story, complete, decomposition_failed, draft, fail, given, meta, place_hold, plan,
    quote_intake, raise, release_hold, repair, waive,
};

#[test]
fn cannot_submit_an_order_without_items() {
    let story = Story::new().then(draft(quote_intake(0)));
    given(&story)
        .when(OrderCommand::SubmitOrder)
        .then_error("ORDER_HAS_NO_ITEMS");
}

#[test]
fn cannot_start_fulfillment_before_validation_and_decomposition() {
    for state in [
        OrderState::Draft,
        OrderState::Submitted,
        OrderState::Validated,
    ] {
        given(&Story::reaching(state, 1))
            .when(OrderCommand::ReleaseForFulfillment)
            .then_error("ORDER_TRANSITION_NOT_ALLOWED");
    }
    // Decomposition is only recorded after release to decomposition.
    given(&Story::validated(1))
        .when(plan(1))
        .then_error("NOT_RELEASED_FOR_DECOMPOSITION");
}

#[test]
fn an_active_blocking_hold_prevents_release_and_fulfillment_start() {
    let story = Story::decomposed(1).then(place_hold(1, true));
    let err = given(&story)
        .when(OrderCommand::ReleaseForFulfillment)
        .then_error("BLOCKING_HOLD_ACTIVE");
    assert!(
        err.to_string()
            .contains(&crate::support::hold_id(1).to_string())
    );
    assert_eq!(next_automatic_command(story.order()), None);
    let released = story.then(release_hold(1));
    assert_eq!(
        next_automatic_command(released.order()),
        Some(OrderCommand::ReleaseForFulfillment)
    );
    given(&released)
        .when(OrderCommand::ReleaseForFulfillment)
        .then_expect_types(&["OrderReleasedForFulfillment"]);
    // A non-blocking hold is informational only.
    let informational = Story::decomposed(1).then(place_hold(2, false));
    given(&informational)
        .when(OrderCommand::ReleaseForFulfillment)
        .then_expect_types(&["OrderReleasedForFulfillment"]);
    let events = oms_domain::decide(
        Some(informational.order()),
        OrderCommand::ReleaseForFulfillment,
        &crate::support::meta(),
    )
    .unwrap();
    let oms_domain::OrderEvent::OrderReleasedForFulfillment(released) = &events[0] else {
        panic!("release event")
    };
    // Fulfillment gets the whole content: it acts without calling order-capture back.
    assert_eq!(
        Some(released.content.as_ref()),
        informational.order().content.as_ref()
    );
    assert_eq!(released.order_number, informational.order().number);
    let blocked = Story::validated(1).then(place_hold(1, true));
    given(&blocked)
        .when(OrderCommand::ReleaseForDecomposition)
        .then_error("BLOCKING_HOLD_ACTIVE");
}

#[test]
fn release_for_decomposition_happens_once() {
    let story = Story::validated(1);
    assert_eq!(
        next_automatic_command(story.order()),
        Some(OrderCommand::ReleaseForDecomposition)
    );
    let released = story.then(OrderCommand::ReleaseForDecomposition);
    assert_eq!(released.state(), Some(OrderState::Validated));
    assert_eq!(next_automatic_command(released.order()), None);
    given(&released)
        .when(OrderCommand::ReleaseForDecomposition)
        .then_error("ALREADY_RELEASED_FOR_DECOMPOSITION");
}

#[test]
fn holds_need_reason_are_orthogonal_and_kept_after_release() {
    let story = Story::in_progress(1);
    given(&story)
        .when_with(place_hold(1, true), &meta())
        .then_error("REASON_REQUIRED");
    let held = given(&story)
        .when(place_hold(1, true))
        .then_expect_types(&["OrderHoldPlaced"]);
    assert_eq!(held.state, OrderState::InProgress);
    assert_eq!(held.holds[0].hold_type, HoldType::Credit);
    let story = story.then(place_hold(1, true));
    given(&story)
        .when(place_hold(1, false))
        .then_error("HOLD_ALREADY_EXISTS");
    given(&story)
        .when(release_hold(2))
        .then_error("HOLD_NOT_FOUND");
    let story = story.then(release_hold(1));
    given(&story)
        .when(release_hold(1))
        .then_error("HOLD_ALREADY_RELEASED");
    let hold = &story.order().holds[0];
    let release = hold.released.as_ref().expect("release recorded");
    assert_eq!(release.released_by.id(), "ops-7");
    assert_eq!(release.reason.as_str(), "operator decision");
}

#[test]
fn cannot_complete_while_a_required_item_is_incomplete() {
    let after = given(&Story::in_progress(2))
        .when(complete(0))
        .then_expect_types(&["OrderItemCompleted", "OrderPartiallyCompleted"]);
    assert_eq!(after.state, OrderState::PartiallyCompleted);
    let story = Story::in_progress(2).then(complete(0)).then(fail(1, 1));
    assert_eq!(
        story.state(),
        Some(OrderState::Fallout),
        "a failed required item blocks completion"
    );
    let done = given(&story)
        .when(repair(1, RepairResolution::WaiveItem))
        .then_expect_types(&["OrderFalloutRepaired", "OrderCompleted"]);
    assert_eq!(done.state, OrderState::Completed);
    assert!(done.items().iter().all(|i| i.state.is_terminal_success()));
}

#[test]
fn releasing_an_order_whose_items_were_all_waived_completes_it() {
    // A decomposition fallout repaired by waiving the only item, a new release, a plan.
    let story = Story::validated(1)
        .then(OrderCommand::ReleaseForDecomposition)
        .then(decomposition_failed(
            1,
            DecompositionFailureCode::DecompositionRuleMissing,
        ))
        .then(repair(1, RepairResolution::WaiveItem))
        .then(OrderCommand::ReleaseForDecomposition)
        .then(plan(1));
    assert_eq!(story.state(), Some(OrderState::Decomposed));
    let done = given(&story)
        .when(OrderCommand::ReleaseForFulfillment)
        .then_expect_types(&["OrderReleasedForFulfillment", "OrderCompleted"]);
    assert_eq!(done.state, OrderState::Completed);
    assert_eq!(done.item_states(), vec![ItemState::Waived]);
}

#[test]
fn completion_fact_carries_what_billing_needs() {
    let story = Story::in_progress(1);
    let after = given(&story)
        .when(complete(0))
        .then_expect_types(&["OrderItemCompleted", "OrderCompleted"]);
    let events =
        oms_domain::decide(story.order.as_ref(), complete(0), &crate::support::meta_r()).unwrap();
    let oms_domain::OrderEvent::OrderItemCompleted(fact) = &events[0] else {
        panic!("first event")
    };
    assert_eq!(fact.billing_account_id.as_str(), "ba-3001");
    assert_eq!(fact.product.offering_id.as_str(), "po-fiber-0");
    assert_eq!(fact.product.offering_version, Some(3));
    assert_eq!(fact.price.total().amount(), rust_decimal_macros::dec!(100));
    let oms_domain::OrderEvent::OrderCompleted(done) = &events[1] else {
        panic!("second event")
    };
    assert_eq!(done.order_number, story.order().number);
    assert_eq!(done.completed_item_ids, vec![crate::support::item_id(0)]);
    assert_eq!(
        fact.actual_asset_id.as_ref().unwrap().as_str(),
        "asset-new-0"
    );
    assert_eq!(fact.activation_date, Some(crate::support::today()));
    assert!(after.completed_at.is_some());
}

#[test]
fn decomposition_failures_raise_classified_fallout_and_repair_rereleases() {
    for failure in DecompositionFailureCode::ALL {
        let story = Story::validated(1).then(OrderCommand::ReleaseForDecomposition);
        let after = given(&story)
            .when(decomposition_failed(1, failure))
            .then_expect_types(&["OrderFalloutRaised"]);
        assert_eq!(after.state, OrderState::Fallout);
        let case = &after.fallout.as_ref().unwrap().cases[0];
        assert_eq!(case.code.as_str(), failure.as_str());
        assert_eq!(case.category, FalloutCategory::Decomposition);
    }
    let story = Story::validated(1)
        .then(OrderCommand::ReleaseForDecomposition)
        .then(decomposition_failed(
            1,
            DecompositionFailureCode::UnsupportedActionType,
        ))
        .then(repair(1, RepairResolution::Resume));
    assert_eq!(story.state(), Some(OrderState::Validated));
    assert_eq!(
        next_automatic_command(story.order()),
        Some(OrderCommand::ReleaseForDecomposition)
    );
}

#[test]
fn an_inconsistent_plan_is_refused() {
    let story = Story::validated(2).then(OrderCommand::ReleaseForDecomposition);
    given(&story)
        .when(plan(1))
        .then_error("DECOMPOSITION_PLAN_INCONSISTENT");
}

#[test]
fn manual_repair_needs_actor_and_reason_and_is_audited() {
    let story = Story::in_progress(2).then(fail(0, 1));
    given(&story)
        .when_with(repair(1, RepairResolution::RetryItem), &meta())
        .then_error("REASON_REQUIRED");
    given(&story)
        .when(repair(1, RepairResolution::Resume))
        .then_error("FAILED_ITEM_UNRESOLVED");
    given(&story)
        .when(repair(9, RepairResolution::Resume))
        .then_error("FALLOUT_NOT_FOUND");
    let events = oms_domain::decide(
        story.order.as_ref(),
        repair(1, RepairResolution::RetryItem),
        &crate::support::meta_r(),
    )
    .unwrap();
    assert_eq!(events[0].meta().actor.id(), "ops-7");
    assert_eq!(
        events[0].meta().reason.as_ref().unwrap().as_str(),
        "operator decision"
    );
    let after = events
        .iter()
        .fold(story.order.clone(), oms_domain::evolve)
        .unwrap();
    assert_eq!(after.state, OrderState::InProgress);
    assert_eq!(
        after.item(crate::support::item_id(0)).unwrap().state,
        ItemState::InProgress
    );
}

#[test]
fn repair_resumes_only_after_the_last_open_case() {
    let story = Story::in_progress(1)
        .then(raise(1, FalloutCategory::Fulfillment))
        .then(raise(2, FalloutCategory::Fulfillment));
    given(&story)
        .when(raise(2, FalloutCategory::Manual))
        .then_error("FALLOUT_ALREADY_OPEN");
    let story = story.then(repair(1, RepairResolution::Resume));
    assert_eq!(story.state(), Some(OrderState::Fallout));
    let story = story.then(repair(2, RepairResolution::Resume));
    assert_eq!(story.state(), Some(OrderState::InProgress));
}

#[test]
fn waiving_needs_a_reason_and_a_policy() {
    let story = Story::in_progress(2);
    given(&story)
        .when_with(waive(0), &meta())
        .then_error("REASON_REQUIRED");
    let after = given(&story)
        .when(waive(0))
        .then_expect_types(&["OrderItemWaived", "OrderPartiallyCompleted"]);
    assert_eq!(
        after.item(crate::support::item_id(0)).unwrap().state,
        ItemState::Waived
    );
}

#[test]
fn closing_a_failed_order_is_terminal_and_needs_a_reason() {
    let story = Story::reaching(OrderState::Fallout, 2);
    given(&story)
        .when_with(OrderCommand::CloseAsFailed, &meta())
        .then_error("REASON_REQUIRED");
    let closed = given(&story)
        .when(OrderCommand::CloseAsFailed)
        .then_expect_types(&["OrderFailedClosed"]);
    assert_eq!(closed.state, OrderState::FailedClosed);
    assert!(closed.closed_at.is_some());
}
