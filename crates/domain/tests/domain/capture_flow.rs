//! Capture as a whole (conversion evidence, duplicates, rejection as data), the
//! customer-facing projection, and the metadata every order event carries.

use oms_domain::lifecycle::OrderState;
use oms_domain::vocab::HoldType;
use oms_domain::{DomainEvent, OrderCommand};

use crate::support::{Story, capture, context, given, place_hold, quote_intake};

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
