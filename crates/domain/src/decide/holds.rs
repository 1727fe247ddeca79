//! Holds are orthogonal to state: placing or releasing one never changes the state, and
//! both need an actor and a reason (the meta). Hold ids are unique per order; a released
//! hold stays on the order as evidence.

use super::Emitter;
use crate::error::DomainError;
use crate::events::{OrderHoldPlaced, OrderHoldReleased};
use crate::lifecycle::OrderTrigger;
use crate::order::OrderHold;
use crate::value::HoldId;
use crate::vocab::HoldType;

pub(super) fn place(
    em: &mut Emitter<'_>,
    hold_id: HoldId,
    hold_type: HoldType,
    blocking: bool,
) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::PlaceHold)?;
    if em.order.hold(hold_id).is_some() {
        return Err(DomainError::HoldAlreadyExists { hold_id });
    }
    let reason = em.meta.reason.clone().ok_or(DomainError::ReasonRequired {
        trigger: OrderTrigger::PlaceHold,
    })?;
    let hold = OrderHold {
        id: hold_id,
        hold_type,
        blocking,
        reason,
        placed_by: em.meta.actor.clone(),
        placed_at: em.meta.at,
        released: None,
    };
    em.emit(OrderHoldPlaced {
        base: em.base(),
        hold,
    });
    Ok(())
}

pub(super) fn release(em: &mut Emitter<'_>, hold_id: HoldId) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::ReleaseHold)?;
    let hold = em
        .order
        .hold(hold_id)
        .ok_or(DomainError::HoldNotFound { hold_id })?;
    if !hold.is_active() {
        return Err(DomainError::HoldAlreadyReleased { hold_id });
    }
    let hold_type = hold.hold_type;
    em.emit(OrderHoldReleased {
        base: em.base(),
        hold_id,
        hold_type,
    });
    Ok(())
}
