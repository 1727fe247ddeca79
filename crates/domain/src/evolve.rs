//! `evolve`: applies one event to the aggregate. Total and trusting: it is only given
//! events that `decide` produced for this state (or that were stored after such a
//! decision), so it does not re-check rules; an event that does not fit (unknown item)
//! changes nothing but the version. Every applied event increments `version` by one and
//! stamps `updated_at`/`updated_by` from its meta.

use crate::events::{OrderCaptured, OrderEvent};
use crate::lifecycle::{FulfillmentState, ItemState, OrderState};
use crate::order::{
    AmendmentRecord, CancellationAssessment, CancellationRecord, DecompositionRecord,
    FalloutRecord, HoldRelease, Order,
};
use crate::vocab::{CancellationFeasibility, RepairResolution};

/// Creates the aggregate from `OrderCaptured`; applies any other event to an existing one.
/// Returns the state unchanged (`None` stays `None`) for an event that cannot apply.
pub fn evolve(state: Option<Order>, event: &OrderEvent) -> Option<Order> {
    match (state, event) {
        (None, OrderEvent::OrderCaptured(e)) => Some(created(e)),
        (Some(mut order), event) => {
            apply(&mut order, event);
            Some(order)
        }
        (None, _) => None,
    }
}

/// Rebuilds an aggregate from its events (tests, audits, repair tooling).
pub fn replay<'a>(events: impl IntoIterator<Item = &'a OrderEvent>) -> Option<Order> {
    events.into_iter().fold(None, evolve)
}

fn created(e: &OrderCaptured) -> Order {
    let meta = &e.base.meta;
    Order {
        id: e.base.order_id,
        number: e.order_number.clone(),
        tenant: e.base.tenant_id.clone(),
        capture_mode: e.capture_mode,
        state: e.initial_state,
        version: 1,
        correlation_id: meta.correlation_id.clone(),
        intake: (*e.intake).clone(),
        item_ids: e.item_ids.clone(),
        request_fingerprint: e.request_fingerprint.clone(),
        content: None,
        violations: Vec::new(),
        holds: Vec::new(),
        released_for_decomposition: false,
        decomposition: None,
        fulfillment_started: false,
        fallout: None,
        cancellation: None,
        amendment: None,
        created_at: meta.at,
        created_by: meta.actor.clone(),
        updated_at: meta.at,
        updated_by: meta.actor.clone(),
        completed_at: None,
        closed_at: None,
    }
}

pub(crate) fn apply(order: &mut Order, event: &OrderEvent) {
    use OrderEvent as E;
    let meta = &event.base().meta;
    match event {
        // Creation only; never re-applied to an existing order.
        E::OrderCaptured(_) => return,
        E::OrderSubmitted(_) => order.state = OrderState::Submitted,
        E::OrderValidated(e) => {
            order.state = OrderState::Validated;
            order.content = Some((*e.content).clone());
            order.violations.clone_from(&e.warnings);
        }
        E::OrderRejected(e) => {
            order.state = OrderState::Rejected;
            order.violations.clone_from(&e.violations);
            order.closed_at = Some(meta.at);
        }
        E::OrderReleasedForDecomposition(_) => order.released_for_decomposition = true,
        E::OrderDecompositionRecorded(e) => {
            order.state = OrderState::Decomposed;
            order.decomposition = Some(DecompositionRecord {
                plan_id: e.plan_id,
                rules_version: e.rules_version.clone(),
                tasks_per_item: e.tasks_per_item.clone(),
            });
        }
        E::OrderReleasedForFulfillment(_) => {
            order.state = OrderState::InProgress;
            order.fulfillment_started = true;
        }
        E::OrderItemStarted(e) => set_item(
            order,
            e.item_id,
            ItemState::InProgress,
            FulfillmentState::WaitingForExternalSystem,
        ),
        E::OrderItemProgressRecorded(e) => {
            if let Some(item) = order.item_mut(e.item_id) {
                item.fulfillment_state = e.fulfillment_state;
            }
        }
        E::OrderItemCompleted(e) => {
            if let Some(item) = order.item_mut(e.item_id) {
                item.state = ItemState::Completed;
                item.fulfillment_state = FulfillmentState::Completed;
                item.actual_asset_id.clone_from(&e.actual_asset_id);
                item.asset_effect = Some(e.asset_effect);
                item.activation_date = e.activation_date;
            }
        }
        E::OrderItemFailed(e) => set_item(
            order,
            e.item_id,
            ItemState::Failed,
            FulfillmentState::Failed,
        ),
        E::OrderItemWaived(e) => set_item(
            order,
            e.item_id,
            ItemState::Waived,
            FulfillmentState::Completed,
        ),
        E::OrderPartiallyCompleted(_) => order.state = OrderState::PartiallyCompleted,
        E::OrderFalloutRaised(e) => {
            let record = order.fallout.get_or_insert_with(|| FalloutRecord {
                resume_state: e.resume_state,
                cases: Vec::new(),
            });
            record.cases.push(e.case.clone());
            order.state = OrderState::Fallout;
        }
        E::OrderFalloutRepaired(e) => {
            if let Some(record) = order.fallout.as_mut() {
                record.cases.retain(|c| c.id != e.fallout_id);
                if record.cases.is_empty() {
                    order.fallout = None;
                }
            }
            if let Some(item_id) = e.item_id {
                match e.resolution {
                    RepairResolution::RetryItem => set_item(
                        order,
                        item_id,
                        ItemState::InProgress,
                        FulfillmentState::RetryScheduled,
                    ),
                    RepairResolution::WaiveItem => set_item(
                        order,
                        item_id,
                        ItemState::Waived,
                        FulfillmentState::Completed,
                    ),
                    RepairResolution::Resume => {}
                }
            }
            if e.resumed_state == OrderState::Validated {
                // Decomposition must be triggered again after a repair before it.
                order.released_for_decomposition = false;
            }
            order.state = e.resumed_state;
        }
        E::OrderHoldPlaced(e) => order.holds.push(e.hold.clone()),
        E::OrderHoldReleased(e) => {
            if let (Some(hold), Some(reason)) = (
                order.holds.iter_mut().find(|h| h.id == e.hold_id),
                meta.reason.clone(),
            ) {
                hold.released = Some(HoldRelease {
                    released_by: meta.actor.clone(),
                    released_at: meta.at,
                    reason,
                });
            }
        }
        E::OrderCompleted(_) => {
            order.state = OrderState::Completed;
            order.completed_at = Some(meta.at);
        }
        E::OrderCancellationRequested(e) => {
            order.cancellation = Some(CancellationRecord {
                request_id: e.request_id,
                reason_code: e.reason_code.clone(),
                requested_at: meta.at,
                requested_by: meta.actor.clone(),
                prior_state: e.prior_state,
                prior_fallout: order.fallout.take(),
                assessment: None,
                scope_item_ids: e.scope_item_ids.clone(),
                kind: e.kind,
                force_manual_review: e.force_manual_review,
                billing_started_item_ids: Vec::new(),
                cancelled_item_ids: Vec::new(),
            });
            order.state = OrderState::CancellationRequested;
        }
        E::OrderCancellationAssessed(e) => {
            let cancels = matches!(
                e.feasibility,
                CancellationFeasibility::FullyCancellable
                    | CancellationFeasibility::PartiallyCancellable
            );
            let billed: Vec<_> = e
                .cancelling_item_ids
                .iter()
                .copied()
                .filter(|id| {
                    order
                        .item(*id)
                        .is_some_and(|i| i.state == ItemState::Completed)
                })
                .collect();
            if let Some(c) = order.cancellation.as_mut() {
                c.assessment = Some(CancellationAssessment {
                    feasibility: e.feasibility,
                    blockers: e.blockers.clone(),
                    assessed_at: meta.at,
                    proposed_item_ids: e.cancelling_item_ids.clone(),
                });
                if cancels {
                    c.billing_started_item_ids = billed;
                }
            }
            if cancels {
                for id in &e.cancelling_item_ids {
                    set_item(
                        order,
                        *id,
                        ItemState::Cancelling,
                        FulfillmentState::Compensating,
                    );
                }
                order.state = OrderState::Cancelling;
            }
        }
        E::OrderCancellationRejected(e) => {
            if let Some(c) = order.cancellation.take() {
                order.fallout = c.prior_fallout;
            }
            order.state = e.resumed_state;
        }
        E::OrderCancelled(e) => {
            for id in &e.cancelled_item_ids {
                if let Some(item) = order.item_mut(*id) {
                    item.state = ItemState::Cancelled;
                }
            }
            order.state = OrderState::Cancelled;
            order.fallout = None;
            order.amendment = None;
            order.closed_at = Some(meta.at);
        }
        E::OrderItemCancelled(e) => {
            if let Some(item) = order.item_mut(e.item_id) {
                item.state = ItemState::Cancelled;
            }
            if let Some(c) = order.cancellation.as_mut() {
                c.cancelled_item_ids.push(e.item_id);
            }
        }
        E::OrderCancellationCompleted(e) => {
            if let Some(c) = order.cancellation.take() {
                order.fallout = restored_fallout(c.prior_fallout, &e.cancelled_item_ids);
            }
            order.state = e.resumed_state;
        }
        E::OrderAmendmentRequested(e) => {
            order.amendment = Some(Box::new(AmendmentRecord {
                request_id: e.request_id,
                reason_code: e.reason_code.clone(),
                requested_at: meta.at,
                requested_by: meta.actor.clone(),
                proposed_content: (*e.proposed_content).clone(),
                replanned_item_ids: e.replanned_item_ids.clone(),
            }));
        }
        E::OrderAmendmentApplied(e) => {
            // The proposed content was taken when the amendment was requested; items that
            // progressed since keep their progress.
            let mut content = (*e.content).clone();
            if let Some(live) = order.content.as_ref() {
                for item in &mut content.items {
                    if let Some(current) = live.items.iter().find(|i| i.id == item.id) {
                        item.keep_progress_of(current);
                    }
                }
            }
            order.content = Some(content);
            if let (Some(plan_id), Some(record)) = (e.plan_id, order.decomposition.as_mut()) {
                record.plan_id = plan_id;
                record.tasks_per_item.clone_from(&e.tasks_per_item);
            }
            order.amendment = None;
        }
        E::OrderAmendmentRejected(_) => order.amendment = None,
        E::OrderFailedClosed(e) => {
            for id in &e.closed_item_ids {
                if let Some(item) = order.item_mut(*id) {
                    item.state = ItemState::Cancelled;
                }
            }
            order.state = OrderState::FailedClosed;
            // The business decision closes the open cases with the order.
            order.fallout = None;
            order.amendment = None;
            order.closed_at = Some(meta.at);
        }
    }
    order.version += 1;
    order.updated_at = meta.at;
    order.updated_by = meta.actor.clone();
}

/// The fallout cases open before a cancellation that still concern the order after it:
/// those not about an item it cancelled.
pub(crate) fn restored_fallout(
    prior: Option<FalloutRecord>,
    cancelled: &[crate::value::OrderItemId],
) -> Option<FalloutRecord> {
    let mut record = prior?;
    record
        .cases
        .retain(|c| c.item_id.is_none_or(|i| !cancelled.contains(&i)));
    (!record.cases.is_empty()).then_some(record)
}

fn set_item(
    order: &mut Order,
    id: crate::value::OrderItemId,
    state: ItemState,
    fulfillment: FulfillmentState,
) {
    if let Some(item) = order.item_mut(id) {
        item.state = state;
        item.fulfillment_state = fulfillment;
    }
}
