//! Test support: fixed clock and ids, a valid quote-derived intake, a capture context, a
//! given/when/then harness, and a `Story` that drives an order through commands.

#![allow(dead_code)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use uuid::Uuid;

use oms_domain::capture::{
    AssetSnapshot, CaptureContext, CaptureItem, CaptureOrder, CustomerInput, PriceComponentInput,
    QuoteRefInput,
};
use oms_domain::value::{
    AccountId, AssetId, CancellationRequestId, CorrelationId, CustomerId, FalloutId, HoldId,
    OrderId, OrderItemId, Reason, ReasonCode, TenantId,
};
use oms_domain::vocab::{AssetStatus, CaptureMode, ItemAction, PriceKind};
use oms_domain::{Actor, TransitionMeta};

mod commands;
mod story;

pub use commands::*;
pub use story::*;

pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 2, 9, 0, 0).unwrap() + Duration::minutes(minutes)
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 2).unwrap()
}

pub fn tenant() -> TenantId {
    TenantId::parse("tenant-a").unwrap()
}

pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + n)
}

pub fn order_id() -> OrderId {
    OrderId::from_uuid(uuid(1))
}

pub fn item_id(i: usize) -> OrderItemId {
    OrderItemId::from_uuid(uuid(1000 + u128::try_from(i).unwrap()))
}

pub fn fallout_id(n: u128) -> FalloutId {
    FalloutId::from_uuid(uuid(2000 + n))
}

pub fn hold_id(n: u128) -> HoldId {
    HoldId::from_uuid(uuid(3000 + n))
}

pub fn request_id() -> CancellationRequestId {
    CancellationRequestId::from_uuid(uuid(4000))
}

pub fn code(s: &str) -> ReasonCode {
    ReasonCode::parse(s).unwrap()
}

pub fn meta() -> TransitionMeta {
    TransitionMeta::new(
        Actor::service("order-capture"),
        at(0),
        CorrelationId::parse("corr-1").unwrap(),
    )
}

/// Meta with a reason, as holds, repairs, waivers and closing require.
pub fn meta_r() -> TransitionMeta {
    TransitionMeta::new(
        Actor::user("ops-7").unwrap(),
        at(5),
        CorrelationId::parse("corr-1").unwrap(),
    )
    .with_reason(Reason::parse("operator decision").unwrap())
}

pub fn capture_item(i: usize) -> CaptureItem {
    CaptureItem {
        client_item_ref: format!("qi-{i}"),
        line_number: i64::try_from(i).unwrap() + 1,
        parent_ref: None,
        action: ItemAction::Add,
        product_offering_id: format!("po-fiber-{i}"),
        product_offering_version: Some(3),
        product_offering_name: Some("Business Fiber 1Gbps".into()),
        product_spec_ref: None,
        quantity: 1,
        target_asset_id: None,
        configuration: BTreeMap::from([("bandwidth".to_owned(), "1Gbps".to_owned())]),
        price_components: vec![
            PriceComponentInput {
                kind: PriceKind::Recurring,
                amount: dec!(110.00),
                recurrence_period: Some("MONTHLY".into()),
                description: "MRC".into(),
            },
            PriceComponentInput {
                kind: PriceKind::Discount,
                amount: dec!(-10.00),
                recurrence_period: None,
                description: "promo".into(),
            },
        ],
        item_total: Some(dec!(100.00)),
        currency: None,
        depends_on: vec![],
    }
}

/// A valid QUOTE_DERIVED intake with `n` ADD items of total 100 each.
pub fn quote_intake(n: usize) -> CaptureOrder {
    CaptureOrder {
        tenant_id: "tenant-a".into(),
        capture_mode: CaptureMode::QuoteDerived,
        order_type: None,
        order_intent: None,
        source_system: "cpq".into(),
        sales_channel: "DIRECT_SALES".into(),
        external_order_ref: None,
        quote: Some(QuoteRefInput {
            quote_id: "q-1001".into(),
            revision: 4,
            quote_number: Some("Q-2026-0001001".into()),
            accepted_at: at(-60),
            accepted_by: Some("customer-contact".into()),
            valid_until: today() + Duration::days(10),
            configuration_hash: "cfg-hash".into(),
            price_hash: "price-hash".into(),
            approval_ref: Some("appr-9".into()),
        }),
        customer: CustomerInput {
            customer_id: "cust-1001".into(),
            account_id: "acct-2001".into(),
            billing_account_id: "ba-3001".into(),
            payer_id: None,
            display_name: Some("PT Contoh Digital".into()),
        },
        service_address: None,
        requested_start_date: Some(today() + Duration::days(3)),
        requested_completion_date: Some(today() + Duration::days(18)),
        currency: "IDR".into(),
        price_list_ref: Some("pl-2026".into()),
        contract_term_months: Some(36),
        order_total: Some(dec!(100) * rust_decimal::Decimal::from(u64::try_from(n).unwrap())),
        items: (0..n).map(capture_item).collect(),
        relations: vec![],
        migration: None,
    }
}

pub fn context() -> CaptureContext {
    CaptureContext::new(tenant(), today())
}

/// An ACTIVE asset of the fixture customer.
pub fn asset(id: &str, status: AssetStatus) -> AssetSnapshot {
    AssetSnapshot {
        asset_id: AssetId::parse(id).unwrap(),
        tenant_id: tenant(),
        customer_id: CustomerId::parse("cust-1001").unwrap(),
        account_id: AccountId::parse("acct-2001").unwrap(),
        status,
        in_flight_order_id: None,
        product_offering_id: None,
    }
}
