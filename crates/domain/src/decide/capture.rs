//! Capture, draft, submit and validate.
//!
//! Capture is atomic: `OrderCaptured` (SUBMITTED) and the validation outcome
//! (`OrderValidated` or `OrderRejected`) come from one decision, so an order is never left
//! SUBMITTED by a capture. A rejected capture is still an order, so CPQ and support see
//! why. The one exception is a quote revision that another order already converted: that
//! is a duplicate, not a new order, so the capture is refused with
//! `QUOTE_ALREADY_CONVERTED` (the API answers 409 with the existing order id; the
//! QuoteAccepted consumer treats it as already done) and nothing is created.

use std::collections::BTreeSet;

use super::Emitter;
use crate::capture::normalize::normalize;
use crate::capture::{CaptureContext, CaptureOrder, request_fingerprint, validate_capture};
use crate::command::{CaptureDraftCommand, CaptureIds, CaptureOrderCommand};
use crate::error::DomainError;
use crate::events::{
    OrderCaptured, OrderEvent, OrderEventBase, OrderRejected, OrderSubmitted, OrderValidated,
};
use crate::evolve::evolve;
use crate::lifecycle::{OrderState, OrderTrigger, can_transition};
use crate::meta::TransitionMeta;
use crate::value::TenantId;

pub(super) fn capture(
    cmd: CaptureOrderCommand,
    meta: &TransitionMeta,
) -> Result<Vec<OrderEvent>, DomainError> {
    if cmd.intake.quote.is_some()
        && let Some(existing_order_id) = cmd.context.quote_converted_by
    {
        return Err(DomainError::QuoteAlreadyConverted { existing_order_id });
    }
    let tenant = cmd.context.caller_tenant.clone();
    let mut em = start(cmd.ids, tenant, cmd.intake, OrderState::Submitted, meta)?;
    validate(&mut em, &cmd.context)?;
    if !can_transition(
        OrderState::Submitted,
        OrderTrigger::ValidateOrder,
        em.order.state,
    ) {
        return Err(DomainError::TransitionNotAllowed {
            from: OrderState::Submitted,
            trigger: OrderTrigger::ValidateOrder,
        });
    }
    Ok(em.events)
}

pub(super) fn draft(
    cmd: CaptureDraftCommand,
    meta: &TransitionMeta,
) -> Result<Vec<OrderEvent>, DomainError> {
    Ok(start(cmd.ids, cmd.tenant, cmd.intake, OrderState::Draft, meta)?.events)
}

fn start(
    ids: CaptureIds,
    tenant: TenantId,
    intake: CaptureOrder,
    initial_state: OrderState,
    meta: &TransitionMeta,
) -> Result<Emitter<'_>, DomainError> {
    if ids.item_ids.len() != intake.items.len() {
        return Err(DomainError::ItemIdsMismatch {
            expected: intake.items.len(),
            given: ids.item_ids.len(),
        });
    }
    let mut seen = BTreeSet::new();
    if let Some(dup) = ids.item_ids.iter().find(|id| !seen.insert(**id)) {
        return Err(DomainError::DuplicateItemId { item_id: *dup });
    }
    let event = OrderCaptured {
        base: OrderEventBase {
            order_id: ids.order_id,
            tenant_id: tenant,
            order_version: 1,
            meta: meta.clone(),
        },
        order_number: ids.order_number,
        capture_mode: intake.capture_mode,
        initial_state,
        request_fingerprint: request_fingerprint(&intake),
        intake: Box::new(intake),
        item_ids: ids.item_ids,
    };
    let event = OrderEvent::from(event);
    let order = evolve(None, &event).ok_or(DomainError::OrderNotFound)?;
    Ok(Emitter {
        order,
        meta,
        events: vec![event],
    })
}

pub(super) fn submit(em: &mut Emitter<'_>) -> Result<(), DomainError> {
    if em.order.intake.items.is_empty() {
        return Err(DomainError::OrderHasNoItems);
    }
    em.emit(OrderSubmitted { base: em.base() });
    Ok(())
}

/// Runs the capture profile for the order's intake and records the outcome.
pub(super) fn validate(em: &mut Emitter<'_>, context: &CaptureContext) -> Result<(), DomainError> {
    if context.caller_tenant != em.order.tenant {
        return Err(DomainError::TenantMismatch);
    }
    let order = &em.order;
    let report = validate_capture(&order.intake, context, Some(order.id));
    let outcome = if report.is_valid() {
        normalize(&order.intake, &order.item_ids, order.created_at, em.meta.at)
            .map(|content| (content, report.warnings().cloned().collect::<Vec<_>>()))
    } else {
        Err(report.violations)
    };
    match outcome {
        Ok((content, warnings)) => {
            let event = OrderValidated {
                base: em.base(),
                order_number: em.order.number.clone(),
                content: Box::new(content),
                warnings,
            };
            em.emit(event);
        }
        Err(violations) => {
            let quote = em.order.intake.quote.as_ref();
            let event = OrderRejected {
                base: em.base(),
                order_number: em.order.number.clone(),
                quote_id: quote.map(|q| q.quote_id.clone()),
                quote_revision: quote.map(|q| q.revision),
                violations,
            };
            em.emit(event);
        }
    }
    Ok(())
}
