//! Release to decomposition, the decomposition outcome, release to fulfillment.
//!
//! Invariant (DOMAIN §9): fulfillment cannot start before validation and decomposition,
//! nor with an active blocking hold. The table only allows ReleaseForFulfillment from
//! DECOMPOSED, which is only reached from VALIDATED through a recorded plan; the hold
//! guard is here. Release to decomposition is recorded (the state stays VALIDATED) so it
//! is emitted once. Releasing to fulfillment hands the header to the aggregation rule at
//! once, so an order whose items were all waived before release completes right away.

use std::collections::{BTreeMap, BTreeSet};

use super::Emitter;
use crate::command::RecordDecompositionFailure;
use crate::error::DomainError;
use crate::events::{
    FulfillmentPlan, OrderDecompositionRecorded, OrderFalloutRaised, OrderReleasedForDecomposition,
    OrderReleasedForFulfillment,
};
use crate::order::FalloutCase;
use crate::value::{OrderItemId, ReasonCode};
use crate::vocab::{ExternalEffectLevel, FalloutCategory};

fn ensure_unblocked(em: &Emitter<'_>) -> Result<(), DomainError> {
    let hold_ids = em.order.active_blocking_holds();
    if hold_ids.is_empty() {
        Ok(())
    } else {
        Err(DomainError::BlockingHoldActive { hold_ids })
    }
}

pub(super) fn release_for_decomposition(em: &mut Emitter<'_>) -> Result<(), DomainError> {
    if em.order.released_for_decomposition {
        return Err(DomainError::AlreadyReleasedForDecomposition);
    }
    ensure_unblocked(em)?;
    let content = em.order.content.clone().ok_or(DomainError::OrderNotFound)?;
    em.emit(OrderReleasedForDecomposition {
        base: em.base(),
        order_number: em.order.number.clone(),
        content: Box::new(content),
    });
    // Items waived before fulfillment (a decomposition fallout repaired by waiving) are
    // already terminal: the header must follow the items from now on (aggregation rule).
    super::items::after_item_change(em)
}

/// Accepts the plan only if it covers the order: known items, unique task ids, at least
/// one task per mutating item, and no externally visible task for a NO_CHANGE item
/// (000 §17.3). An inconsistent plan is a decomposition bug; it is refused, not recorded.
pub(super) fn record_decomposition(
    em: &mut Emitter<'_>,
    plan: &FulfillmentPlan,
) -> Result<(), DomainError> {
    if !em.order.released_for_decomposition {
        return Err(DomainError::NotReleasedForDecomposition);
    }
    let mut task_ids = BTreeSet::new();
    let mut tasks_per_item: BTreeMap<OrderItemId, u32> =
        em.order.items().iter().map(|i| (i.id, 0)).collect();
    for task in &plan.tasks {
        if !task_ids.insert(task.task_id) {
            return Err(DomainError::DuplicateTaskId {
                task_id: task.task_id,
            });
        }
        for item_id in &task.item_ids {
            let item = em.order.item(*item_id).ok_or_else(|| {
                inconsistent(format!(
                    "task {} names unknown item {item_id}",
                    task.task_id
                ))
            })?;
            if !item.action.is_mutating()
                && task.external_effect_level != ExternalEffectLevel::NoExternalEffect
            {
                return Err(inconsistent(format!(
                    "NO_CHANGE item {item_id} has an externally visible task {}",
                    task.task_id
                )));
            }
            *tasks_per_item.entry(*item_id).or_insert(0) += 1;
        }
    }
    if let Some(item) = em
        .order
        .items()
        .iter()
        .find(|i| i.action.is_mutating() && tasks_per_item.get(&i.id) == Some(&0))
    {
        return Err(inconsistent(format!(
            "item {} ({:?}) has no task",
            item.id, item.action
        )));
    }
    em.emit(OrderDecompositionRecorded {
        base: em.base(),
        plan_id: plan.plan_id,
        rules_version: plan.rules_version.clone(),
        tasks_per_item,
    });
    Ok(())
}

fn inconsistent(detail: String) -> DomainError {
    DomainError::DecompositionPlanInconsistent { detail }
}

pub(super) fn record_decomposition_failure(
    em: &mut Emitter<'_>,
    f: RecordDecompositionFailure,
) -> Result<(), DomainError> {
    if !em.order.released_for_decomposition {
        return Err(DomainError::NotReleasedForDecomposition);
    }
    if let Some(item_id) = f.item_id
        && em.order.item(item_id).is_none()
    {
        return Err(DomainError::ItemNotFound { item_id });
    }
    let case = FalloutCase {
        id: f.fallout_id,
        category: FalloutCategory::Decomposition,
        code: ReasonCode::parse(f.code.as_str())?,
        item_id: f.item_id,
        task_id: None,
        message: f.message,
        remediation: Some(f.remediation),
        raised_at: em.meta.at,
        raised_by: em.meta.actor.clone(),
    };
    em.emit(OrderFalloutRaised {
        base: em.base(),
        case,
        resume_state: em.order.state,
    });
    Ok(())
}

pub(super) fn release_for_fulfillment(em: &mut Emitter<'_>) -> Result<(), DomainError> {
    ensure_unblocked(em)?;
    let plan_id = em
        .order
        .decomposition
        .as_ref()
        .map(|d| d.plan_id)
        .ok_or(DomainError::NotReleasedForDecomposition)?;
    let content = em.order.content.clone().ok_or(DomainError::OrderNotFound)?;
    em.emit(OrderReleasedForFulfillment {
        base: em.base(),
        plan_id,
        order_number: em.order.number.clone(),
        content: Box::new(content),
    });
    // Items waived before fulfillment (a decomposition fallout repaired by waiving) are
    // already terminal: the header must follow the items from now on (aggregation rule).
    super::items::after_item_change(em)
}
