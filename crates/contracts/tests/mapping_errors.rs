//! Contracts that decode but do not map onto valid domain values fail with a stable code
//! (what consumers put on the dead letter), naming the field.

mod support;

use oms_contracts::{AssetEventV1, FulfillmentEventV1, MappingError, OrderEventV1};
use oms_domain::OrderEvent;
use oms_domain::events::{AssetEvent, FulfillmentEvent};
use oms_messaging::HandlerError;
use rust_decimal_macros::dec;
use uuid::Uuid;

use support::facts;
use support::orders::all_order_events;

fn order_event(event_type: &str) -> OrderEventV1 {
    let event = all_order_events()
        .into_iter()
        .find(|e| oms_domain::DomainEvent::event_type(e) == event_type)
        .unwrap();
    OrderEventV1::from(&event)
}

fn error_of(event: &OrderEventV1) -> MappingError {
    OrderEvent::try_from(event).expect_err("the contract must not map")
}

fn assert_invalid(error: &MappingError, field: &str) {
    assert_eq!(error.code(), "CONTRACT_VALUE_INVALID", "{error}");
    assert!(
        matches!(error, MappingError::InvalidValue { field: f, .. } if f == field),
        "expected field {field}: {error}"
    );
}

#[test]
fn a_nil_or_blank_id_is_an_invalid_value() {
    let OrderEventV1::OrderItemCompleted(mut completed) = order_event("OrderItemCompleted") else {
        unreachable!()
    };
    completed.billing_account_id = "  ".into();
    let error = error_of(&OrderEventV1::OrderItemCompleted(completed.clone()));
    assert_invalid(&error, "billingAccountId");
    assert_eq!(
        error.to_string(),
        "field billingAccountId: billingAccountId must not be blank"
    );
    completed.billing_account_id = "ba-3001".into();
    completed.item_id = Uuid::nil();
    assert_invalid(
        &error_of(&OrderEventV1::OrderItemCompleted(completed)),
        "itemId",
    );
}

#[test]
fn a_price_whose_components_do_not_sum_to_the_total_is_refused() {
    let OrderEventV1::OrderItemCompleted(mut completed) = order_event("OrderItemCompleted") else {
        unreachable!()
    };
    completed.price.total += dec!(0.0001);
    assert_invalid(
        &error_of(&OrderEventV1::OrderItemCompleted(completed.clone())),
        "price",
    );
    completed.price.total -= dec!(0.0001);
    completed.price.currency = "idr".into();
    assert_invalid(
        &error_of(&OrderEventV1::OrderItemCompleted(completed)),
        "price.currency",
    );
}

#[test]
fn an_envelope_about_another_aggregate_or_type_is_a_mismatch() {
    let OrderEventV1::OrderCompleted(mut done) = order_event("OrderCompleted") else {
        unreachable!()
    };
    done.envelope.aggregate_id = Uuid::now_v7().to_string();
    let error = error_of(&OrderEventV1::OrderCompleted(done.clone()));
    assert_eq!(error.code(), "CONTRACT_ENVELOPE_MISMATCH");
    assert!(error.to_string().contains("aggregateId"), "{error}");
    done.envelope.aggregate_id = done.order_id.to_string();
    done.envelope.event_type = "OrderCancelled".into();
    let error = error_of(&OrderEventV1::OrderCompleted(done));
    assert_eq!(error.code(), "CONTRACT_ENVELOPE_MISMATCH");
    assert!(
        error.to_string().contains("eventType is 'OrderCancelled'"),
        "{error}"
    );
}

#[test]
fn a_tampered_configuration_hash_and_an_unknown_rule_code_are_refused() {
    let OrderEventV1::OrderReleasedForDecomposition(mut released) =
        order_event("OrderReleasedForDecomposition")
    else {
        unreachable!()
    };
    released.content.items[0]
        .configuration
        .values
        .insert("bandwidth".into(), "10Gbps".into());
    assert_invalid(
        &error_of(&OrderEventV1::OrderReleasedForDecomposition(released)),
        "items.configuration.hash",
    );
    let OrderEventV1::OrderRejected(mut rejected) = order_event("OrderRejected") else {
        unreachable!()
    };
    assert!(!rejected.violations.is_empty());
    rejected.violations[0].code = "CODE_FROM_THE_FUTURE".into();
    assert_invalid(
        &error_of(&OrderEventV1::OrderRejected(rejected)),
        "violations.code",
    );
}

#[test]
fn out_of_range_numbers_and_bad_asset_envelopes_are_refused() {
    let started = facts::fulfillment_events().remove(0);
    let FulfillmentEventV1::FulfillmentTaskStarted(mut contract) =
        FulfillmentEventV1::from(&started)
    else {
        unreachable!()
    };
    contract.attempt = -1;
    let error = FulfillmentEvent::try_from(&FulfillmentEventV1::FulfillmentTaskStarted(contract))
        .expect_err("negative attempt");
    assert_eq!(error.code(), "CONTRACT_VALUE_OUT_OF_RANGE");
    assert_eq!(error.to_string(), "field attempt: -1 is out of range");

    let created = facts::asset_events().remove(0);
    let AssetEventV1::AssetCreated(mut contract) = AssetEventV1::from(&created) else {
        unreachable!()
    };
    contract.asset_id = "asset-other".into();
    let error = AssetEvent::try_from(&AssetEventV1::AssetCreated(contract.clone()))
        .expect_err("asset id differs from the key");
    assert_eq!(error.code(), "CONTRACT_ENVELOPE_MISMATCH");
    contract.asset_id = "asset-new-1".into();
    contract.asset.quantity = 0;
    let error =
        AssetEvent::try_from(&AssetEventV1::AssetCreated(contract)).expect_err("quantity 0");
    assert_invalid(&error, "asset.quantity");
    match HandlerError::from(error) {
        HandlerError::Permanent { code, message } => {
            assert_eq!(code, "CONTRACT_VALUE_INVALID");
            assert!(message.contains("asset.quantity"), "{message}");
        }
        HandlerError::Transient(e) => panic!("a contract error is permanent, got {e}"),
    }
}
