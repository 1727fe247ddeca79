//! Item facts reported by fulfillment (started, progress, completed, failed) and the
//! audited waiver. After each, the header state is re-derived from the items while the
//! order is in the fulfillment phase; entering PARTIALLY_COMPLETED or COMPLETED emits its
//! own event (`OrderPartiallyCompleted`, `OrderCompleted`). A failure opens a fallout case.

use super::Emitter;
use crate::command::{RecordItemCompleted, RecordItemFailed};
use crate::error::DomainError;
use crate::events::{
    OrderCompleted, OrderFalloutRaised, OrderItemCompleted, OrderItemFailed,
    OrderItemProgressRecorded, OrderItemStarted, OrderItemWaived, OrderPartiallyCompleted,
};
use crate::lifecycle::{
    FulfillmentState, ItemState, ItemTrigger, OrderState, OrderTrigger, item_targets,
};
use crate::order::{FalloutCase, OrderItem};
use crate::value::{OrderItemId, PolicyRef};
use crate::vocab::FalloutCategory;

/// Checks fulfillment has started and the item table allows `trigger`; returns the item.
pub(super) fn checked_item(
    em: &Emitter<'_>,
    item_id: OrderItemId,
    trigger: ItemTrigger,
) -> Result<OrderItem, DomainError> {
    if !em.order.fulfillment_started {
        return Err(DomainError::FulfillmentNotStarted);
    }
    let item = em
        .order
        .item(item_id)
        .ok_or(DomainError::ItemNotFound { item_id })?;
    item_targets(item.state, trigger).ok_or(DomainError::ItemTransitionNotAllowed {
        item_id,
        from: item.state,
        trigger,
    })?;
    Ok(item.clone())
}

pub(super) fn started(em: &mut Emitter<'_>, item_id: OrderItemId) -> Result<(), DomainError> {
    let item = checked_item(em, item_id, ItemTrigger::Start)?;
    // Items have several tasks; only the first start is a fact worth an event.
    if item.state == ItemState::Pending {
        em.emit(OrderItemStarted {
            base: em.base(),
            item_id,
        });
    }
    Ok(())
}

pub(super) fn progress(
    em: &mut Emitter<'_>,
    item_id: OrderItemId,
    state: FulfillmentState,
) -> Result<(), DomainError> {
    checked_item(em, item_id, ItemTrigger::ReportProgress)?;
    if !state.is_reportable_progress() {
        return Err(DomainError::ProgressStateNotReportable { state });
    }
    em.emit(OrderItemProgressRecorded {
        base: em.base(),
        item_id,
        fulfillment_state: state,
    });
    Ok(())
}

pub(super) fn completed(em: &mut Emitter<'_>, c: RecordItemCompleted) -> Result<(), DomainError> {
    let item = checked_item(em, c.item_id, ItemTrigger::Complete)?;
    let billing_account_id = em
        .order
        .content
        .as_ref()
        .map(|content| content.header.parties.billing_account_id.clone())
        .ok_or(DomainError::FulfillmentNotStarted)?;
    em.emit(OrderItemCompleted {
        base: em.base(),
        item_id: item.id,
        line_number: item.line_number,
        action: item.action,
        product: item.product.clone(),
        quantity: item.quantity,
        actual_asset_id: c.actual_asset_id.or(item.target_asset_id),
        asset_effect: c.asset_effect,
        billing_account_id,
        price: item.price.clone(),
        activation_date: c.activation_date,
    });
    after_item_change(em)
}

pub(super) fn failed(em: &mut Emitter<'_>, f: RecordItemFailed) -> Result<(), DomainError> {
    checked_item(em, f.item_id, ItemTrigger::Fail)?;
    super::fallout::ensure_new_case(em, f.fallout_id)?;
    let resume_state = super::fallout::resume_state(em);
    em.emit(OrderItemFailed {
        base: em.base(),
        item_id: f.item_id,
        fallout_id: f.fallout_id,
        code: f.code.clone(),
        message: f.message.clone(),
    });
    let case = FalloutCase {
        id: f.fallout_id,
        category: FalloutCategory::ItemFailure,
        code: f.code,
        item_id: Some(f.item_id),
        task_id: None,
        message: f.message,
        remediation: None,
        raised_at: em.meta.at,
        raised_by: em.meta.actor.clone(),
    };
    em.emit(OrderFalloutRaised {
        base: em.base(),
        case,
        resume_state,
    });
    Ok(())
}

pub(super) fn waive(
    em: &mut Emitter<'_>,
    item_id: OrderItemId,
    policy_ref: PolicyRef,
) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::WaiveItem)?;
    checked_item(em, item_id, ItemTrigger::Waive)?;
    em.emit(OrderItemWaived {
        base: em.base(),
        item_id,
        policy_ref,
    });
    after_item_change(em)
}

/// Re-derives the header state after an item changed and emits the state fact.
pub(super) fn after_item_change(em: &mut Emitter<'_>) -> Result<(), DomainError> {
    if !em.order.header_is_derived() {
        return Ok(());
    }
    match em.order.derived_state() {
        OrderState::PartiallyCompleted if em.order.state == OrderState::InProgress => {
            let completed_item_ids = ids_in(em, ItemState::is_terminal_success);
            em.emit(OrderPartiallyCompleted {
                base: em.base(),
                completed_item_ids,
            });
        }
        OrderState::Completed if em.order.state != OrderState::Completed => emit_completed(em)?,
        _ => {}
    }
    Ok(())
}

pub(super) fn emit_completed(em: &mut Emitter<'_>) -> Result<(), DomainError> {
    let billing_account_id = em
        .order
        .content
        .as_ref()
        .map(|c| c.header.parties.billing_account_id.clone())
        .ok_or(DomainError::FulfillmentNotStarted)?;
    let completed_item_ids = ids_in(em, |s| s == ItemState::Completed);
    let waived_item_ids = ids_in(em, |s| s == ItemState::Waived);
    em.emit(OrderCompleted {
        base: em.base(),
        order_number: em.order.number.clone(),
        billing_account_id,
        completed_item_ids,
        waived_item_ids,
    });
    Ok(())
}

pub(super) fn ids_in(em: &Emitter<'_>, pred: fn(ItemState) -> bool) -> Vec<OrderItemId> {
    em.order
        .items()
        .iter()
        .filter(|i| pred(i.state))
        .map(|i| i.id)
        .collect()
}
