//! CPQ's `QuoteAccepted`: its envelope is built from the flat fields, it round-trips through
//! the registry, and it maps to a capture intake the domain's QUOTE_DERIVED profile accepts,
//! with every field and amount carried over unchanged.

mod support;

use std::collections::BTreeMap;

use oms_contracts::QuoteEventV1;
use oms_contracts::quote::{
    Address, CustomerRef, ItemAction, PriceComponent, PriceKind, QUOTE_ACCEPTED, QuoteAccepted,
    QuoteItem, capture_meta,
};
use oms_domain::command::{CaptureIds, CaptureOrderCommand};
use oms_domain::value::{OrderId, OrderItemId, OrderNumber};
use oms_domain::vocab::{self, CaptureMode};
use oms_domain::{OrderCommand, OrderEvent, decide};
use oms_messaging::EventContract;
use rust_decimal_macros::dec;

use support::registry::RegistryEnv;
use support::{at, day, today, uuid};

fn quote(correlation: Option<&str>) -> QuoteAccepted {
    let component = |kind, amount, recurrence: Option<&str>, description: &str| PriceComponent {
        kind,
        amount,
        recurrence_period: recurrence.map(str::to_owned),
        description: description.to_owned(),
    };
    QuoteAccepted {
        event_id: uuid(500),
        occurred_at: at(-30),
        tenant_id: "tenant-a".into(),
        correlation_id: correlation.map(str::to_owned),
        quote_id: "q-1001".into(),
        quote_revision: 4,
        quote_number: "Q-2026-0001001".into(),
        accepted_at: at(-60),
        valid_until: day(10),
        sales_channel: "PARTNER".into(),
        accepted_by: "contact-88".into(),
        approval_ref: Some("appr-9".into()),
        customer: CustomerRef {
            customer_id: "cust-1001".into(),
            account_id: "acct-2001".into(),
            billing_account_id: "ba-3001".into(),
            display_name: Some("PT Contoh Digital".into()),
        },
        service_address: Some(Address {
            line1: "Jl. Sudirman 52".into(),
            line2: None,
            city: "Jakarta".into(),
            postal_code: "10210".into(),
            country_code: "ID".into(),
        }),
        requested_start_date: Some(day(3)),
        currency: "IDR".into(),
        price_list_ref: "pl-2026".into(),
        contract_term_months: Some(24),
        items: vec![
            QuoteItem {
                quote_item_id: "qi-1".into(),
                line_number: 1,
                parent_quote_item_id: None,
                action: ItemAction::Add,
                product_offering_id: "po-fiber-1g".into(),
                product_offering_version: 3,
                product_offering_name: "Business Fiber 1Gbps".into(),
                quantity: 1,
                target_asset_id: None,
                configuration: BTreeMap::from([("bandwidth".to_owned(), "1Gbps".to_owned())]),
                price_components: vec![
                    component(
                        PriceKind::Recurring,
                        dec!(1234.5678),
                        Some("MONTHLY"),
                        "MRC",
                    ),
                    component(PriceKind::Discount, dec!(-0.0001), None, "rounding promo"),
                ],
                item_total: dec!(1234.5677),
            },
            QuoteItem {
                quote_item_id: "qi-2".into(),
                line_number: 2,
                parent_quote_item_id: Some("qi-1".into()),
                action: ItemAction::Add,
                product_offering_id: "po-router".into(),
                product_offering_version: 1,
                product_offering_name: "Managed Router".into(),
                quantity: 2,
                target_asset_id: None,
                configuration: BTreeMap::new(),
                price_components: vec![component(
                    PriceKind::OneTime,
                    dec!(9999999.9999),
                    None,
                    "max",
                )],
                item_total: dec!(9999999.9999),
            },
        ],
        configuration_hash: "cfg-9f2c".into(),
        price_hash: "price-77ab".into(),
    }
}

#[test]
fn the_envelope_comes_from_the_flat_fields() {
    let event = QuoteEventV1::from(quote(Some("corr-cpq-1")));
    let envelope = event.envelope();
    assert_eq!(envelope.event_id, uuid(500));
    assert_eq!(envelope.event_type, "QuoteAccepted");
    assert_eq!(
        (
            envelope.aggregate_type.as_str(),
            envelope.aggregate_id.as_str()
        ),
        ("Quote", "q-1001")
    );
    assert_eq!(envelope.tenant_id, "tenant-a");
    assert_eq!(envelope.occurred_at, at(-30));
    assert_eq!(envelope.correlation_id, "corr-cpq-1");
    assert_eq!(event.key(), "q-1001");
    assert_eq!(event.record_name(), QUOTE_ACCEPTED);
    // Without a correlation id the quote id correlates the flow.
    assert_eq!(
        QuoteEventV1::from(quote(None)).envelope().correlation_id,
        "q-1001"
    );
}

#[tokio::test]
async fn quote_accepted_round_trips_through_the_registry() {
    let env = RegistryEnv::new().await;
    let event = QuoteEventV1::from(quote(None));
    let (_, decoded) = env.round_trip(&event).await;
    assert_eq!(decoded, event);
}

#[test]
fn the_quote_becomes_a_quote_derived_intake_that_validates() {
    let QuoteEventV1::QuoteAccepted(event) = QuoteEventV1::from(quote(Some("corr-cpq-1")));
    let intake = event.to_capture_order();
    assert_eq!(intake.capture_mode, CaptureMode::QuoteDerived);
    assert_eq!(
        (intake.source_system.as_str(), intake.sales_channel.as_str()),
        ("cpq", "PARTNER")
    );
    let q = intake.quote.as_ref().unwrap();
    assert_eq!((q.quote_id.as_str(), q.revision), ("q-1001", 4));
    assert_eq!(q.quote_number.as_deref(), Some("Q-2026-0001001"));
    assert_eq!((q.accepted_at, q.valid_until), (at(-60), day(10)));
    assert_eq!(q.accepted_by.as_deref(), Some("contact-88"));
    assert_eq!(
        (q.configuration_hash.as_str(), q.price_hash.as_str()),
        ("cfg-9f2c", "price-77ab")
    );
    assert_eq!(q.approval_ref.as_deref(), Some("appr-9"));
    assert_eq!(intake.customer.billing_account_id, "ba-3001");
    assert_eq!(
        intake.customer.display_name.as_deref(),
        Some("PT Contoh Digital")
    );
    assert_eq!(
        intake.service_address.as_ref().unwrap().postal_code,
        "10210"
    );
    assert_eq!(intake.requested_start_date, Some(day(3)));
    assert_eq!(intake.currency, "IDR");
    assert_eq!(intake.price_list_ref.as_deref(), Some("pl-2026"));
    assert_eq!(intake.contract_term_months, Some(24));
    let router = &intake.items[1];
    assert_eq!(router.client_item_ref, "qi-2");
    assert_eq!(router.parent_ref.as_deref(), Some("qi-1"));
    assert_eq!((router.line_number, router.quantity), (2, 2));
    assert_eq!(router.action, vocab::ItemAction::Add);
    assert_eq!(router.product_offering_version, Some(1));
    assert_eq!(
        router.product_offering_name.as_deref(),
        Some("Managed Router")
    );
    assert_eq!(router.item_total, Some(dec!(9999999.9999)));
    let fiber = &intake.items[0];
    assert_eq!(fiber.price_components[0].amount, dec!(1234.5678));
    assert_eq!(
        fiber.price_components[0].recurrence_period.as_deref(),
        Some("MONTHLY")
    );
    assert_eq!(fiber.price_components[1].kind, vocab::PriceKind::Discount);
    assert_eq!(fiber.price_components[1].amount, dec!(-0.0001));
    assert_eq!(fiber.configuration["bandwidth"], "1Gbps");

    // The domain's capture rules accept it as it is.
    let meta = capture_meta(&event, at(0)).unwrap();
    assert_eq!(meta.correlation_id.as_str(), "corr-cpq-1");
    assert_eq!(
        meta.causation_id.as_ref().unwrap().as_str(),
        uuid(500).to_string()
    );
    assert_eq!(meta.actor.id(), "cpq");
    let command = OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
        ids: CaptureIds {
            order_id: OrderId::from_uuid(uuid(600)),
            order_number: OrderNumber::parse("O-2026-00000600").unwrap(),
            item_ids: vec![
                OrderItemId::from_uuid(uuid(601)),
                OrderItemId::from_uuid(uuid(602)),
            ],
        },
        intake,
        context: oms_domain::CaptureContext::new(support::tenant(), today()),
    }));
    let events = decide(None, command, &meta).unwrap();
    let Some(OrderEvent::OrderValidated(validated)) = events.get(1) else {
        panic!("expected OrderValidated, got {events:#?}")
    };
    let header = &validated.content.header;
    assert_eq!(header.commercial.order_total.amount(), dec!(10001234.5676));
    assert_eq!(header.source.quote.as_ref().unwrap().revision, 4);
    assert_eq!(
        validated.content.items[0].price.total().amount(),
        dec!(1234.5677)
    );
}
