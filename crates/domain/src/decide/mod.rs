//! `decide`: checks a command against the current aggregate and returns the events it
//! causes, or a [`DomainError`] (and no events).
//!
//! Order of checks, the same for every command:
//! 1. existence: only capture commands work without an order, and only then;
//! 2. the order transition table: a (state, trigger) pair with no row is refused;
//! 3. command guards (holds, release flags, reasons, item table, fallout cases);
//! 4. the events are applied to a working copy as they are emitted, so later steps see
//!    their effect (e.g. the derived header state after an item completes);
//! 5. postcondition: the final state is a row `(from, trigger, to)` of the table.
//!
//! Version: decide does not compare versions; the repository does (optimistic locking on
//! the version the aggregate was loaded with). Each event carries the version it produces.

mod amend;
mod cancel;
mod capture;
mod fallout;
mod holds;
mod items;
mod progress;

use crate::command::OrderCommand;
use crate::error::DomainError;
use crate::events::{OrderEvent, OrderEventBase};
use crate::evolve::apply;
use crate::lifecycle::{OrderState, OrderTrigger, can_transition, order_targets};
use crate::meta::TransitionMeta;
use crate::order::Order;

pub fn decide(
    state: Option<&Order>,
    command: OrderCommand,
    meta: &TransitionMeta,
) -> Result<Vec<OrderEvent>, DomainError> {
    let trigger = command.trigger();
    let Some(order) = state else {
        return match command {
            OrderCommand::CaptureOrder(c) => capture::capture(*c, meta),
            OrderCommand::CaptureDraft(c) => capture::draft(*c, meta),
            _ => Err(DomainError::OrderNotFound),
        };
    };
    if trigger.creates_order() {
        return Err(DomainError::OrderAlreadyExists { order_id: order.id });
    }
    if order_targets(order.state, trigger).next().is_none() {
        return Err(refusal(order, trigger));
    }
    let mut em = Emitter::new(order.clone(), meta);
    dispatch(&mut em, command)?;
    let end = em.order.state;
    if !em.events.is_empty() && !can_transition(order.state, trigger, end) {
        // A decision produced an outcome the table does not allow: refuse rather than
        // emit an invalid transition.
        return Err(DomainError::TransitionNotAllowed {
            from: order.state,
            trigger,
        });
    }
    Ok(em.events)
}

fn dispatch(em: &mut Emitter, command: OrderCommand) -> Result<(), DomainError> {
    use OrderCommand as C;
    match command {
        C::CaptureOrder(_) | C::CaptureDraft(_) => Err(DomainError::OrderAlreadyExists {
            order_id: em.order.id,
        }),
        C::SubmitOrder => capture::submit(em),
        C::ValidateOrder { context } => capture::validate(em, &context),
        C::ReleaseForDecomposition => progress::release_for_decomposition(em),
        C::RecordDecomposition { plan } => progress::record_decomposition(em, &plan),
        C::RecordDecompositionFailure(f) => progress::record_decomposition_failure(em, f),
        C::ReleaseForFulfillment => progress::release_for_fulfillment(em),
        C::RecordItemStarted { item_id } => items::started(em, item_id),
        C::RecordItemProgress {
            item_id,
            fulfillment_state,
        } => items::progress(em, item_id, fulfillment_state),
        C::RecordItemCompleted(c) => items::completed(em, c),
        C::RecordItemFailed(f) => items::failed(em, f),
        C::WaiveItem {
            item_id,
            policy_ref,
        } => items::waive(em, item_id, policy_ref),
        C::RaiseFallout(f) => fallout::raise(em, f),
        C::RepairFallout {
            fallout_id,
            resolution,
        } => fallout::repair(em, fallout_id, resolution),
        C::CloseAsFailed => fallout::close_as_failed(em),
        C::PlaceHold {
            hold_id,
            hold_type,
            blocking,
        } => holds::place(em, hold_id, hold_type, blocking),
        C::ReleaseHold { hold_id } => holds::release(em, hold_id),
        C::RequestCancellation(c) => cancel::request(em, *c),
        C::RecordCancellationAssessment(a) => cancel::assess(em, a),
        C::ReviewCancellation {
            request_id,
            approve,
        } => cancel::review(em, request_id, approve),
        C::RecordItemCancelled {
            item_id,
            asset_reverted,
        } => cancel::item_cancelled(em, item_id, asset_reverted),
        C::RequestAmendment(r) => amend::request(em, *r),
        C::RecordAmendmentApplied(a) => amend::applied(em, a),
        C::RecordAmendmentRejected(r) => amend::rejected(em, r),
    }
}

/// The error for a (state, trigger) pair that is not in the table.
pub fn refusal(order: &Order, trigger: OrderTrigger) -> DomainError {
    match (order.state, trigger) {
        (OrderState::Completed, OrderTrigger::RequestCancellation) => {
            DomainError::CompletedOrderNotCancellable { order_id: order.id }
        }
        (
            OrderState::CancellationRequested | OrderState::Cancelling,
            OrderTrigger::RequestCancellation,
        ) => DomainError::CancellationAlreadyRequested,
        (
            OrderState::CancellationRequested | OrderState::Cancelling,
            OrderTrigger::RequestAmendment,
        ) => DomainError::ChangeInProgress {
            detail: "the order is being cancelled: it cannot be amended".into(),
        },
        (
            OrderState::Completed
            | OrderState::Cancelled
            | OrderState::Rejected
            | OrderState::FailedClosed,
            OrderTrigger::RequestAmendment,
        ) => DomainError::AmendmentInvalid {
            code: if order.state == OrderState::Completed {
                crate::change::report::codes::ORDER_COMPLETED
            } else {
                crate::change::report::codes::ORDER_CLOSED
            },
            detail: format!(
                "the order is {:?}: raise a supplemental order for the change",
                order.state
            ),
        },
        (from, trigger) => DomainError::TransitionNotAllowed { from, trigger },
    }
}

/// The command order-capture should issue on its own next, if any: release to
/// decomposition once validated (and unblocked), release to fulfillment once decomposed
/// (and unblocked). Services call this after every commit, including after a hold release.
pub fn next_automatic_command(order: &Order) -> Option<OrderCommand> {
    let unblocked = order.active_blocking_holds().is_empty();
    match order.state {
        OrderState::Validated if unblocked && !order.released_for_decomposition => {
            Some(OrderCommand::ReleaseForDecomposition)
        }
        OrderState::Decomposed if unblocked => Some(OrderCommand::ReleaseForFulfillment),
        _ => None,
    }
}

/// Collects events and applies each to a working copy of the order.
pub(crate) struct Emitter<'m> {
    pub order: Order,
    pub meta: &'m TransitionMeta,
    pub events: Vec<OrderEvent>,
}

impl<'m> Emitter<'m> {
    pub fn new(order: Order, meta: &'m TransitionMeta) -> Self {
        Self {
            order,
            meta,
            events: Vec::new(),
        }
    }

    /// Base for the next event: its version is the one the order will have after it.
    pub fn base(&self) -> OrderEventBase {
        OrderEventBase {
            order_id: self.order.id,
            tenant_id: self.order.tenant.clone(),
            order_version: self.order.version + 1,
            meta: self.meta.clone(),
        }
    }

    pub fn emit(&mut self, event: impl Into<OrderEvent>) {
        let event = event.into();
        apply(&mut self.order, &event);
        self.events.push(event);
    }

    /// Fails unless the meta carries a reason (holds, repairs, waivers, closing).
    pub fn require_reason(&self, trigger: OrderTrigger) -> Result<(), DomainError> {
        if self.meta.reason.is_some() {
            Ok(())
        } else {
            Err(DomainError::ReasonRequired { trigger })
        }
    }
}
