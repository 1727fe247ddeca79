//! Cancellation (DOMAIN §4, §8; 004): a durable request with a reason code, never a delete.
//!
//! - Before any external effect (DRAFT, SUBMITTED, VALIDATED, DECOMPOSED, or FALLOUT
//!   before fulfillment started) the order goes straight to CANCELLED.
//! - After fulfillment started (IN_PROGRESS, PARTIALLY_COMPLETED, FALLOUT) it goes to
//!   CANCELLATION_REQUESTED and waits for fulfillment's assessment:
//!   FULLY_CANCELLABLE: every item not WAIVED/CANCELLED goes CANCELLING (completed ones
//!   are compensated); PARTIALLY_CANCELLABLE: every unfinished item plus the listed
//!   completed ones go CANCELLING, the other completed items stay COMPLETED (their effect
//!   is irreversible; a DISCONNECT order is the remedy); NOT_CANCELLABLE: back to the
//!   prior state (re-derived from the items); REQUIRES_MANUAL_REVIEW: stays requested
//!   until a person records a definitive assessment.
//! - CANCELLING ends in CANCELLED when compensation completes, or in FALLOUT when it fails
//!   (raised as a COMPENSATION fallout; repair resumes the cancellation).
//! - A COMPLETED order is never cancelled: the refusal tells the caller to place a
//!   DISCONNECT order.

use super::Emitter;
use super::items::emit_completed;
use crate::command::RecordCancellationAssessment;
use crate::error::DomainError;
use crate::events::{
    OrderCancellationAssessed, OrderCancellationRejected, OrderCancellationRequested,
    OrderCancelled,
};
use crate::lifecycle::{ItemState, OrderState, derive_header_state};
use crate::value::{BillingAccountId, CancellationRequestId, OrderItemId, ReasonCode};
use crate::vocab::CancellationFeasibility;

pub(super) fn request(
    em: &mut Emitter<'_>,
    request_id: CancellationRequestId,
    reason_code: ReasonCode,
) {
    let state = em.order.state;
    if state.is_pre_execution() || (state == OrderState::Fallout && !em.order.fulfillment_started) {
        let cancelled_item_ids = em.order.items().iter().map(|i| i.id).collect();
        em.emit(OrderCancelled {
            base: em.base(),
            order_number: em.order.number.clone(),
            billing_account_id: billing_account(em),
            request_id,
            reason_code,
            cancelled_item_ids,
            before_execution: true,
        });
    } else {
        em.emit(OrderCancellationRequested {
            base: em.base(),
            request_id,
            reason_code,
            prior_state: state,
        });
    }
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

pub(super) fn assess(
    em: &mut Emitter<'_>,
    a: RecordCancellationAssessment,
) -> Result<(), DomainError> {
    open_request(em, a.request_id)?;
    let cancelling_item_ids = match a.feasibility {
        CancellationFeasibility::FullyCancellable => items_where(em, |s| {
            !matches!(s, ItemState::Waived | ItemState::Cancelled)
        }),
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
        CancellationFeasibility::NotCancellable | CancellationFeasibility::RequiresManualReview => {
            Vec::new()
        }
    };
    let cancels = matches!(
        a.feasibility,
        CancellationFeasibility::FullyCancellable | CancellationFeasibility::PartiallyCancellable
    );
    if cancels && cancelling_item_ids.is_empty() {
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
            request_id: a.request_id,
            resumed_state,
            blockers: a.blockers,
        });
        if resumed_state == OrderState::Completed {
            emit_completed(em)?;
        }
    }
    Ok(())
}

pub(super) fn complete(
    em: &mut Emitter<'_>,
    request_id: CancellationRequestId,
) -> Result<(), DomainError> {
    open_request(em, request_id)?;
    let reason_code = em
        .order
        .cancellation
        .as_ref()
        .map(|c| c.reason_code.clone())
        .ok_or(DomainError::CancellationScopeInvalid {
            detail: "no open cancellation request".into(),
        })?;
    let cancelled_item_ids = items_where(em, |s| s == ItemState::Cancelling);
    em.emit(OrderCancelled {
        base: em.base(),
        order_number: em.order.number.clone(),
        billing_account_id: billing_account(em),
        request_id,
        reason_code,
        cancelled_item_ids,
        before_execution: false,
    });
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
