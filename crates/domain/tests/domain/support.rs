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
use oms_domain::command::{
    CaptureDraftCommand, CaptureIds, CaptureOrderCommand, RaiseFallout,
    RecordCancellationAssessment, RecordDecompositionFailure, RecordItemCompleted,
    RecordItemFailed,
};
use oms_domain::events::{FulfillmentPlan, PlannedTask};
use oms_domain::lifecycle::{FulfillmentState, OrderState};
use oms_domain::value::{
    AccountId, AssetId, CancellationRequestId, CorrelationId, CustomerId, FalloutId, HoldId,
    OrderId, OrderItemId, OrderNumber, PlanId, PolicyRef, Reason, ReasonCode, TaskId, TenantId,
};
use oms_domain::vocab::{
    AssetEffect, AssetStatus, CancellationFeasibility, CaptureMode, DecompositionFailureCode,
    ExternalEffectLevel, FalloutCategory, HoldType, ItemAction, PriceKind, RepairResolution,
    TaskReversibility,
};
use oms_domain::{
    Actor, DomainError, DomainEvent, Order, OrderCommand, OrderEvent, TransitionMeta, decide,
    evolve,
};

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

pub fn ids(n: usize) -> CaptureIds {
    CaptureIds {
        order_id: order_id(),
        order_number: OrderNumber::parse("O-2026-00000421").unwrap(),
        item_ids: (0..n).map(item_id).collect(),
    }
}

pub fn capture(intake: CaptureOrder, context: CaptureContext) -> OrderCommand {
    let n = intake.items.len();
    OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
        ids: ids(n),
        intake,
        context,
    }))
}

pub fn draft(intake: CaptureOrder) -> OrderCommand {
    let n = intake.items.len();
    OrderCommand::CaptureDraft(Box::new(CaptureDraftCommand {
        ids: ids(n),
        tenant: tenant(),
        intake,
    }))
}

pub fn plan(n: usize) -> OrderCommand {
    OrderCommand::RecordDecomposition {
        plan: FulfillmentPlan {
            plan_id: PlanId::from_uuid(uuid(5000)),
            rules_version: "rules-v7".into(),
            tasks: (0..n)
                .map(|i| PlannedTask {
                    task_id: TaskId::from_uuid(uuid(6000 + u128::try_from(i).unwrap())),
                    item_ids: vec![item_id(i)],
                    task_type: "ACTIVATE_SERVICE".into(),
                    target_system: "network".into(),
                    depends_on: vec![],
                    reversibility: TaskReversibility::Automatic,
                    external_effect_level: ExternalEffectLevel::NetworkVisible,
                })
                .collect(),
        },
    }
}

pub fn decomposition_failed(n: u128, failure: DecompositionFailureCode) -> OrderCommand {
    OrderCommand::RecordDecompositionFailure(RecordDecompositionFailure {
        fallout_id: fallout_id(n),
        code: failure,
        item_id: Some(item_id(0)),
        message: "no rule for po-fiber-0 ADD".into(),
        remediation: "add the decomposition rule".into(),
    })
}

pub fn start(i: usize) -> OrderCommand {
    OrderCommand::RecordItemStarted {
        item_id: item_id(i),
    }
}

pub fn progress(i: usize, s: FulfillmentState) -> OrderCommand {
    OrderCommand::RecordItemProgress {
        item_id: item_id(i),
        fulfillment_state: s,
    }
}

pub fn complete(i: usize) -> OrderCommand {
    OrderCommand::RecordItemCompleted(RecordItemCompleted {
        item_id: item_id(i),
        asset_effect: AssetEffect::Create,
        actual_asset_id: Some(AssetId::parse(&format!("asset-new-{i}")).unwrap()),
        activation_date: Some(today()),
    })
}

pub fn fail(i: usize, n: u128) -> OrderCommand {
    OrderCommand::RecordItemFailed(RecordItemFailed {
        item_id: item_id(i),
        fallout_id: fallout_id(n),
        code: code("PROVISIONING_TIMEOUT"),
        message: "retries exhausted".into(),
    })
}

pub fn waive(i: usize) -> OrderCommand {
    OrderCommand::WaiveItem {
        item_id: item_id(i),
        policy_ref: PolicyRef::parse("policy-waive-optional").unwrap(),
    }
}

pub fn raise(n: u128, category: FalloutCategory) -> OrderCommand {
    OrderCommand::RaiseFallout(RaiseFallout {
        fallout_id: fallout_id(n),
        category,
        code: code("TASK_STUCK"),
        item_id: None,
        task_id: None,
        message: "task stuck".into(),
        remediation: Some("check downstream".into()),
    })
}

pub fn repair(n: u128, resolution: RepairResolution) -> OrderCommand {
    OrderCommand::RepairFallout {
        fallout_id: fallout_id(n),
        resolution,
    }
}

pub fn place_hold(n: u128, blocking: bool) -> OrderCommand {
    OrderCommand::PlaceHold {
        hold_id: hold_id(n),
        hold_type: HoldType::Credit,
        blocking,
    }
}

pub fn release_hold(n: u128) -> OrderCommand {
    OrderCommand::ReleaseHold {
        hold_id: hold_id(n),
    }
}

pub fn cancel() -> OrderCommand {
    OrderCommand::RequestCancellation {
        request_id: request_id(),
        reason_code: code("CUSTOMER_REQUEST"),
    }
}

pub fn assess(feasibility: CancellationFeasibility, compensated: Vec<OrderItemId>) -> OrderCommand {
    OrderCommand::RecordCancellationAssessment(RecordCancellationAssessment {
        request_id: request_id(),
        feasibility,
        compensated_item_ids: compensated,
        blockers: vec![],
    })
}

pub fn complete_cancellation() -> OrderCommand {
    OrderCommand::CompleteCancellation {
        request_id: request_id(),
    }
}

/// Drives an order through commands, keeping every event; panics on a refused command.
#[derive(Debug, Clone, Default)]
pub struct Story {
    pub events: Vec<OrderEvent>,
    pub order: Option<Order>,
}

impl Story {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn then(mut self, command: OrderCommand) -> Self {
        self.apply(command, &meta_r());
        self
    }

    pub fn apply(&mut self, command: OrderCommand, meta: &TransitionMeta) {
        let desc = format!("{command:?}");
        let events = decide(self.order.as_ref(), command, meta).unwrap_or_else(|e| {
            panic!(
                "{} refused in {:?}: {e}",
                desc.chars().take(80).collect::<String>(),
                self.state()
            )
        });
        for e in &events {
            self.order = evolve(self.order.take(), e);
        }
        self.events.extend(events);
    }

    pub fn state(&self) -> Option<OrderState> {
        self.order.as_ref().map(|o| o.state)
    }

    pub fn order(&self) -> &Order {
        self.order.as_ref().expect("order exists")
    }

    /// Captured and validated, `n` items.
    pub fn validated(n: usize) -> Self {
        Self::new().then(capture(quote_intake(n), context()))
    }

    pub fn decomposed(n: usize) -> Self {
        Self::validated(n)
            .then(OrderCommand::ReleaseForDecomposition)
            .then(plan(n))
    }

    pub fn in_progress(n: usize) -> Self {
        Self::decomposed(n).then(OrderCommand::ReleaseForFulfillment)
    }

    /// A representative history reaching `state` with `n` items (n >= 2 for
    /// PARTIALLY_COMPLETED).
    pub fn reaching(state: OrderState, n: usize) -> Self {
        match state {
            OrderState::Draft => Self::new().then(draft(quote_intake(n))),
            OrderState::Submitted => {
                Self::reaching(OrderState::Draft, n).then(OrderCommand::SubmitOrder)
            }
            OrderState::Validated => Self::validated(n),
            OrderState::Rejected => {
                let mut intake = quote_intake(n);
                intake.items[0].quantity = 0;
                Self::new().then(capture(intake, context()))
            }
            OrderState::Decomposed => Self::decomposed(n),
            OrderState::InProgress => Self::in_progress(n),
            OrderState::PartiallyCompleted => Self::in_progress(n).then(complete(0)),
            OrderState::Completed => (0..n).fold(Self::in_progress(n), |s, i| s.then(complete(i))),
            OrderState::Fallout => Self::in_progress(n).then(fail(0, 1)),
            OrderState::CancellationRequested => Self::in_progress(n).then(cancel()),
            OrderState::Cancelling => Self::reaching(OrderState::CancellationRequested, n)
                .then(assess(CancellationFeasibility::FullyCancellable, vec![])),
            OrderState::Cancelled => Self::validated(n).then(cancel()),
            OrderState::FailedClosed => {
                Self::reaching(OrderState::Fallout, n).then(OrderCommand::CloseAsFailed)
            }
        }
    }
}

/// given(history).when(command) → then_*.
pub fn given(story: &Story) -> Given {
    Given {
        order: story.order.clone(),
    }
}

pub struct Given {
    pub order: Option<Order>,
}

impl Given {
    pub fn when(self, command: OrderCommand) -> Then {
        self.when_with(command, &meta_r())
    }

    pub fn when_with(self, command: OrderCommand, meta: &TransitionMeta) -> Then {
        let result = decide(self.order.as_ref(), command, meta);
        Then {
            before: self.order,
            result,
        }
    }
}

pub struct Then {
    pub before: Option<Order>,
    pub result: Result<Vec<OrderEvent>, DomainError>,
}

impl Then {
    /// Asserts the event types in order and returns the order after applying them.
    pub fn then_expect_types(self, expected: &[&str]) -> Order {
        let events = self
            .result
            .unwrap_or_else(|e| panic!("expected {expected:?}, got error {} ({e})", e.code()));
        let types: Vec<&str> = events.iter().map(DomainEvent::event_type).collect();
        assert_eq!(types, expected);
        events
            .iter()
            .fold(self.before, evolve)
            .expect("order after events")
    }

    /// Asserts exact events.
    pub fn then_expect(self, expected: &[OrderEvent]) {
        assert_eq!(self.result.expect("events"), expected);
    }

    pub fn then_error(self, expected_code: &str) -> DomainError {
        match self.result {
            Ok(events) => panic!(
                "expected error {expected_code}, got events {:?}",
                events
                    .iter()
                    .map(DomainEvent::event_type)
                    .collect::<Vec<_>>()
            ),
            Err(e) => {
                assert_eq!(e.code(), expected_code, "{e}");
                e
            }
        }
    }
}
