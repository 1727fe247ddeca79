//! Amendment (004 §14-18; ADR 0008 §3): a controlled change of an order in flight. The
//! request is assessed against the safety matrix and the execution view
//! ([`assess_amendment`]); a blocked change refuses the whole request (with the blockers:
//! stable code, the task in the way, the remediation). Changes that need no re-plan are
//! applied in the same decision; the others wait for decomposition's re-plan and
//! fulfillment's diff, which end in [`applied`] or [`rejected`]. Amendments never move the
//! order's state (they are orthogonal, like holds) and one is open at a time.

use super::Emitter;
use crate::change::{AmendmentFeasibility, assess_amendment, report::codes};
use crate::command::{RecordAmendmentApplied, RecordAmendmentRejected, RequestAmendment};
use crate::error::DomainError;
use crate::events::{
    AmendmentChangeSummary, OrderAmendmentApplied, OrderAmendmentRejected, OrderAmendmentRequested,
};
use crate::lifecycle::OrderTrigger;
use crate::value::AmendmentRequestId;

pub(super) fn request(em: &mut Emitter<'_>, r: RequestAmendment) -> Result<(), DomainError> {
    em.require_reason(OrderTrigger::RequestAmendment)?;
    if em.order.amendment.is_some() {
        return Err(DomainError::ChangeInProgress {
            detail: "another amendment of this order is being applied: wait for its outcome".into(),
        });
    }
    let assessment = assess_amendment(&em.order, &r.execution, &r.changes)?;
    if assessment.feasibility == AmendmentFeasibility::Blocked {
        let past = assessment
            .blockers
            .iter()
            .any(|b| b.code == codes::AMENDMENT_PAST_POINT_OF_NO_RETURN);
        let code = if past {
            codes::AMENDMENT_PAST_POINT_OF_NO_RETURN
        } else if assessment
            .blockers
            .iter()
            .all(|b| b.code == codes::DECOMPOSITION_IN_PROGRESS)
        {
            codes::DECOMPOSITION_IN_PROGRESS
        } else {
            codes::AMENDMENT_NOT_ALLOWED
        };
        return Err(DomainError::AmendmentBlocked {
            code,
            blockers: assessment.blockers,
        });
    }
    let content = em
        .order
        .content
        .clone()
        .ok_or(DomainError::FulfillmentNotStarted)?;
    let changes = r
        .changes
        .iter()
        .map(|change| {
            let (path, before, after) = change.describe(&content);
            AmendmentChangeSummary {
                kind: change.kind(),
                item_id: change.item_id(),
                path,
                before,
                after,
            }
        })
        .collect();
    let redecompose = assessment.feasibility == AmendmentFeasibility::RequiresRedecomposition;
    em.emit(OrderAmendmentRequested {
        base: em.base(),
        request_id: r.request_id,
        reason_code: r.reason_code,
        changes,
        proposed_content: Box::new(assessment.content_after.clone()),
        requires_redecomposition: redecompose,
        replanned_item_ids: assessment.replanned_item_ids.clone(),
    });
    if !redecompose {
        em.emit(OrderAmendmentApplied {
            base: em.base(),
            request_id: r.request_id,
            content: Box::new(assessment.content_after),
            plan_id: None,
            tasks_per_item: em
                .order
                .decomposition
                .as_ref()
                .map(|d| d.tasks_per_item.clone())
                .unwrap_or_default(),
        });
    }
    Ok(())
}

fn open(em: &Emitter<'_>, given: AmendmentRequestId) -> Result<(), DomainError> {
    let open = em.order.amendment.as_ref().map(|a| a.request_id);
    if open == Some(given) {
        Ok(())
    } else {
        Err(DomainError::AmendmentRequestMismatch { open, given })
    }
}

pub(super) fn applied(em: &mut Emitter<'_>, a: RecordAmendmentApplied) -> Result<(), DomainError> {
    open(em, a.request_id)?;
    let content = em
        .order
        .amendment
        .as_ref()
        .map(|r| r.proposed_content.clone())
        .ok_or(DomainError::AmendmentRequestMismatch {
            open: None,
            given: a.request_id,
        })?;
    let planned: std::collections::BTreeSet<_> = a.tasks_per_item.keys().copied().collect();
    if let Some(unknown) = planned
        .iter()
        .find(|id| content.items.iter().all(|i| i.id != **id))
    {
        return Err(DomainError::DecompositionPlanInconsistent {
            detail: format!("the re-plan names item {unknown}, which the order does not have"),
        });
    }
    em.emit(OrderAmendmentApplied {
        base: em.base(),
        request_id: a.request_id,
        content: Box::new(content),
        plan_id: Some(a.plan_id),
        tasks_per_item: a.tasks_per_item,
    });
    Ok(())
}

pub(super) fn rejected(
    em: &mut Emitter<'_>,
    r: RecordAmendmentRejected,
) -> Result<(), DomainError> {
    open(em, r.request_id)?;
    em.emit(OrderAmendmentRejected {
        base: em.base(),
        request_id: r.request_id,
        code: r.code,
        message: r.message,
        remediation: r.remediation,
    });
    Ok(())
}
