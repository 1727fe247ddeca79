//! Invariants of DOMAIN §9 and the domain test lists of 000 §27.1/§27.3 and 001 §21.2.

use oms_domain::lifecycle::{ItemState, OrderState};
use oms_domain::vocab::{DecompositionFailureCode, FalloutCategory, HoldType, RepairResolution};
use oms_domain::{DomainEvent, OrderCommand, next_automatic_command};

use crate::support::{
    Story, capture, complete, context, decomposition_failed, draft, fail, given, meta, place_hold,
    plan, quote_intake, raise, release_hold, repair, waive,
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
    assert_eq!(fact.price.total().amount(), rust_decimal_macros::dec!(100));
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

#[test]
fn quote_conversion_preserves_revision_and_commercial_snapshot() {
    let order = given(&Story::new())
        .when(capture(quote_intake(2), context()))
        .then_expect_types(&["OrderCaptured", "OrderValidated"]);
    let header = &order.content.as_ref().unwrap().header;
    let quote = header.source.quote.as_ref().unwrap();
    assert_eq!((quote.quote_id.as_str(), quote.revision), ("q-1001", 4));
    assert_eq!(
        header.commercial.price_hash.as_ref().unwrap().as_str(),
        "price-hash"
    );
    assert_eq!(
        header
            .commercial
            .configuration_hash
            .as_ref()
            .unwrap()
            .as_str(),
        "cfg-hash"
    );
    assert_eq!(
        header.commercial.approval_ref.as_ref().unwrap().as_str(),
        "appr-9"
    );
    assert_eq!(
        header.commercial.order_total.amount(),
        rust_decimal_macros::dec!(200)
    );
    assert_eq!(header.commercial.term_months, Some(36));
    assert_eq!(
        header.dates.submitted_at,
        crate::support::at(-60),
        "submitted = quote acceptance"
    );
    assert_eq!(
        header.order_type,
        oms_domain::vocab::OrderType::NewProvide,
        "derived from ADD actions"
    );
    assert_eq!(header.parties.billing_account_id.as_str(), "ba-3001");
    assert_eq!(order.items()[0].client_item_ref.as_str(), "qi-0");
    assert_eq!(
        order.customer_status(),
        oms_domain::lifecycle::CustomerStatus::Processing
    );
}

#[test]
fn one_quote_revision_yields_at_most_one_order() {
    let mut ctx = context();
    ctx.quote_converted_by = Some(oms_domain::value::OrderId::from_uuid(crate::support::uuid(
        77,
    )));
    let err = given(&Story::new())
        .when(capture(quote_intake(1), ctx))
        .then_error("QUOTE_ALREADY_CONVERTED");
    assert!(
        err.to_string()
            .contains(&crate::support::uuid(77).to_string())
    );
}

#[test]
fn a_rejected_capture_is_still_an_order_with_its_violations() {
    let mut intake = quote_intake(1);
    intake.items[0].action = oms_domain::vocab::ItemAction::Modify;
    let order = given(&Story::new())
        .when(capture(intake, context()))
        .then_expect_types(&["OrderCaptured", "OrderRejected"]);
    assert_eq!(order.state, OrderState::Rejected);
    assert!(order.content.is_none());
    assert_eq!(order.violations[0].path, "items[0].targetAssetId");
    assert_eq!(
        order.customer_status(),
        oms_domain::lifecycle::CustomerStatus::Rejected
    );
}

#[test]
fn capture_refuses_misaligned_item_ids_and_existing_orders() {
    let mut cmd = capture(quote_intake(2), context());
    if let OrderCommand::CaptureOrder(c) = &mut cmd {
        c.ids.item_ids.pop();
    }
    given(&Story::new())
        .when(cmd)
        .then_error("ITEM_IDS_MISMATCH");
    let mut dup = capture(quote_intake(2), context());
    if let OrderCommand::CaptureOrder(c) = &mut dup {
        c.ids.item_ids[1] = c.ids.item_ids[0];
    }
    given(&Story::new())
        .when(dup)
        .then_error("DUPLICATE_ITEM_ID");
    let mut foreign = context();
    foreign.caller_tenant = oms_domain::value::TenantId::parse("tenant-b").unwrap();
    let submitted = Story::reaching(OrderState::Submitted, 1);
    given(&submitted)
        .when(OrderCommand::ValidateOrder {
            context: Box::new(foreign),
        })
        .then_error("TENANT_MISMATCH");
}

#[test]
fn customer_status_never_leaks_internal_states() {
    use oms_domain::lifecycle::CustomerStatus as C;
    let cases = [
        (OrderState::Submitted, C::Received),
        (OrderState::InProgress, C::Processing),
        (OrderState::Fallout, C::Processing),
        (OrderState::Cancelling, C::Processing),
        (OrderState::Completed, C::Completed),
        (OrderState::Cancelled, C::Cancelled),
        (OrderState::FailedClosed, C::Cancelled),
        (OrderState::Rejected, C::Rejected),
    ];
    for (state, expected) in cases {
        assert_eq!(
            Story::reaching(state, 2).order().customer_status(),
            expected,
            "{state:?}"
        );
    }
    let held = Story::in_progress(1).then(place_hold(1, false));
    assert_eq!(
        held.order().customer_status(),
        C::ActionRequired,
        "credit hold: the customer can act"
    );
    let fraud = Story::in_progress(1).then(OrderCommand::PlaceHold {
        hold_id: crate::support::hold_id(2),
        hold_type: HoldType::Fraud,
        blocking: true,
    });
    assert_eq!(
        fraud.order().customer_status(),
        C::Processing,
        "fraud suspicion never shows"
    );
    assert_eq!(C::ActionRequired.label(), "Action required");
}

#[test]
fn every_event_carries_meta_version_tenant_and_a_past_tense_type() {
    let story = Story::reaching(OrderState::Completed, 2);
    for (n, event) in story.events.iter().enumerate() {
        assert_eq!(
            event.base().order_version,
            n as u64 + 1,
            "{}",
            event.event_type()
        );
        assert_eq!(event.tenant_id().as_str(), "tenant-a");
        assert_eq!(event.aggregate_id(), crate::support::order_id().to_string());
        assert_eq!(event.aggregate_type(), "Order");
        assert_eq!(event.event_version(), 1);
        assert!(oms_domain::OrderEvent::EVENT_TYPES.contains(&event.event_type()));
        assert_eq!(event.meta().correlation_id.as_str(), "corr-1");
    }
    assert_eq!(story.order().version, story.events.len() as u64);
}
