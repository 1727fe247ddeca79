//! Order events produced by the real aggregate: a quote-derived intake with a bundle, a
//! dependency, a MODIFY of an existing asset, decimals with four places and a discount,
//! driven through holds, decomposition, fulfillment, fallout, waiver, cancellation and
//! closure. Together the flows emit every `OrderEvent` type.

use oms_domain::capture::{
    AddressInput, AssetSnapshot, CaptureContext, CaptureItem, CaptureOrder, CustomerInput,
    DependencyInput, PriceComponentInput, QuoteRefInput,
};
use oms_domain::change::{
    AmendmentChange, CancellationScope, CancellationSpec, ExecutionView, TaskView,
};
use oms_domain::command::{
    CaptureDraftCommand, CaptureIds, CaptureOrderCommand, RecordAmendmentApplied,
    RecordAmendmentRejected, RecordCancellationAssessment, RecordItemCompleted, RecordItemFailed,
    RequestAmendment, RequestCancellation,
};
use oms_domain::events::{FulfillmentPlan, PlannedTask};
use oms_domain::lifecycle::FulfillmentState;
use oms_domain::value::{
    AccountId, AmendmentRequestId, AssetId, CancellationRequestId, CustomerId, FalloutId, HoldId,
    OrderId, OrderItemId, OrderNumber, PlanId, PolicyRef, ReasonCode, TaskId,
};
use oms_domain::vocab::{
    AssetEffect, AssetStatus, CancellationFeasibility, CaptureMode, DependencyType,
    ExternalEffectLevel, HoldType, ItemAction, ItemInput, OrderType, PriceKind, RepairResolution,
    TaskReversibility,
};
use oms_domain::{Order, OrderCommand, OrderEvent, TransitionMeta, decide, evolve};
use rust_decimal_macros::dec;
use std::collections::BTreeMap;

use super::{at, day, meta, operator_meta, tenant, today, uuid};

pub const DISPLAY_NAME: &str = "PT Contoh Digital";

pub fn item_id(order: u128, i: u128) -> OrderItemId {
    OrderItemId::from_uuid(uuid(order * 100 + 10 + i))
}

pub fn order_id(order: u128) -> OrderId {
    OrderId::from_uuid(uuid(order * 100))
}

fn component(
    kind: PriceKind,
    amount: rust_decimal::Decimal,
    recurrence: Option<&str>,
    what: &str,
) -> PriceComponentInput {
    PriceComponentInput {
        kind,
        amount,
        recurrence_period: recurrence.map(str::to_owned),
        description: what.to_owned(),
    }
}

/// A valid QUOTE_DERIVED intake: fiber bundle (ADD), a router under it that waits for it
/// (ADD), and a MODIFY of the customer's static IP block `asset-77`.
pub fn intake() -> CaptureOrder {
    let fiber = CaptureItem {
        client_item_ref: "qi-1".into(),
        line_number: 1,
        parent_ref: None,
        action: ItemAction::Add,
        product_offering_id: "po-fiber-1g".into(),
        product_offering_version: Some(3),
        product_offering_name: Some("Business Fiber 1Gbps".into()),
        product_spec_ref: Some("ps-fiber".into()),
        quantity: 1,
        target_asset_id: None,
        configuration: BTreeMap::from([
            ("bandwidth".to_owned(), "1Gbps".to_owned()),
            ("ipv4".to_owned(), "static".to_owned()),
        ]),
        price_components: vec![
            component(
                PriceKind::Recurring,
                dec!(1234.5678),
                Some("MONTHLY"),
                "Fiber MRC",
            ),
            component(
                PriceKind::Discount,
                dec!(-34.5678),
                None,
                "Loyalty discount",
            ),
            component(PriceKind::OneTime, dec!(99.99), None, "Installation"),
        ],
        item_total: Some(dec!(1299.99)),
        currency: None,
        depends_on: vec![],
    };
    let router = CaptureItem {
        client_item_ref: "qi-2".into(),
        line_number: 2,
        parent_ref: Some("qi-1".into()),
        product_offering_id: "po-router".into(),
        product_offering_version: Some(1),
        product_offering_name: Some("Managed Router".into()),
        product_spec_ref: None,
        quantity: 2,
        configuration: BTreeMap::from([("model".to_owned(), "MX-64".to_owned())]),
        price_components: vec![component(
            PriceKind::Recurring,
            dec!(15.0001),
            Some("MONTHLY"),
            "Router rental",
        )],
        item_total: Some(dec!(15.0001)),
        depends_on: vec![DependencyInput {
            client_item_ref: "qi-1".into(),
            dependency_type: DependencyType::Technical,
        }],
        ..fiber.clone()
    };
    let ip_block = CaptureItem {
        client_item_ref: "qi-3".into(),
        line_number: 3,
        parent_ref: None,
        action: ItemAction::Modify,
        product_offering_id: "po-ip-block".into(),
        product_offering_version: Some(2),
        product_offering_name: Some("Static IP block".into()),
        product_spec_ref: None,
        quantity: 1,
        target_asset_id: Some("asset-77".into()),
        configuration: BTreeMap::from([("prefix".to_owned(), "/29".to_owned())]),
        price_components: vec![component(PriceKind::Fee, dec!(20), None, "Change fee")],
        item_total: Some(dec!(20)),
        currency: None,
        depends_on: vec![],
    };
    CaptureOrder {
        tenant_id: "tenant-a".into(),
        capture_mode: CaptureMode::QuoteDerived,
        // Stated, and not quite consistent with a MODIFY line: validation warns.
        order_type: Some(OrderType::NewProvide),
        order_intent: None,
        source_system: "cpq".into(),
        sales_channel: "DIRECT_SALES".into(),
        external_order_ref: None,
        quote: Some(QuoteRefInput {
            quote_id: "q-1001".into(),
            revision: 4,
            quote_number: Some("Q-2026-0001001".into()),
            accepted_at: at(-60),
            accepted_by: Some("sales-agent-12".into()),
            valid_until: day(10),
            configuration_hash: "cfg-9f2c".into(),
            price_hash: "price-77ab".into(),
            approval_ref: Some("appr-9".into()),
        }),
        customer: CustomerInput {
            customer_id: "cust-1001".into(),
            account_id: "acct-2001".into(),
            billing_account_id: "ba-3001".into(),
            payer_id: Some("party-4001".into()),
            display_name: Some(DISPLAY_NAME.into()),
        },
        service_address: Some(AddressInput {
            line1: "Jl. Sudirman 52".into(),
            line2: Some("Tower B, 12th floor".into()),
            city: "Jakarta".into(),
            postal_code: "10210".into(),
            country_code: "ID".into(),
        }),
        requested_start_date: Some(day(3)),
        requested_completion_date: Some(day(18)),
        currency: "IDR".into(),
        price_list_ref: Some("pl-2026".into()),
        contract_term_months: Some(36),
        order_total: Some(dec!(1334.9901)),
        items: vec![fiber, router, ip_block],
        relations: vec![],
        migration: None,
    }
}

pub fn context() -> CaptureContext {
    CaptureContext::new(tenant(), today()).with_asset(AssetSnapshot {
        asset_id: AssetId::parse("asset-77").unwrap(),
        tenant_id: tenant(),
        customer_id: CustomerId::parse("cust-1001").unwrap(),
        account_id: AccountId::parse("acct-2001").unwrap(),
        status: AssetStatus::Active,
        in_flight_order_id: None,
        product_offering_id: None,
    })
}

fn ids(order: u128) -> CaptureIds {
    CaptureIds {
        order_id: order_id(order),
        order_number: OrderNumber::from_parts(2026, u32::try_from(420 + order).unwrap()).unwrap(),
        item_ids: (0..3).map(|i| item_id(order, i)).collect(),
    }
}

pub fn plan(order: u128) -> FulfillmentPlan {
    FulfillmentPlan {
        plan_id: PlanId::from_uuid(uuid(order * 100 + 50)),
        rules_version: "rules-2026.07.1".into(),
        tasks: (0..3)
            .map(|i| PlannedTask {
                task_id: TaskId::from_uuid(uuid(order * 100 + 60 + i)),
                item_ids: vec![item_id(order, i)],
                task_type: if i == 0 {
                    "ACTIVATE_SERVICE"
                } else {
                    "CONFIGURE_CPE"
                }
                .into(),
                target_system: "network".into(),
                depends_on: if i == 1 {
                    vec![TaskId::from_uuid(uuid(order * 100 + 60))]
                } else {
                    vec![]
                },
                reversibility: TaskReversibility::Automatic,
                external_effect_level: ExternalEffectLevel::NetworkVisible,
                // Task 2 leaves the optional catalog details out, as a record written
                // before they existed reads.
                template_key: (i < 2).then(|| format!("step_{i}")),
                compensation_task_type: (i < 2).then(|| "DEACTIVATE_SERVICE".to_owned()),
                item_milestone: (i < 2).then_some(i == 0),
                item_asset_effect: match i {
                    0 => Some(AssetEffect::Create),
                    1 => Some(AssetEffect::None),
                    _ => None,
                },
                inputs: (i == 0).then(|| vec![ItemInput::ServiceLocation]),
            })
            .collect(),
    }
}

/// An order driven by commands, recording every event.
pub struct Flow {
    pub number: u128,
    pub order: Option<Order>,
    pub events: Vec<OrderEvent>,
}

impl Flow {
    fn new(number: u128) -> Self {
        Self {
            number,
            order: None,
            events: Vec::new(),
        }
    }

    #[allow(clippy::needless_pass_by_value)] // reads like the domain: `.then(command, &meta)`
    fn then(mut self, command: OrderCommand, meta: &TransitionMeta) -> Self {
        let events = decide(self.order.as_ref(), command.clone(), meta).unwrap_or_else(|e| {
            let violations = self.order.as_ref().map(|o| &o.violations);
            panic!("{command:?} refused: {e}; violations so far: {violations:#?}")
        });
        for event in &events {
            self.order = evolve(self.order.take(), event);
        }
        self.events.extend(events);
        self
    }

    fn item(&self, i: u128) -> OrderItemId {
        item_id(self.number, i)
    }

    fn complete(self, i: u128, effect: AssetEffect, asset: Option<&str>, minute: i64) -> Self {
        let item_id = self.item(i);
        self.then(
            OrderCommand::RecordItemCompleted(RecordItemCompleted {
                item_id,
                asset_effect: effect,
                actual_asset_id: asset.map(|a| AssetId::parse(a).unwrap()),
                activation_date: Some(day(5)),
            }),
            &meta(minute, None),
        )
    }

    /// Captured, validated, decomposed and released to fulfillment.
    pub fn in_progress(number: u128) -> Self {
        Self::new(number)
            .then(
                OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
                    ids: ids(number),
                    intake: intake(),
                    context: context(),
                })),
                &meta(0, None),
            )
            .then(OrderCommand::ReleaseForDecomposition, &meta(1, None))
            .then(
                OrderCommand::RecordDecomposition { plan: plan(number) },
                &meta(2, None),
            )
            .then(OrderCommand::ReleaseForFulfillment, &meta(3, None))
    }
}

fn cancellation(request: CancellationRequestId, scope: CancellationScope) -> OrderCommand {
    OrderCommand::RequestCancellation(Box::new(RequestCancellation {
        request_id: request,
        reason_code: ReasonCode::parse("CUSTOMER_REQUEST").unwrap(),
        spec: CancellationSpec {
            scope,
            force_manual_review: false,
        },
        execution: ExecutionView::default(),
    }))
}

fn item_cancelled(item_id: OrderItemId, asset_reverted: Option<AssetEffect>) -> OrderCommand {
    OrderCommand::RecordItemCancelled {
        item_id,
        asset_reverted,
    }
}

/// The execution view of `plan(order)`, nothing started.
fn execution(order: u128) -> ExecutionView {
    let plan = plan(order);
    ExecutionView {
        plan_id: Some(plan.plan_id),
        version: 0,
        tasks: plan.tasks.iter().map(TaskView::planned).collect(),
    }
}

fn amendment_of(
    request_id: AmendmentRequestId,
    change: AmendmentChange,
    execution: ExecutionView,
) -> OrderCommand {
    OrderCommand::RequestAmendment(Box::new(RequestAmendment {
        request_id,
        reason_code: ReasonCode::parse("CUSTOMER_REQUEST").unwrap(),
        changes: vec![change],
        execution,
    }))
}

fn change_dates() -> AmendmentChange {
    AmendmentChange::ChangeRequestedDates {
        requested_start: Some(today() + chrono::Days::new(20)),
        requested_completion: Some(today() + chrono::Days::new(40)),
    }
}

fn change_bandwidth(item_id: OrderItemId, value: &str) -> AmendmentChange {
    AmendmentChange::ChangeItemConfiguration {
        item_id,
        set: BTreeMap::from([("bandwidth".to_owned(), value.to_owned())]),
    }
}

/// Every order event type, from six flows.
pub fn all_order_events() -> Vec<OrderEvent> {
    let hold = HoldId::from_uuid(uuid(70));
    let fallout = FalloutId::from_uuid(uuid(71));
    let request = CancellationRequestId::from_uuid(uuid(72));
    // 1: holds, the happy path with a waiver and a repaired failure.
    let happy = Flow::new(1)
        .then(
            OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
                ids: ids(1),
                intake: intake(),
                context: context(),
            })),
            &meta(0, None),
        )
        .then(
            OrderCommand::PlaceHold {
                hold_id: hold,
                hold_type: HoldType::Credit,
                blocking: true,
            },
            &operator_meta(1, "credit check pending"),
        )
        .then(
            OrderCommand::ReleaseHold { hold_id: hold },
            &operator_meta(2, "credit approved"),
        )
        .then(OrderCommand::ReleaseForDecomposition, &meta(3, None))
        .then(
            OrderCommand::RecordDecomposition { plan: plan(1) },
            &meta(4, None),
        )
        .then(OrderCommand::ReleaseForFulfillment, &meta(5, None));
    let (i0, i1, i2) = (happy.item(0), happy.item(1), happy.item(2));
    let happy = happy
        .then(
            OrderCommand::RecordItemStarted { item_id: i0 },
            &meta(6, None),
        )
        .then(
            OrderCommand::RecordItemProgress {
                item_id: i0,
                fulfillment_state: FulfillmentState::WaitingForAppointment,
            },
            &meta(7, None),
        )
        .complete(0, AssetEffect::Create, Some("asset-new-1"), 8)
        .then(
            OrderCommand::WaiveItem {
                item_id: i1,
                policy_ref: PolicyRef::parse("pol-waive-7").unwrap(),
            },
            &operator_meta(9, "router supplied by the customer"),
        )
        .then(
            OrderCommand::RecordItemStarted { item_id: i2 },
            &meta(10, None),
        )
        .then(
            OrderCommand::RecordItemFailed(RecordItemFailed {
                item_id: i2,
                fallout_id: fallout,
                code: ReasonCode::parse("PROVISIONING_TIMEOUT").unwrap(),
                message: "IPAM did not answer within 30s".into(),
            }),
            &meta(11, None),
        )
        .then(
            OrderCommand::RepairFallout {
                fallout_id: fallout,
                resolution: RepairResolution::RetryItem,
            },
            &operator_meta(12, "IPAM restarted"),
        )
        .complete(2, AssetEffect::Modify, None, 13);
    // 2: a draft that fails validation.
    let mut bad = intake();
    bad.items[0].quantity = -1;
    let rejected = Flow::new(2)
        .then(
            OrderCommand::CaptureDraft(Box::new(CaptureDraftCommand {
                ids: ids(2),
                tenant: tenant(),
                intake: bad,
            })),
            &meta(0, None),
        )
        .then(OrderCommand::SubmitOrder, &meta(1, None))
        .then(
            OrderCommand::ValidateOrder {
                context: Box::new(context()),
            },
            &meta(2, None),
        );
    // 3: cancelled after one item completed (compensated).
    let cancelled = Flow::in_progress(3).complete(0, AssetEffect::Create, Some("asset-new-3"), 4);
    let first = cancelled.item(0);
    let second = cancelled.item(1);
    let third = cancelled.item(2);
    let cancelled = cancelled
        .then(
            cancellation(request, CancellationScope::Order),
            &meta(5, Some("customer withdrew")),
        )
        .then(
            OrderCommand::RecordCancellationAssessment(RecordCancellationAssessment {
                request_id: request,
                feasibility: CancellationFeasibility::PartiallyCancellable,
                compensated_item_ids: vec![first],
                blockers: vec!["installation appointment already done".into()],
                cancelling_item_ids: vec![],
            }),
            &meta(6, None),
        )
        .then(
            item_cancelled(first, Some(AssetEffect::Create)),
            &meta(7, None),
        )
        .then(item_cancelled(second, None), &meta(7, None))
        .then(item_cancelled(third, None), &meta(8, None));
    // 4: cancellation refused.
    let refused = Flow::in_progress(4)
        .then(
            cancellation(request, CancellationScope::Order),
            &meta(5, None),
        )
        .then(
            OrderCommand::RecordCancellationAssessment(RecordCancellationAssessment {
                request_id: request,
                feasibility: CancellationFeasibility::NotCancellable,
                compensated_item_ids: vec![],
                blockers: vec!["network activation is irreversible".into()],
                cancelling_item_ids: vec![],
            }),
            &meta(6, None),
        );
    // 5: closed as failed after a failure nobody can repair.
    let closed = Flow::in_progress(5);
    let failing = closed.item(2);
    let closed = closed
        .then(
            OrderCommand::RecordItemFailed(RecordItemFailed {
                item_id: failing,
                fallout_id: fallout,
                code: ReasonCode::parse("ASSET_DECOMMISSIONED").unwrap(),
                message: "the IP block no longer exists".into(),
            }),
            &meta(4, None),
        )
        .then(
            OrderCommand::CloseAsFailed,
            &operator_meta(5, "customer agreed to close"),
        );
    // 6: one item cancelled, the rest completes; an in-place amendment, a re-planned one
    // applied and one refused.
    let partial = Flow::in_progress(6);
    let (p0, p1, p2) = (partial.item(0), partial.item(1), partial.item(2));
    let amendment = |n: u128| AmendmentRequestId::from_uuid(uuid(90 + n));
    let partial = partial
        .then(
            amendment_of(amendment(0), change_dates(), ExecutionView::default()),
            &meta(4, Some("customer moved the date")),
        )
        .then(
            amendment_of(amendment(1), change_bandwidth(p1, "2G"), execution(6)),
            &meta(5, Some("customer wants more bandwidth")),
        )
        .then(
            OrderCommand::RecordAmendmentApplied(RecordAmendmentApplied {
                request_id: amendment(1),
                plan_id: PlanId::from_uuid(uuid(6 * 100 + 51)),
                tasks_per_item: BTreeMap::from([(p0, 1), (p1, 1), (p2, 1)]),
            }),
            &meta(6, None),
        )
        .then(
            amendment_of(amendment(2), change_bandwidth(p1, "5G"), execution(6)),
            &meta(7, Some("back to the first bandwidth")),
        )
        .then(
            OrderCommand::RecordAmendmentRejected(RecordAmendmentRejected {
                request_id: amendment(2),
                code: ReasonCode::parse("REPLACED_TASK_STARTED").unwrap(),
                message: "ACTIVATE_SERVICE started meanwhile".into(),
                remediation: "raise a supplemental order".into(),
            }),
            &meta(8, None),
        )
        .then(
            cancellation(request, CancellationScope::Items { item_ids: vec![p2] }),
            &meta(9, Some("static IP no longer needed")),
        )
        .then(
            OrderCommand::RecordCancellationAssessment(RecordCancellationAssessment {
                request_id: request,
                feasibility: CancellationFeasibility::FullyCancellable,
                compensated_item_ids: vec![],
                blockers: vec![],
                cancelling_item_ids: vec![p2],
            }),
            &meta(10, None),
        )
        .then(item_cancelled(p2, None), &meta(11, None))
        .complete(0, AssetEffect::Create, Some("asset-new-6"), 12)
        .complete(1, AssetEffect::None, None, 13);
    [happy, rejected, cancelled, refused, closed, partial]
        .into_iter()
        .flat_map(|flow| flow.events)
        .collect()
}
