//! Every event type of every OMS topic: domain -> contract -> Confluent wire format through
//! the real schema registry -> contract -> domain, equal to the original (minus the
//! customer's display name, which is deliberately not published).

mod support;

use std::collections::BTreeSet;

use oms_contracts::{AssetEventV1, DecompositionEventV1, FulfillmentEventV1, OrderEventV1};
use oms_domain::events::{AssetEvent, DecompositionEvent, FulfillmentEvent};
use oms_domain::{DomainEvent, OrderEvent};
use oms_messaging::{Envelope, EventContract};

use support::orders::{DISPLAY_NAME, all_order_events};
use support::registry::RegistryEnv;
use support::{facts, uuid};

/// The envelope describes the domain event and has a fresh UUID v7 id.
fn assert_envelope<E: DomainEvent>(envelope: &Envelope, event: &E) {
    assert_eq!(envelope.event_type, event.event_type());
    assert_eq!(envelope.event_version, 1);
    assert_eq!(envelope.aggregate_type, event.aggregate_type());
    assert_eq!(envelope.aggregate_id, event.aggregate_id());
    assert_eq!(envelope.tenant_id, event.tenant_id().as_str());
    assert_eq!(envelope.occurred_at, event.meta().at);
    assert_eq!(
        envelope.correlation_id,
        event.meta().correlation_id.as_str()
    );
    assert_eq!(
        envelope.causation_id.as_deref(),
        event
            .meta()
            .causation_id
            .as_ref()
            .map(oms_domain::value::CausationId::as_str)
    );
    assert_eq!(envelope.event_id.get_version_num(), 7);
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// What a consumer gets back: the original without the display name.
fn published(event: &OrderEvent) -> OrderEvent {
    let mut event = event.clone();
    match &mut event {
        OrderEvent::OrderCaptured(e) => e.intake.customer.display_name = None,
        OrderEvent::OrderValidated(e) => e.content.header.parties.customer_display_name = None,
        OrderEvent::OrderReleasedForDecomposition(e) => {
            e.content.header.parties.customer_display_name = None;
        }
        OrderEvent::OrderReleasedForFulfillment(e) => {
            e.content.header.parties.customer_display_name = None;
        }
        OrderEvent::OrderAmendmentRequested(e) => {
            e.proposed_content.header.parties.customer_display_name = None;
        }
        OrderEvent::OrderAmendmentApplied(e) => {
            e.content.header.parties.customer_display_name = None;
        }
        _ => {}
    }
    event
}

#[tokio::test]
async fn every_order_event_round_trips_and_keeps_no_display_name() {
    let env = RegistryEnv::new().await;
    let events = all_order_events();
    let types: BTreeSet<&str> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, OrderEvent::EVENT_TYPES.iter().copied().collect());
    for event in &events {
        let contract = OrderEventV1::from(event);
        assert_envelope(contract.envelope(), event);
        assert_eq!(contract.key(), event.aggregate_id());
        assert_eq!(
            contract.record_name(),
            format!("com.example.oms.order.v1.{}", event.event_type())
        );
        let (bytes, decoded) = env.round_trip(&contract).await;
        assert_eq!(decoded, contract, "{}", event.event_type());
        assert!(
            !contains(&bytes, DISPLAY_NAME),
            "{} publishes the display name",
            event.event_type()
        );
        let back = OrderEvent::try_from(&decoded)
            .unwrap_or_else(|e| panic!("{}: {e} ({})", event.event_type(), e.code()));
        assert_eq!(back, published(event), "{}", event.event_type());
    }
    // The fixture does carry the name, so the check above is not vacuous.
    assert!(matches!(&events[0], OrderEvent::OrderCaptured(e)
        if e.intake.customer.display_name.as_deref() == Some(DISPLAY_NAME)));
}

#[tokio::test]
async fn every_decomposition_event_round_trips() {
    let env = RegistryEnv::new().await;
    let events = facts::decomposition_events();
    let types: BTreeSet<&str> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(
        types,
        DecompositionEvent::EVENT_TYPES.iter().copied().collect()
    );
    for event in &events {
        let contract = DecompositionEventV1::from(event);
        assert_envelope(contract.envelope(), event);
        let (_, decoded) = env.round_trip(&contract).await;
        assert_eq!(decoded, contract);
        assert_eq!(&DecompositionEvent::try_from(&decoded).unwrap(), event);
    }
}

#[tokio::test]
async fn every_fulfillment_event_round_trips() {
    let env = RegistryEnv::new().await;
    let events = facts::fulfillment_events();
    let types: BTreeSet<&str> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(
        types,
        FulfillmentEvent::EVENT_TYPES.iter().copied().collect()
    );
    for event in &events {
        let contract = FulfillmentEventV1::from(event);
        assert_envelope(contract.envelope(), event);
        let (_, decoded) = env.round_trip(&contract).await;
        assert_eq!(decoded, contract);
        assert_eq!(&FulfillmentEvent::try_from(&decoded).unwrap(), event);
    }
}

#[tokio::test]
async fn every_asset_event_round_trips_keyed_by_asset_id() {
    let env = RegistryEnv::new().await;
    let events = facts::asset_events();
    let types: BTreeSet<&str> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(types, AssetEvent::EVENT_TYPES.iter().copied().collect());
    for event in &events {
        let contract = AssetEventV1::from(event);
        assert_envelope(contract.envelope(), event);
        assert_eq!(contract.key(), "asset-new-1");
        let (_, decoded) = env.round_trip(&contract).await;
        assert_eq!(decoded, contract);
        assert_eq!(&AssetEvent::try_from(&decoded).unwrap(), event);
    }
}

#[test]
fn each_conversion_mints_a_new_event_id() {
    let event = &all_order_events()[0];
    let first = OrderEventV1::from(event);
    let second = OrderEventV1::from(event);
    assert_ne!(first.envelope().event_id, second.envelope().event_id);
    assert_eq!(first.envelope().occurred_at, second.envelope().occurred_at);
    assert_eq!(
        first.envelope().causation_id.as_deref(),
        Some(uuid(9000).to_string().as_str())
    );
}
