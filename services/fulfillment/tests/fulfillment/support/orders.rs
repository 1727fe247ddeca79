//! Test orders: released order content with a few items, and a plan of tasks given as
//! `(key, item, task type, system, dependencies)`, wrapped in the two upstream facts
//! (`OrderDecomposed`, `OrderReleasedForFulfillment`).

use chrono::Utc;
use oms_domain::events::{
    DecompositionEvent, FulfillmentPlan, OrderAmendmentRequested, OrderCancelled, OrderDecomposed,
    OrderEventBase, OrderFactBase, OrderFailedClosed, OrderRedecomposed,
    OrderReleasedForFulfillment, PlannedTask,
};
use oms_domain::lifecycle::{FulfillmentState, ItemState};
use oms_domain::order::{
    CommercialSnapshot, ConfigurationSnapshot, OrderContent, OrderDates, OrderHeader, OrderItem,
    OrderSource, PartyRoles, PriceComponent, PriceSnapshot, ProductSnapshot, ServiceAddress,
};
use oms_domain::value::{
    AccountId, AmendmentRequestId, AssetId, BillingAccountId, CancellationRequestId, ClientItemRef,
    CorrelationId, CurrencyCode, CustomerId, LineNumber, Money, OrderId, OrderItemId, OrderNumber,
    PlanId, ProductOfferingId, Quantity, ReasonCode, SalesChannel, SourceSystem, TaskId, TenantId,
};
use oms_domain::vocab::{
    AssetEffect, ExternalEffectLevel, ItemAction, OrderIntent, OrderType, PriceKind,
    TaskReversibility,
};
use oms_domain::{Actor, OrderEvent, TransitionMeta};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One planned task: key, index of the item it serves, type, system, keys it depends on.
#[derive(Debug, Clone, Copy)]
pub struct TaskSpec(
    pub &'static str,
    pub usize,
    pub &'static str,
    pub &'static str,
    pub &'static [&'static str],
);

/// An order with its released content and its plan.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub tenant: String,
    pub order_id: Uuid,
    pub plan_id: Uuid,
    pub item_ids: Vec<Uuid>,
    pub tasks: BTreeMap<&'static str, Uuid>,
    pub specs: Vec<TaskSpec>,
    pub content: OrderContent,
    /// The catalog's installed-base effect per item index, sent on the item's tasks.
    pub asset_effects: BTreeMap<usize, AssetEffect>,
}

fn money(cents: i64) -> Money {
    Money::parse(
        rust_decimal::Decimal::new(cents, 2),
        CurrencyCode::parse("EUR").unwrap(),
    )
    .unwrap()
}

fn item(i: usize, id: Uuid, action: ItemAction) -> OrderItem {
    let price = PriceSnapshot::new(
        vec![PriceComponent {
            kind: PriceKind::Recurring,
            amount: money(1_000),
            recurrence_period: Some("MONTHLY".into()),
            description: "monthly fee".into(),
        }],
        money(1_000),
    )
    .unwrap();
    OrderItem {
        id: OrderItemId::from_uuid(id),
        client_item_ref: ClientItemRef::parse(&format!("line-{i}")).unwrap(),
        line_number: LineNumber::parse(i64::try_from(i).unwrap() + 1).unwrap(),
        parent_id: None,
        action,
        quantity: Quantity::parse(1).unwrap(),
        product: ProductSnapshot {
            offering_id: ProductOfferingId::parse("po-fiber-internet-1g").unwrap(),
            offering_version: Some(1),
            offering_name: Some("Business Fiber 1G".into()),
            spec_ref: None,
        },
        target_asset_id: (action != ItemAction::Add)
            .then(|| AssetId::parse(&format!("asset-{i}")).unwrap()),
        actual_asset_id: None,
        configuration: ConfigurationSnapshot::new(BTreeMap::from([(
            "bandwidth".to_owned(),
            "1Gbps".to_owned(),
        )]))
        .unwrap(),
        price,
        state: ItemState::Pending,
        fulfillment_state: FulfillmentState::NotStarted,
        dependencies: vec![],
        asset_effect: None,
        activation_date: None,
    }
}

fn content(item_ids: &[Uuid], actions: &[ItemAction]) -> OrderContent {
    let items: Vec<OrderItem> = item_ids
        .iter()
        .zip(actions)
        .enumerate()
        .map(|(i, (id, action))| item(i, *id, *action))
        .collect();
    let total = money(1_000 * i64::try_from(items.len()).unwrap());
    OrderContent {
        header: OrderHeader {
            order_type: OrderType::derive_from_actions(actions),
            order_intent: OrderIntent::CustomerPurchase,
            source: OrderSource {
                system: SourceSystem::parse("web-shop").unwrap(),
                channel: SalesChannel::parse("WEB").unwrap(),
                external_order_ref: None,
                quote: None,
            },
            parties: PartyRoles {
                customer_id: CustomerId::parse("cust-1").unwrap(),
                account_id: AccountId::parse("acct-1").unwrap(),
                billing_account_id: BillingAccountId::parse("ba-1").unwrap(),
                payer_id: None,
                customer_display_name: None,
                service_location: Some(ServiceAddress {
                    line1: "Main St 1".into(),
                    line2: None,
                    city: "Berlin".into(),
                    postal_code: "10115".into(),
                    country_code: "DE".into(),
                }),
            },
            dates: OrderDates {
                submitted_at: Utc::now(),
                accepted_at: Utc::now(),
                requested_start: None,
                requested_completion: None,
                committed_completion: None,
            },
            commercial: CommercialSnapshot {
                currency: CurrencyCode::parse("EUR").unwrap(),
                price_list_ref: None,
                term_months: Some(24),
                order_total: total,
                totals_by_kind: BTreeMap::from([(PriceKind::Recurring, total)]),
                configuration_hash: None,
                price_hash: None,
                approval_ref: None,
            },
            relations: vec![],
            migration: None,
        },
        items,
    }
}

impl Scenario {
    /// An order of `tenant` with one item per action and the plan `specs`.
    pub fn new(tenant: &str, actions: &[ItemAction], specs: &[TaskSpec]) -> Self {
        let item_ids: Vec<Uuid> = actions.iter().map(|_| Uuid::now_v7()).collect();
        Self {
            tenant: tenant.to_owned(),
            order_id: Uuid::now_v7(),
            plan_id: Uuid::now_v7(),
            tasks: specs.iter().map(|s| (s.0, Uuid::now_v7())).collect(),
            specs: specs.to_vec(),
            content: content(&item_ids, actions),
            item_ids,
            asset_effects: BTreeMap::new(),
        }
    }

    /// The plan says item `i` has `effect` on the installed base (e.g. NONE for an on-site
    /// installation sold as an ADD).
    pub fn with_asset_effect(mut self, i: usize, effect: AssetEffect) -> Self {
        self.asset_effects.insert(i, effect);
        self
    }

    pub fn task(&self, key: &str) -> Uuid {
        self.tasks[key]
    }

    fn meta(&self, service: &'static str) -> TransitionMeta {
        TransitionMeta::new(
            Actor::service(service),
            Utc::now(),
            CorrelationId::parse(&format!("corr-{}", self.order_id)).unwrap(),
        )
    }

    pub fn plan(&self) -> FulfillmentPlan {
        FulfillmentPlan {
            plan_id: PlanId::from_uuid(self.plan_id),
            rules_version: "1".into(),
            tasks: self
                .specs
                .iter()
                .map(|s| PlannedTask {
                    task_id: TaskId::from_uuid(self.task(s.0)),
                    item_ids: vec![OrderItemId::from_uuid(self.item_ids[s.1])],
                    task_type: s.2.into(),
                    target_system: s.3.into(),
                    depends_on: s
                        .4
                        .iter()
                        .map(|d| TaskId::from_uuid(self.task(d)))
                        .collect(),
                    reversibility: TaskReversibility::Automatic,
                    external_effect_level: ExternalEffectLevel::NetworkVisible,
                    template_key: Some(s.0.to_owned()),
                    compensation_task_type: Some(format!("UNDO_{}", s.2)),
                    item_milestone: None,
                    item_asset_effect: self.asset_effects.get(&s.1).copied(),
                    inputs: None,
                })
                .collect(),
        }
    }

    pub fn decomposed(&self) -> DecompositionEvent {
        OrderDecomposed {
            base: OrderFactBase {
                order_id: OrderId::from_uuid(self.order_id),
                tenant_id: TenantId::parse(&self.tenant).unwrap(),
                meta: self.meta("decomposition"),
            },
            plan: self.plan(),
        }
        .into()
    }

    fn order_base(&self, version: u64) -> OrderEventBase {
        OrderEventBase {
            order_id: OrderId::from_uuid(self.order_id),
            tenant_id: TenantId::parse(&self.tenant).unwrap(),
            order_version: version,
            meta: self.meta("order-capture"),
        }
    }

    fn items(&self) -> Vec<OrderItemId> {
        self.item_ids
            .iter()
            .copied()
            .map(OrderItemId::from_uuid)
            .collect()
    }

    /// Order-capture closed the (FALLOUT) order by business decision.
    pub fn failed_closed(&self) -> OrderEvent {
        OrderFailedClosed {
            base: self.order_base(20),
            closed_item_ids: self.items(),
        }
        .into()
    }

    /// Order-capture cancelled the order before it was released.
    pub fn cancelled_before_execution(&self) -> OrderEvent {
        OrderCancelled {
            base: self.order_base(5),
            order_number: OrderNumber::parse("O-2026-00000421").unwrap(),
            billing_account_id: Some(BillingAccountId::parse("ba-1").unwrap()),
            request_id: CancellationRequestId::from_uuid(Uuid::now_v7()),
            reason_code: ReasonCode::parse("CUSTOMER_REQUEST").unwrap(),
            cancelled_item_ids: self.items(),
            before_execution: true,
        }
        .into()
    }

    /// Order-capture accepted amendment `request_id`, which needs a re-plan.
    pub fn amendment_requested(&self, request_id: Uuid) -> OrderEvent {
        OrderAmendmentRequested {
            base: self.order_base(8),
            request_id: AmendmentRequestId::from_uuid(request_id),
            reason_code: ReasonCode::parse("CUSTOMER_REQUEST").unwrap(),
            changes: vec![],
            proposed_content: Box::new(self.content.clone()),
            requires_redecomposition: true,
            replanned_item_ids: self.items(),
        }
        .into()
    }

    /// Decomposition's re-plan for amendment `request_id`: every task of the plan kept, and
    /// `added` (which runs after the task `after`) new, under plan `new_plan_id`.
    pub fn redecomposed(
        &self,
        request_id: Uuid,
        new_plan_id: Uuid,
        added: Uuid,
        after: &str,
    ) -> DecompositionEvent {
        let mut plan = self.plan();
        plan.plan_id = PlanId::from_uuid(new_plan_id);
        let mut extra = plan.tasks[0].clone();
        extra.task_id = TaskId::from_uuid(added);
        extra.task_type = "CONFIGURE_DEVICE".into();
        extra.target_system = "NETWORK_PROVISIONING".into();
        extra.template_key = Some("extra".into());
        extra.compensation_task_type = None;
        extra.depends_on = vec![TaskId::from_uuid(self.task(after))];
        plan.tasks.push(extra);
        OrderRedecomposed {
            base: OrderFactBase {
                order_id: OrderId::from_uuid(self.order_id),
                tenant_id: TenantId::parse(&self.tenant).unwrap(),
                meta: self.meta("decomposition"),
            },
            request_id: AmendmentRequestId::from_uuid(request_id),
            previous_plan_id: PlanId::from_uuid(self.plan_id),
            plan,
        }
        .into()
    }

    pub fn released(&self) -> OrderEvent {
        OrderReleasedForFulfillment {
            base: self.order_base(6),
            plan_id: PlanId::from_uuid(self.plan_id),
            order_number: OrderNumber::parse("O-2026-00000421").unwrap(),
            content: Box::new(self.content.clone()),
        }
        .into()
    }
}
