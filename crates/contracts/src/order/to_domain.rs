//! `OrderEventV1` -> domain `OrderEvent`, for the services that consume the order topic
//! (decomposition, fulfillment, asset, projections). Every value goes through its domain
//! `parse`; a record that does not map is a [`MappingError`] the consumer dead-letters.

use std::collections::BTreeMap;

use oms_domain::OrderEvent;
use oms_domain::events::{self as dom, OrderEventBase};
use oms_domain::value::{
    AmendmentRequestId, AssetId, BillingAccountId, CancellationRequestId, FalloutId, HoldId,
    LineNumber, OrderId, OrderItemId, OrderNumber, PlanId, PolicyRef, Quantity, ReasonCode,
};

use super::OrderEventV1;
use super::events::{HeadRef, OrderRecord};
use super::parts::violations;
use crate::common::{checked_tenant, meta_of};
use crate::error::{MappingError, count, id, id_opt, ids, parsed, parsed_opt, unspelled};

fn base(head: &HeadRef<'_>) -> Result<OrderEventBase, MappingError> {
    let order_id = id("orderId", head.order_id, OrderId::parse)?;
    let tenant_id = checked_tenant(
        head.envelope,
        head.event_type,
        "Order",
        &order_id.to_string(),
    )?;
    Ok(OrderEventBase {
        order_id,
        tenant_id,
        order_version: u64::try_from(head.order_version).map_err(|_| MappingError::OutOfRange {
            field: "orderVersion".into(),
            value: head.order_version,
        })?,
        meta: meta_of(head.envelope, head.actor, head.reason)?,
    })
}

fn number(raw: &str) -> Result<OrderNumber, MappingError> {
    parsed("orderNumber", OrderNumber::parse(raw))
}

fn item(raw: uuid::Uuid) -> Result<OrderItemId, MappingError> {
    id("itemId", raw, OrderItemId::parse)
}

/// Tasks per item from the published list.
pub(crate) fn task_counts(
    counts: &[super::ItemTaskCount],
) -> Result<BTreeMap<OrderItemId, u32>, MappingError> {
    let mut tasks_per_item = BTreeMap::new();
    for count_of in counts {
        tasks_per_item.insert(
            id("tasksPerItem.itemId", count_of.item_id, OrderItemId::parse)?,
            count("tasksPerItem.taskCount", count_of.task_count)?,
        );
    }
    Ok(tasks_per_item)
}

impl TryFrom<&OrderEventV1> for OrderEvent {
    type Error = MappingError;

    fn try_from(event: &OrderEventV1) -> Result<Self, MappingError> {
        Ok(match event {
            OrderEventV1::OrderCaptured(e) => dom::OrderCaptured {
                base: base(&e.head())?,
                order_number: number(&e.order_number)?,
                capture_mode: e.capture_mode.into(),
                initial_state: e.initial_state.into(),
                intake: Box::new(e.intake.to_domain()?),
                item_ids: ids("itemIds", &e.item_ids, OrderItemId::parse)?,
                request_fingerprint: e.request_fingerprint.clone(),
            }
            .into(),
            OrderEventV1::OrderSubmitted(e) => dom::OrderSubmitted {
                base: base(&e.head())?,
            }
            .into(),
            OrderEventV1::OrderValidated(e) => dom::OrderValidated {
                base: base(&e.head())?,
                order_number: number(&e.order_number)?,
                content: Box::new(e.content.to_domain()?),
                warnings: violations(&e.warnings)?,
            }
            .into(),
            OrderEventV1::OrderRejected(e) => dom::OrderRejected {
                base: base(&e.head())?,
                order_number: number(&e.order_number)?,
                quote_id: e.quote_id.clone(),
                quote_revision: e.quote_revision,
                violations: violations(&e.violations)?,
            }
            .into(),
            OrderEventV1::OrderReleasedForDecomposition(e) => dom::OrderReleasedForDecomposition {
                base: base(&e.head())?,
                order_number: number(&e.order_number)?,
                content: Box::new(e.content.to_domain()?),
            }
            .into(),
            OrderEventV1::OrderDecompositionRecorded(e) => dom::OrderDecompositionRecorded {
                base: base(&e.head())?,
                plan_id: id("planId", e.plan_id, PlanId::parse)?,
                rules_version: e.rules_version.clone(),
                tasks_per_item: task_counts(&e.tasks_per_item)?,
            }
            .into(),
            OrderEventV1::OrderReleasedForFulfillment(e) => dom::OrderReleasedForFulfillment {
                base: base(&e.head())?,
                plan_id: id("planId", e.plan_id, PlanId::parse)?,
                order_number: number(&e.order_number)?,
                content: Box::new(e.content.to_domain()?),
            }
            .into(),
            OrderEventV1::OrderItemStarted(e) => dom::OrderItemStarted {
                base: base(&e.head())?,
                item_id: item(e.item_id)?,
            }
            .into(),
            OrderEventV1::OrderItemProgressRecorded(e) => dom::OrderItemProgressRecorded {
                base: base(&e.head())?,
                item_id: item(e.item_id)?,
                fulfillment_state: e.fulfillment_state.into(),
            }
            .into(),
            OrderEventV1::OrderItemCompleted(e) => dom::OrderItemCompleted {
                base: base(&e.head())?,
                item_id: item(e.item_id)?,
                line_number: parsed("lineNumber", LineNumber::parse(e.line_number))?,
                action: e.action.into(),
                product: e.product.to_domain()?,
                quantity: parsed("quantity", Quantity::parse(e.quantity))?,
                actual_asset_id: parsed_opt(
                    "actualAssetId",
                    e.actual_asset_id.as_ref(),
                    AssetId::parse,
                )?,
                asset_effect: e.asset_effect.into(),
                billing_account_id: parsed(
                    "billingAccountId",
                    BillingAccountId::parse(&e.billing_account_id),
                )?,
                price: e.price.to_domain()?,
                activation_date: e.activation_date,
            }
            .into(),
            OrderEventV1::OrderItemFailed(e) => dom::OrderItemFailed {
                base: base(&e.head())?,
                item_id: item(e.item_id)?,
                fallout_id: id("falloutId", e.fallout_id, FalloutId::parse)?,
                code: parsed("code", ReasonCode::parse(&e.code))?,
                message: e.message.clone(),
            }
            .into(),
            OrderEventV1::OrderItemWaived(e) => dom::OrderItemWaived {
                base: base(&e.head())?,
                item_id: item(e.item_id)?,
                policy_ref: parsed("policyRef", PolicyRef::parse(&e.policy_ref))?,
            }
            .into(),
            OrderEventV1::OrderPartiallyCompleted(e) => dom::OrderPartiallyCompleted {
                base: base(&e.head())?,
                completed_item_ids: ids(
                    "completedItemIds",
                    &e.completed_item_ids,
                    OrderItemId::parse,
                )?,
            }
            .into(),
            OrderEventV1::OrderFalloutRaised(e) => dom::OrderFalloutRaised {
                base: base(&e.head())?,
                case: e.case.to_domain()?,
                resume_state: e.resume_state.into(),
            }
            .into(),
            OrderEventV1::OrderFalloutRepaired(e) => dom::OrderFalloutRepaired {
                base: base(&e.head())?,
                fallout_id: id("falloutId", e.fallout_id, FalloutId::parse)?,
                resolution: e.resolution.into(),
                item_id: id_opt("itemId", e.item_id, OrderItemId::parse)?,
                resumed_state: e.resumed_state.into(),
            }
            .into(),
            OrderEventV1::OrderHoldPlaced(e) => dom::OrderHoldPlaced {
                base: base(&e.head())?,
                hold: e.hold.to_domain()?,
            }
            .into(),
            OrderEventV1::OrderHoldReleased(e) => dom::OrderHoldReleased {
                base: base(&e.head())?,
                hold_id: id("holdId", e.hold_id, HoldId::parse)?,
                hold_type: e.hold_type.into(),
            }
            .into(),
            OrderEventV1::OrderCompleted(e) => dom::OrderCompleted {
                base: base(&e.head())?,
                order_number: number(&e.order_number)?,
                billing_account_id: parsed(
                    "billingAccountId",
                    BillingAccountId::parse(&e.billing_account_id),
                )?,
                completed_item_ids: ids(
                    "completedItemIds",
                    &e.completed_item_ids,
                    OrderItemId::parse,
                )?,
                waived_item_ids: ids("waivedItemIds", &e.waived_item_ids, OrderItemId::parse)?,
            }
            .into(),
            OrderEventV1::OrderCancellationRequested(e) => dom::OrderCancellationRequested {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                reason_code: parsed("reasonCode", ReasonCode::parse(&e.reason_code))?,
                prior_state: e.prior_state.into(),
                scope_item_ids: ids("scopeItemIds", &e.scope_item_ids, OrderItemId::parse)?,
                kind: e
                    .kind
                    .as_deref()
                    .map(|k| unspelled("kind", k))
                    .transpose()?,
                force_manual_review: e.force_manual_review,
            }
            .into(),
            OrderEventV1::OrderCancellationAssessed(e) => dom::OrderCancellationAssessed {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                feasibility: e.feasibility.into(),
                cancelling_item_ids: ids(
                    "cancellingItemIds",
                    &e.cancelling_item_ids,
                    OrderItemId::parse,
                )?,
                blockers: e.blockers.clone(),
            }
            .into(),
            OrderEventV1::OrderCancellationRejected(e) => dom::OrderCancellationRejected {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                resumed_state: e.resumed_state.into(),
                blockers: e.blockers.clone(),
            }
            .into(),
            OrderEventV1::OrderCancelled(e) => dom::OrderCancelled {
                base: base(&e.head())?,
                order_number: number(&e.order_number)?,
                billing_account_id: parsed_opt(
                    "billingAccountId",
                    e.billing_account_id.as_ref(),
                    BillingAccountId::parse,
                )?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                reason_code: parsed("reasonCode", ReasonCode::parse(&e.reason_code))?,
                cancelled_item_ids: ids(
                    "cancelledItemIds",
                    &e.cancelled_item_ids,
                    OrderItemId::parse,
                )?,
                before_execution: e.before_execution,
            }
            .into(),
            OrderEventV1::OrderFailedClosed(e) => dom::OrderFailedClosed {
                base: base(&e.head())?,
                closed_item_ids: ids("closedItemIds", &e.closed_item_ids, OrderItemId::parse)?,
            }
            .into(),
            OrderEventV1::OrderItemCancelled(e) => dom::OrderItemCancelled {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                item_id: item(e.item_id)?,
                line_number: parsed("lineNumber", LineNumber::parse(e.line_number))?,
                billing_account_id: parsed(
                    "billingAccountId",
                    BillingAccountId::parse(&e.billing_account_id),
                )?,
                price: e.price.to_domain()?,
                billing_started: e.billing_started,
                asset_reverted: e.asset_reverted.map(Into::into),
            }
            .into(),
            OrderEventV1::OrderCancellationCompleted(e) => dom::OrderCancellationCompleted {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                cancelled_item_ids: ids(
                    "cancelledItemIds",
                    &e.cancelled_item_ids,
                    OrderItemId::parse,
                )?,
                resumed_state: e.resumed_state.into(),
            }
            .into(),
            OrderEventV1::OrderAmendmentRequested(e) => dom::OrderAmendmentRequested {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                reason_code: parsed("reasonCode", ReasonCode::parse(&e.reason_code))?,
                changes: e
                    .changes
                    .iter()
                    .map(|c| {
                        Ok(dom::AmendmentChangeSummary {
                            kind: unspelled("changes.kind", &c.kind)?,
                            item_id: id_opt("changes.itemId", c.item_id, OrderItemId::parse)?,
                            path: c.path.clone(),
                            before: c.before.clone(),
                            after: c.after.clone(),
                        })
                    })
                    .collect::<Result<_, MappingError>>()?,
                proposed_content: Box::new(e.proposed_content.to_domain()?),
                requires_redecomposition: e.requires_redecomposition,
                replanned_item_ids: ids(
                    "replannedItemIds",
                    &e.replanned_item_ids,
                    OrderItemId::parse,
                )?,
            }
            .into(),
            OrderEventV1::OrderAmendmentApplied(e) => dom::OrderAmendmentApplied {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                content: Box::new(e.content.to_domain()?),
                plan_id: id_opt("planId", e.plan_id, PlanId::parse)?,
                tasks_per_item: task_counts(&e.tasks_per_item)?,
            }
            .into(),
            OrderEventV1::OrderAmendmentRejected(e) => dom::OrderAmendmentRejected {
                base: base(&e.head())?,
                request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                code: parsed("code", ReasonCode::parse(&e.code))?,
                message: e.message.clone(),
                remediation: e.remediation.clone(),
            }
            .into(),
        })
    }
}
