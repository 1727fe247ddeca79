//! The planner input is built from the real event: `OrderReleasedForDecomposition` with its
//! `OrderContent`. Prices, parties and dates do not change a plan; configuration,
//! hierarchy, dependencies and the service location do.

use chrono::{TimeZone, Utc};
use oms_decomposition::planner::{PlanningInput, decompose};
use oms_domain::events::{OrderEventBase, OrderReleasedForDecomposition};
use oms_domain::lifecycle::{FulfillmentState, ItemState};
use oms_domain::meta::{Actor, TransitionMeta};
use oms_domain::order::{
    CommercialSnapshot, OrderContent, OrderDates, OrderHeader, OrderItem, OrderSource, PartyRoles,
    PriceComponent, PriceSnapshot, ProductSnapshot,
};
use oms_domain::value::{
    AccountId, BillingAccountId, ClientItemRef, CorrelationId, CurrencyCode, CustomerId,
    LineNumber, Money, OrderNumber, ProductOfferingId, Quantity, SalesChannel, SourceSystem,
    TenantId,
};
use oms_domain::vocab::{OrderIntent, OrderType, PriceKind};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::support::{address, config, fiber_bundle, order_id, sample_catalog};

fn idr(amount: i64) -> Money {
    Money::parse(Decimal::from(amount), CurrencyCode::parse("IDR").unwrap()).unwrap()
}

/// The fiber bundle as order-capture releases it, with prices and parties.
fn released_fiber_bundle(monthly_price: i64) -> OrderReleasedForDecomposition {
    let planned = fiber_bundle();
    let configurations = [
        config(&[("bandwidth", "1Gbps"), ("profile", "BUSINESS_1G")]),
        config(&[("model", "MR-600")]),
        config(&[("blockSize", "/29")]),
        config(&[]),
    ];
    let items: Vec<OrderItem> = planned
        .items
        .iter()
        .zip(configurations)
        .map(|(p, configuration)| {
            let price = PriceSnapshot::new(
                vec![PriceComponent {
                    kind: PriceKind::Recurring,
                    amount: idr(monthly_price),
                    recurrence_period: Some("MONTHLY".into()),
                    description: "monthly charge".into(),
                }],
                idr(monthly_price),
            )
            .unwrap();
            OrderItem {
                id: p.item_id,
                client_item_ref: ClientItemRef::parse(&format!("qi-{}", p.line_number)).unwrap(),
                line_number: LineNumber::parse(i64::from(p.line_number.get())).unwrap(),
                parent_id: p.parent_id,
                action: p.action,
                quantity: Quantity::parse(1).unwrap(),
                product: ProductSnapshot {
                    offering_id: ProductOfferingId::parse(p.offering_id.as_str()).unwrap(),
                    offering_version: p.offering_version,
                    offering_name: Some(format!("{} (sold)", p.offering_id)),
                    spec_ref: None,
                },
                target_asset_id: p.target_asset_id.clone(),
                actual_asset_id: None,
                configuration,
                price,
                state: ItemState::Pending,
                fulfillment_state: FulfillmentState::NotStarted,
                dependencies: p.prerequisites.clone(),
                asset_effect: None,
                activation_date: None,
            }
        })
        .collect();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    let total = idr(monthly_price * 4);
    let header = OrderHeader {
        order_type: OrderType::NewProvide,
        order_intent: OrderIntent::CustomerPurchase,
        source: OrderSource {
            system: SourceSystem::parse("cpq").unwrap(),
            channel: SalesChannel::parse("DIRECT_SALES").unwrap(),
            external_order_ref: None,
            quote: None,
        },
        parties: PartyRoles {
            customer_id: CustomerId::parse("cust-pt-contoh-digital").unwrap(),
            account_id: AccountId::parse("acc-1001").unwrap(),
            billing_account_id: BillingAccountId::parse("ba-1001-jkt").unwrap(),
            payer_id: None,
            customer_display_name: Some("PT Contoh Digital".into()),
            service_location: Some(address()),
        },
        dates: OrderDates {
            submitted_at: at,
            accepted_at: at,
            requested_start: None,
            requested_completion: None,
            committed_completion: None,
        },
        commercial: CommercialSnapshot {
            currency: CurrencyCode::parse("IDR").unwrap(),
            price_list_ref: None,
            term_months: Some(36),
            order_total: total,
            totals_by_kind: BTreeMap::from([(PriceKind::Recurring, total)]),
            configuration_hash: None,
            price_hash: None,
            approval_ref: None,
        },
        relations: Vec::new(),
        migration: None,
    };
    OrderReleasedForDecomposition {
        base: OrderEventBase {
            order_id: order_id(),
            tenant_id: TenantId::parse("tenant-id-1").unwrap(),
            order_version: 4,
            meta: TransitionMeta::new(
                Actor::service("order-capture"),
                at,
                CorrelationId::parse("corr-fiber-bundle").unwrap(),
            ),
        },
        order_number: OrderNumber::parse("O-2026-00000421").unwrap(),
        content: Box::new(OrderContent { header, items }),
    }
}

#[test]
fn the_released_event_becomes_the_same_planner_input() {
    let input = PlanningInput::from_release(&released_fiber_bundle(1_350_000));
    assert_eq!(input, fiber_bundle());
    let plan = decompose(&input, &sample_catalog()).unwrap();
    assert_eq!(plan.order_id, order_id());
    assert_eq!(plan.tasks.len(), 14);
}

#[test]
fn prices_do_not_change_the_plan_but_the_service_location_does() {
    let catalog = sample_catalog();
    let cheap = PlanningInput::from_release(&released_fiber_bundle(1_000_000));
    let dear = PlanningInput::from_release(&released_fiber_bundle(1_350_000));
    assert_eq!(cheap.input_hash(), dear.input_hash());
    let plan = decompose(&cheap, &catalog).unwrap();
    assert_eq!(
        plan.plan_hash,
        decompose(&dear, &catalog).unwrap().plan_hash
    );

    let mut moved = released_fiber_bundle(1_350_000);
    if let Some(location) = moved.content.header.parties.service_location.as_mut() {
        location.line2 = Some("Tower A, 3rd floor".into());
    }
    let moved = PlanningInput::from_release(&moved);
    assert_ne!(moved.input_hash(), dear.input_hash());
    let moved_plan = decompose(&moved, &catalog).unwrap();
    assert_ne!(moved_plan.plan_hash, plan.plan_hash);
    assert!(
        moved_plan
            .tasks
            .iter()
            .all(|t| plan.task(t.task_id).is_none())
    );
}
