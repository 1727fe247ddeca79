//! Domain `OrderEvent` -> `OrderEventV1`, for order-capture's outbox.
//!
//! The conversion mints the event id (UUID v7) in the envelope: call it once per fact and
//! store the result (the outbox row keeps the encoded record), never convert again on retry.

use oms_domain::OrderEvent;
use oms_domain::value::OrderItemId;
use uuid::Uuid;

use super::OrderEventV1;
use super::content::OrderContent;
use super::events;
use super::intake::CaptureIntake;
use super::parts::{FalloutCase, ItemTaskCount, OrderHold, Violation};
use crate::common::{PriceSnapshot, ProductRef, actor_and_reason, envelope_of};
use crate::error::spelled;

fn uuids(ids: &[OrderItemId]) -> Vec<Uuid> {
    ids.iter().map(OrderItemId::as_uuid).collect()
}

/// Tasks per item, in item id order.
pub(crate) fn task_counts(
    counts: &std::collections::BTreeMap<OrderItemId, u32>,
) -> Vec<ItemTaskCount> {
    counts
        .iter()
        .map(|(item, tasks)| ItemTaskCount {
            item_id: item.as_uuid(),
            task_count: i64::from(*tasks),
        })
        .collect()
}

impl From<&OrderEvent> for OrderEventV1 {
    fn from(event: &OrderEvent) -> Self {
        let base = event.base();
        let envelope = envelope_of(event);
        let (actor, reason) = actor_and_reason(&base.meta);
        let order_id = base.order_id.as_uuid();
        // A version counts events of one order: it never comes near i64::MAX.
        let order_version = i64::try_from(base.order_version).unwrap_or(i64::MAX);
        macro_rules! v1 {
            ($ty:ident { $($body:tt)* }) => {
                OrderEventV1::$ty(events::$ty {
                    envelope,
                    order_id,
                    order_version,
                    actor,
                    reason,
                    $($body)*
                })
            };
        }
        match event {
            OrderEvent::OrderCaptured(e) => v1!(OrderCaptured {
                order_number: e.order_number.to_string(),
                capture_mode: e.capture_mode.into(),
                initial_state: e.initial_state.into(),
                intake: CaptureIntake::from(e.intake.as_ref()),
                item_ids: uuids(&e.item_ids),
                request_fingerprint: e.request_fingerprint.clone(),
            }),
            OrderEvent::OrderSubmitted(_) => v1!(OrderSubmitted {}),
            OrderEvent::OrderValidated(e) => v1!(OrderValidated {
                order_number: e.order_number.to_string(),
                content: OrderContent::from(e.content.as_ref()),
                warnings: e.warnings.iter().map(Violation::from).collect(),
            }),
            OrderEvent::OrderRejected(e) => v1!(OrderRejected {
                order_number: e.order_number.to_string(),
                quote_id: e.quote_id.clone(),
                quote_revision: e.quote_revision,
                violations: e.violations.iter().map(Violation::from).collect(),
            }),
            OrderEvent::OrderReleasedForDecomposition(e) => v1!(OrderReleasedForDecomposition {
                order_number: e.order_number.to_string(),
                content: OrderContent::from(e.content.as_ref()),
            }),
            OrderEvent::OrderDecompositionRecorded(e) => v1!(OrderDecompositionRecorded {
                plan_id: e.plan_id.as_uuid(),
                rules_version: e.rules_version.clone(),
                tasks_per_item: task_counts(&e.tasks_per_item),
            }),
            OrderEvent::OrderReleasedForFulfillment(e) => v1!(OrderReleasedForFulfillment {
                plan_id: e.plan_id.as_uuid(),
                order_number: e.order_number.to_string(),
                content: OrderContent::from(e.content.as_ref()),
            }),
            OrderEvent::OrderItemStarted(e) => v1!(OrderItemStarted {
                item_id: e.item_id.as_uuid(),
            }),
            OrderEvent::OrderItemProgressRecorded(e) => v1!(OrderItemProgressRecorded {
                item_id: e.item_id.as_uuid(),
                fulfillment_state: e.fulfillment_state.into(),
            }),
            OrderEvent::OrderItemCompleted(e) => v1!(OrderItemCompleted {
                item_id: e.item_id.as_uuid(),
                line_number: i64::from(e.line_number),
                action: e.action.into(),
                product: ProductRef::from(&e.product),
                quantity: i64::from(e.quantity),
                actual_asset_id: e.actual_asset_id.as_ref().map(|a| a.as_str().to_owned()),
                asset_effect: e.asset_effect.into(),
                billing_account_id: e.billing_account_id.as_str().to_owned(),
                price: PriceSnapshot::from(&e.price),
                activation_date: e.activation_date,
            }),
            OrderEvent::OrderItemFailed(e) => v1!(OrderItemFailed {
                item_id: e.item_id.as_uuid(),
                fallout_id: e.fallout_id.as_uuid(),
                code: e.code.as_str().to_owned(),
                message: e.message.clone(),
            }),
            OrderEvent::OrderItemWaived(e) => v1!(OrderItemWaived {
                item_id: e.item_id.as_uuid(),
                policy_ref: e.policy_ref.as_str().to_owned(),
            }),
            OrderEvent::OrderPartiallyCompleted(e) => v1!(OrderPartiallyCompleted {
                completed_item_ids: uuids(&e.completed_item_ids),
            }),
            OrderEvent::OrderFalloutRaised(e) => v1!(OrderFalloutRaised {
                case: FalloutCase::from(&e.case),
                resume_state: e.resume_state.into(),
            }),
            OrderEvent::OrderFalloutRepaired(e) => v1!(OrderFalloutRepaired {
                fallout_id: e.fallout_id.as_uuid(),
                resolution: e.resolution.into(),
                item_id: e.item_id.map(|i| i.as_uuid()),
                resumed_state: e.resumed_state.into(),
            }),
            OrderEvent::OrderHoldPlaced(e) => v1!(OrderHoldPlaced {
                hold: OrderHold::from(&e.hold),
            }),
            OrderEvent::OrderHoldReleased(e) => v1!(OrderHoldReleased {
                hold_id: e.hold_id.as_uuid(),
                hold_type: e.hold_type.into(),
            }),
            OrderEvent::OrderCompleted(e) => v1!(OrderCompleted {
                order_number: e.order_number.to_string(),
                billing_account_id: e.billing_account_id.as_str().to_owned(),
                completed_item_ids: uuids(&e.completed_item_ids),
                waived_item_ids: uuids(&e.waived_item_ids),
            }),
            OrderEvent::OrderCancellationRequested(e) => v1!(OrderCancellationRequested {
                request_id: e.request_id.as_uuid(),
                reason_code: e.reason_code.as_str().to_owned(),
                prior_state: e.prior_state.into(),
                scope_item_ids: uuids(&e.scope_item_ids),
                kind: e.kind.map(|k| k.as_str().to_owned()),
                force_manual_review: e.force_manual_review,
            }),
            OrderEvent::OrderCancellationAssessed(e) => v1!(OrderCancellationAssessed {
                request_id: e.request_id.as_uuid(),
                feasibility: e.feasibility.into(),
                cancelling_item_ids: uuids(&e.cancelling_item_ids),
                blockers: e.blockers.clone(),
            }),
            OrderEvent::OrderCancellationRejected(e) => v1!(OrderCancellationRejected {
                request_id: e.request_id.as_uuid(),
                resumed_state: e.resumed_state.into(),
                blockers: e.blockers.clone(),
            }),
            OrderEvent::OrderCancelled(e) => v1!(OrderCancelled {
                order_number: e.order_number.to_string(),
                billing_account_id: e.billing_account_id.as_ref().map(|b| b.as_str().to_owned()),
                request_id: e.request_id.as_uuid(),
                reason_code: e.reason_code.as_str().to_owned(),
                cancelled_item_ids: uuids(&e.cancelled_item_ids),
                before_execution: e.before_execution,
            }),
            OrderEvent::OrderFailedClosed(e) => v1!(OrderFailedClosed {
                closed_item_ids: uuids(&e.closed_item_ids),
            }),
            OrderEvent::OrderItemCancelled(e) => v1!(OrderItemCancelled {
                request_id: e.request_id.as_uuid(),
                item_id: e.item_id.as_uuid(),
                line_number: i64::from(e.line_number),
                billing_account_id: e.billing_account_id.as_str().to_owned(),
                price: PriceSnapshot::from(&e.price),
                billing_started: e.billing_started,
                asset_reverted: e.asset_reverted.map(Into::into),
            }),
            OrderEvent::OrderCancellationCompleted(e) => v1!(OrderCancellationCompleted {
                request_id: e.request_id.as_uuid(),
                cancelled_item_ids: uuids(&e.cancelled_item_ids),
                resumed_state: e.resumed_state.into(),
            }),
            OrderEvent::OrderAmendmentRequested(e) => v1!(OrderAmendmentRequested {
                request_id: e.request_id.as_uuid(),
                reason_code: e.reason_code.as_str().to_owned(),
                changes: e
                    .changes
                    .iter()
                    .map(|c| events::AmendmentChange {
                        kind: spelled(&c.kind),
                        item_id: c.item_id.map(|i| i.as_uuid()),
                        path: c.path.clone(),
                        before: c.before.clone(),
                        after: c.after.clone(),
                    })
                    .collect(),
                proposed_content: OrderContent::from(e.proposed_content.as_ref()),
                requires_redecomposition: e.requires_redecomposition,
                replanned_item_ids: uuids(&e.replanned_item_ids),
            }),
            OrderEvent::OrderAmendmentApplied(e) => v1!(OrderAmendmentApplied {
                request_id: e.request_id.as_uuid(),
                content: OrderContent::from(e.content.as_ref()),
                plan_id: e.plan_id.map(|p| p.as_uuid()),
                tasks_per_item: task_counts(&e.tasks_per_item),
            }),
            OrderEvent::OrderAmendmentRejected(e) => v1!(OrderAmendmentRejected {
                request_id: e.request_id.as_uuid(),
                code: e.code.as_str().to_owned(),
                message: e.message.clone(),
                remediation: e.remediation.clone(),
            }),
        }
    }
}
