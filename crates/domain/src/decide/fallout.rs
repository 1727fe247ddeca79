//! Fallout: raising cases, manual repair (a command with actor and reason, never a
//! direct state edit), and closing a failed order by business decision.
//!
//! While cases are open the order is FALLOUT; the state it resumes to is the one it had
//! when the first case opened. Repairing the last case returns it there, re-deriving the
//! header from the items when that state is in the fulfillment phase (items may have
//! progressed meanwhile), and completing the order if all items are now done.

use super::Emitter;
use super::items::{emit_completed, ids_in};
use crate::command::RaiseFallout;
use crate::error::DomainError;
use crate::events::{OrderFailedClosed, OrderFalloutRaised, OrderFalloutRepaired};
use crate::lifecycle::{
    ItemState, ItemTrigger, OrderState, OrderTrigger, derive_header_state, is_fulfillment_phase,
    item_targets,
};
use crate::order::FalloutCase;
use crate::value::{FalloutId, OrderItemId};
use crate::vocab::RepairResolution;

pub(super) fn ensure_new_case(em: &Emitter<'_>, fallout_id: FalloutId) -> Result<(), DomainError> {
    let open = em
        .order
        .fallout
        .iter()
        .flat_map(|f| &f.cases)
        .any(|c| c.id == fallout_id);
    if open {
        Err(DomainError::FalloutAlreadyOpen { fallout_id })
    } else {
        Ok(())
    }
}

/// Where the order resumes after repair: kept from the first open case.
pub(super) fn resume_state(em: &Emitter<'_>) -> OrderState {
    match &em.order.fallout {
        Some(f) if em.order.state == OrderState::Fallout => f.resume_state,
        _ => em.order.state,
    }
}

pub(super) fn raise(em: &mut Emitter<'_>, f: RaiseFallout) -> Result<(), DomainError> {
    ensure_new_case(em, f.fallout_id)?;
    if let Some(item_id) = f.item_id
        && em.order.item(item_id).is_none()
    {
        return Err(DomainError::ItemNotFound { item_id });
    }
    let case = FalloutCase {
        id: f.fallout_id,
        category: f.category,
        code: f.code,
        item_id: f.item_id,
        task_id: f.task_id,
        message: f.message,
        remediation: f.remediation,
        raised_at: em.meta.at,
        raised_by: em.meta.actor.clone(),
    };
    let resume_state = resume_state(em);
    em.emit(OrderFalloutRaised {
        base: em.base(),
        case,
        resume_state,
    });
    Ok(())
}

pub(super) fn repair(
    em: &mut Emitter<'_>,
    fallout_id: FalloutId,
    resolution: RepairResolution,
) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::RepairFallout)?;
    let record = em
        .order
        .fallout
        .clone()
        .ok_or(DomainError::FalloutNotFound { fallout_id })?;
    let case = record
        .cases
        .iter()
        .find(|c| c.id == fallout_id)
        .ok_or(DomainError::FalloutNotFound { fallout_id })?;
    let item_id = case.item_id;
    let mut states: Vec<(OrderItemId, ItemState)> =
        em.order.items().iter().map(|i| (i.id, i.state)).collect();
    if let Some(target) = resolution_target(resolution) {
        let id = item_id.ok_or_else(|| DomainError::RepairInvalid {
            detail: format!("{resolution:?} needs a fallout case linked to an item"),
        })?;
        let (_, state) = states
            .iter_mut()
            .find(|(i, _)| *i == id)
            .ok_or(DomainError::ItemNotFound { item_id: id })?;
        let to = item_targets(*state, target).ok_or(DomainError::ItemTransitionNotAllowed {
            item_id: id,
            from: *state,
            trigger: target,
        })?;
        *state = to;
    }
    let others_open = record.cases.len() > 1;
    if !others_open && let Some((failed, _)) = states.iter().find(|(_, s)| *s == ItemState::Failed)
    {
        return Err(DomainError::FailedItemUnresolved { item_id: *failed });
    }
    let resumed_state = if others_open {
        OrderState::Fallout
    } else if em.order.fulfillment_started && is_fulfillment_phase(record.resume_state) {
        let item_states: Vec<ItemState> = states.iter().map(|(_, s)| *s).collect();
        derive_header_state(&item_states, false)
    } else {
        record.resume_state
    };
    em.emit(OrderFalloutRepaired {
        base: em.base(),
        fallout_id,
        resolution,
        item_id,
        resumed_state,
    });
    if resumed_state == OrderState::Completed {
        emit_completed(em)?;
    }
    Ok(())
}

fn resolution_target(resolution: RepairResolution) -> Option<ItemTrigger> {
    match resolution {
        RepairResolution::Resume => None,
        RepairResolution::RetryItem => Some(ItemTrigger::Retry),
        RepairResolution::WaiveItem => Some(ItemTrigger::Waive),
    }
}

pub(super) fn close_as_failed(em: &mut Emitter<'_>) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::CloseAsFailed)?;
    let closed_item_ids = ids_in(em, ItemState::is_in_flight);
    em.emit(OrderFailedClosed {
        base: em.base(),
        closed_item_ids,
    });
    Ok(())
}
