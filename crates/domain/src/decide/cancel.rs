//! Cancellation (DOMAIN §4, §8; 004; ADR 0008 §2): a durable request with a reason code,
//! never a delete.
//!
//! - Before any external effect (DRAFT, SUBMITTED, VALIDATED, DECOMPOSED, or FALLOUT
//!   before fulfillment started) the whole order goes straight to CANCELLED; an item scope
//!   is refused then (cancel the order, or amend it).
//! - After release the request is assessed against the execution view
//!   ([`assess_cancellation`]); NOT_CANCELLABLE is refused at once with the blockers (items
//!   past their point of no return, a completed order). Otherwise the order goes
//!   CANCELLATION_REQUESTED and waits for fulfillment's authoritative assessment:
//!   FULLY/PARTIALLY_CANCELLABLE moves the listed items (and the order) to CANCELLING;
//!   NOT_CANCELLABLE goes back to the prior state (re-derived from the items);
//!   REQUIRES_MANUAL_REVIEW waits for an operator's [`review`] (approve = the proposed
//!   items go CANCELLING, reject = back to the prior state).
//! - A CANCELLING item becomes CANCELLED when its work is undone ([`item_cancelled`]);
//!   after the last one the order is CANCELLED (nothing executable left) or continues with
//!   the rest (`OrderCancellationCompleted`). A failed compensation raises a COMPENSATION
//!   fallout (resume state CANCELLING; repair resumes the cancellation).
//! - A COMPLETED order is never cancelled: the refusal tells the caller to place a
//!   DISCONNECT order.

use super::Emitter;
use super::items::emit_completed;
use crate::change::assess_cancellation;
use crate::command::{RecordCancellationAssessment, RequestCancellation};
use crate::error::DomainError;
use crate::events::{
    OrderCancellationAssessed, OrderCancellationCompleted, OrderCancellationRejected,
    OrderCancellationRequested, OrderCancelled, OrderItemCancelled,
};
use crate::evolve::restored_fallout;
use crate::lifecycle::{
    ItemState, ItemTrigger, OrderState, OrderTrigger, derive_header_state, item_targets,
};
use crate::value::{BillingAccountId, CancellationRequestId, OrderItemId};
use crate::vocab::{AssetEffect, CancellationFeasibility};

pub(super) fn request(em: &mut Emitter<'_>, c: RequestCancellation) -> Result<(), DomainError> {
    // one cancellation at a time, also while its compensation is stuck in FALLOUT
    if em.order.cancellation.is_some() {
        return Err(DomainError::CancellationAlreadyRequested);
    }
    if em.order.amendment.is_some() {
        return Err(DomainError::ChangeInProgress {
            detail: "an amendment of this order is being applied: wait for its outcome".into(),
        });
    }
    let state = em.order.state;
    let pre_execution =
        state.is_pre_execution() || (state == OrderState::Fallout && !em.order.fulfillment_started);
    if pre_execution {
        if !c.spec.scope.is_order() {
            return Err(DomainError::CancellationScopeInvalid {
                detail: "before release to fulfillment an order is cancelled whole; amend it to drop single items".into(),
            });
        }
        let cancelled_item_ids = em.order.items().iter().map(|i| i.id).collect();
        em.emit(OrderCancelled {
            base: em.base(),
            order_number: em.order.number.clone(),
            billing_account_id: billing_account(em),
            request_id: c.request_id,
            reason_code: c.reason_code,
            cancelled_item_ids,
            before_execution: true,
        });
        return Ok(());
    }
    let assessment = assess_cancellation(&em.order, &c.execution, &c.spec)?;
    if assessment.feasibility == CancellationFeasibility::NotCancellable {
        return Err(DomainError::OrderNotCancellable {
            blockers: assessment.blockers,
        });
    }
    let scope_item_ids = if c.spec.scope.is_order() {
        Vec::new()
    } else {
        assessment.items.iter().map(|i| i.item_id).collect()
    };
    em.emit(OrderCancellationRequested {
        base: em.base(),
        request_id: c.request_id,
        reason_code: c.reason_code,
        prior_state: state,
        scope_item_ids,
        kind: Some(assessment.kind),
        force_manual_review: c.spec.force_manual_review,
    });
    Ok(())
}

fn open_request(em: &Emitter<'_>, given: CancellationRequestId) -> Result<(), DomainError> {
    let open = em.order.cancellation.as_ref().map(|c| c.request_id);
    match open {
        Some(open) if open == given => Ok(()),
        Some(open) => Err(DomainError::CancellationRequestMismatch { open, given }),
        None => Err(DomainError::CancellationScopeInvalid {
            detail: "no open cancellation request".into(),
        }),
    }
}

/// Items of the request's scope that may begin cancelling (the item table allows it).
fn cancellable_in_scope(em: &Emitter<'_>) -> Vec<OrderItemId> {
    let Some(record) = em.order.cancellation.as_ref() else {
        return Vec::new();
    };
    em.order
        .items()
        .iter()
        .filter(|i| record.covers(i.id))
        .filter(|i| item_targets(i.state, ItemTrigger::BeginCancel).is_some())
        .map(|i| i.id)
        .collect()
}

pub(super) fn assess(
    em: &mut Emitter<'_>,
    a: RecordCancellationAssessment,
) -> Result<(), DomainError> {
    open_request(em, a.request_id)?;
    let cancels = matches!(
        a.feasibility,
        CancellationFeasibility::FullyCancellable | CancellationFeasibility::PartiallyCancellable
    );
    let proposes = cancels || a.feasibility == CancellationFeasibility::RequiresManualReview;
    let cancelling_item_ids = if !proposes {
        Vec::new()
    } else if !a.cancelling_item_ids.is_empty() {
        let allowed = cancellable_in_scope(em);
        for id in &a.cancelling_item_ids {
            if !allowed.contains(id) {
                return Err(DomainError::CancellationScopeInvalid {
                    detail: format!(
                        "item {id} is not an item of the request's scope that can still be cancelled"
                    ),
                });
            }
        }
        a.cancelling_item_ids.clone()
    } else {
        legacy_cancelling_items(em, &a)?
    };
    if proposes && cancelling_item_ids.is_empty() {
        return Err(DomainError::CancellationScopeInvalid {
            detail: "nothing left to cancel: every item is done; record NOT_CANCELLABLE".into(),
        });
    }
    em.emit(OrderCancellationAssessed {
        base: em.base(),
        request_id: a.request_id,
        feasibility: a.feasibility,
        cancelling_item_ids,
        blockers: a.blockers.clone(),
    });
    if a.feasibility == CancellationFeasibility::NotCancellable {
        reject(em, a.request_id, a.blockers)?;
    }
    Ok(())
}

/// The rule before assessments listed their items: FULLY compensates every item not WAIVED
/// or CANCELLED; PARTIALLY the unfinished ones plus the listed COMPLETED ones.
fn legacy_cancelling_items(
    em: &Emitter<'_>,
    a: &RecordCancellationAssessment,
) -> Result<Vec<OrderItemId>, DomainError> {
    Ok(match a.feasibility {
        CancellationFeasibility::PartiallyCancellable => {
            for id in &a.compensated_item_ids {
                let state = em.order.item(*id).map(|i| i.state);
                if state != Some(ItemState::Completed) {
                    return Err(DomainError::CancellationScopeInvalid {
                        detail: format!("item {id} is not a COMPLETED item of this order"),
                    });
                }
            }
            let mut ids = items_where(em, |s| {
                matches!(
                    s,
                    ItemState::Pending | ItemState::InProgress | ItemState::Failed
                )
            });
            ids.extend(a.compensated_item_ids.iter().copied());
            ids
        }
        _ => items_where(em, |s| {
            !matches!(s, ItemState::Waived | ItemState::Cancelled)
        }),
    })
}

/// The order resumes where it was: re-derived from the items, FALLOUT cases restored.
fn reject(
    em: &mut Emitter<'_>,
    request_id: CancellationRequestId,
    blockers: Vec<String>,
) -> Result<(), DomainError> {
    let prior = em
        .order
        .cancellation
        .as_ref()
        .map_or(OrderState::InProgress, |c| c.prior_state);
    let resumed_state = if prior == OrderState::Fallout {
        prior
    } else {
        derive_header_state(&em.order.item_states(), false)
    };
    em.emit(OrderCancellationRejected {
        base: em.base(),
        request_id,
        resumed_state,
        blockers,
    });
    if resumed_state == OrderState::Completed {
        emit_completed(em)?;
    }
    Ok(())
}

/// An operator's decision on an assessment that needs a manual review.
pub(super) fn review(
    em: &mut Emitter<'_>,
    request_id: CancellationRequestId,
    approve: bool,
) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::ReviewCancellation)?;
    open_request(em, request_id)?;
    let Some(assessment) = em
        .order
        .cancellation
        .as_ref()
        .and_then(|c| c.assessment.clone())
        .filter(|a| a.feasibility == CancellationFeasibility::RequiresManualReview)
    else {
        return Err(DomainError::CancellationReviewNotPending);
    };
    if !approve {
        em.emit(OrderCancellationAssessed {
            base: em.base(),
            request_id,
            feasibility: CancellationFeasibility::NotCancellable,
            cancelling_item_ids: Vec::new(),
            blockers: assessment.blockers.clone(),
        });
        return reject(em, request_id, assessment.blockers);
    }
    let allowed = cancellable_in_scope(em);
    let cancelling_item_ids: Vec<OrderItemId> = assessment
        .proposed_item_ids
        .iter()
        .copied()
        .filter(|id| allowed.contains(id))
        .collect();
    if cancelling_item_ids.is_empty() {
        return Err(DomainError::CancellationScopeInvalid {
            detail: "nothing the assessment proposed can still be cancelled".into(),
        });
    }
    let feasibility = if cancelling_item_ids.len() == allowed.len() {
        CancellationFeasibility::FullyCancellable
    } else {
        CancellationFeasibility::PartiallyCancellable
    };
    em.emit(OrderCancellationAssessed {
        base: em.base(),
        request_id,
        feasibility,
        cancelling_item_ids,
        blockers: assessment.blockers,
    });
    Ok(())
}

/// A CANCELLING item's work is undone; after the last one the request completes.
pub(super) fn item_cancelled(
    em: &mut Emitter<'_>,
    item_id: OrderItemId,
    asset_reverted: Option<AssetEffect>,
) -> Result<(), DomainError> {
    let item = super::items::checked_item(em, item_id, ItemTrigger::FinishCancel)?;
    let record = em
        .order
        .cancellation
        .clone()
        .ok_or(DomainError::CancellationScopeInvalid {
            detail: "no open cancellation request".into(),
        })?;
    let billing_account_id = billing_account(em).ok_or(DomainError::FulfillmentNotStarted)?;
    em.emit(OrderItemCancelled {
        base: em.base(),
        request_id: record.request_id,
        item_id,
        line_number: item.line_number,
        billing_account_id,
        price: item.price.clone(),
        billing_started: record.billing_started_item_ids.contains(&item_id),
        asset_reverted: asset_reverted.filter(|e| *e != AssetEffect::None),
    });
    if em
        .order
        .items()
        .iter()
        .any(|i| i.state == ItemState::Cancelling)
    {
        return Ok(());
    }
    let cancelled_item_ids = em
        .order
        .cancellation
        .as_ref()
        .map(|c| c.cancelled_item_ids.clone())
        .unwrap_or_default();
    let restored = restored_fallout(record.prior_fallout.clone(), &cancelled_item_ids);
    let has_fallout = em.order.has_open_fallout() || restored.is_some();
    let resumed_state = derive_header_state(&em.order.item_states(), has_fallout);
    if resumed_state == OrderState::Cancelled {
        em.emit(OrderCancelled {
            base: em.base(),
            order_number: em.order.number.clone(),
            billing_account_id: billing_account(em),
            request_id: record.request_id,
            reason_code: record.reason_code,
            cancelled_item_ids,
            before_execution: false,
        });
    } else {
        em.emit(OrderCancellationCompleted {
            base: em.base(),
            request_id: record.request_id,
            cancelled_item_ids,
            resumed_state,
        });
        if resumed_state == OrderState::Completed {
            emit_completed(em)?;
        }
    }
    Ok(())
}

fn items_where(em: &Emitter<'_>, pred: fn(ItemState) -> bool) -> Vec<OrderItemId> {
    em.order
        .items()
        .iter()
        .filter(|i| pred(i.state))
        .map(|i| i.id)
        .collect()
}

/// The billing account of a validated order; `None` before validation (nothing billed yet).
fn billing_account(em: &Emitter<'_>) -> Option<BillingAccountId> {
    em.order
        .content
        .as_ref()
        .map(|c| c.header.parties.billing_account_id.clone())
}
