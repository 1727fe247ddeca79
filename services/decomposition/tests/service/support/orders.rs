//! Full `OrderReleasedForDecomposition` events built from the core's planner fixtures: the
//! items, hierarchy, dependencies, configuration and service location of a `PlanningInput`,
//! plus the prices, parties and dates order-capture would release with them.

use chrono::{TimeZone, Utc};
use oms_decomposition::planner::PlanningInput;
use oms_domain::events::{OrderEventBase, OrderReleasedForDecomposition};
use oms_domain::lifecycle::{FulfillmentState, ItemState};
use oms_domain::meta::{Actor, TransitionMeta};
use oms_domain::order::{
    CommercialSnapshot, ConfigurationSnapshot, OrderContent, OrderDates, OrderHeader, OrderItem,
    OrderSource, PartyRoles, PriceComponent, PriceSnapshot, ProductSnapshot,
};
use oms_domain::value::{
    AccountId, BillingAccountId, ClientItemRef, CorrelationId, CurrencyCode, CustomerId,
    LineNumber, Money, OrderId, OrderNumber, SalesChannel, SourceSystem, TenantId,
};
use oms_domain::vocab::{OrderIntent, OrderType, PriceKind};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::fixtures::{self, config};

/// The configuration pairs of the fiber bundle's items, by line (the fixture keeps only
/// their hashes).
pub fn fiber_bundle_configuration() -> BTreeMap<u32, ConfigurationSnapshot> {
    BTreeMap::from([
        (
            1,
            config(&[("bandwidth", "1Gbps"), ("profile", "BUSINESS_1G")]),
        ),
        (2, config(&[("model", "MR-600")])),
        (3, config(&[("blockSize", "/29")])),
    ])
}

/// The fiber bundle as order `order_id`.
pub fn fiber_bundle(order_id: OrderId) -> (PlanningInput, BTreeMap<u32, ConfigurationSnapshot>) {
    let mut input = fixtures::fiber_bundle();
    input.order_id = order_id;
    (input, fiber_bundle_configuration())
}

/// A fresh order id.
pub fn new_order_id() -> OrderId {
    OrderId::from_uuid(Uuid::now_v7())
}

/// A planner fixture with its order id replaced (fixtures share one id).
pub fn as_order(mut input: PlanningInput, order_id: OrderId) -> PlanningInput {
    input.order_id = order_id;
    input
}

fn idr(amount: i64) -> Money {
    Money::parse(Decimal::from(amount), CurrencyCode::parse("IDR").unwrap()).unwrap()
}

/// `input` released by order-capture for `tenant`. Items without an entry in
/// `configuration` have an empty configuration; the builder checks that the event reads back
/// as exactly `input`.
pub fn released(
    input: &PlanningInput,
    tenant: &str,
    configuration: &BTreeMap<u32, ConfigurationSnapshot>,
) -> OrderReleasedForDecomposition {
    let monthly = idr(1_350_000);
    let price = PriceSnapshot::new(
        vec![PriceComponent {
            kind: PriceKind::Recurring,
            amount: monthly,
            recurrence_period: Some("MONTHLY".into()),
            description: "monthly charge".into(),
        }],
        monthly,
    )
    .unwrap();
    let items: Vec<OrderItem> = input
        .items
        .iter()
        .map(|p| OrderItem {
            id: p.item_id,
            client_item_ref: ClientItemRef::parse(&format!("qi-{}", p.line_number)).unwrap(),
            line_number: LineNumber::parse(i64::from(p.line_number.get())).unwrap(),
            parent_id: p.parent_id,
            action: p.action,
            quantity: p.quantity,
            product: ProductSnapshot {
                offering_id: p.offering_id.clone(),
                offering_version: p.offering_version,
                offering_name: Some(format!("{} (sold)", p.offering_id)),
                spec_ref: None,
            },
            target_asset_id: p.target_asset_id.clone(),
            actual_asset_id: None,
            configuration: configuration
                .get(&p.line_number.get())
                .cloned()
                .unwrap_or_else(|| config(&[])),
            price: price.clone(),
            state: ItemState::Pending,
            fulfillment_state: FulfillmentState::NotStarted,
            dependencies: p.prerequisites.clone(),
            asset_effect: None,
            activation_date: None,
        })
        .collect();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    let total = idr(1_350_000 * i64::try_from(items.len()).unwrap());
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
            customer_display_name: None,
            service_location: input.service_location.clone(),
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
    let release = OrderReleasedForDecomposition {
        base: OrderEventBase {
            order_id: input.order_id,
            tenant_id: TenantId::parse(tenant).unwrap(),
            order_version: 4,
            meta: TransitionMeta::new(
                Actor::service("order-capture"),
                at,
                CorrelationId::parse(&format!("corr-{}", input.order_id)).unwrap(),
            ),
        },
        order_number: OrderNumber::parse("O-2026-00000421").unwrap(),
        content: Box::new(OrderContent { header, items }),
    };
    assert_eq!(
        &PlanningInput::from_release(&release),
        input,
        "the released event must read back as the fixture (configuration pairs missing?)"
    );
    release
}
