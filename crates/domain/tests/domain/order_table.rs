//! Every row of the order transition table is reached by a concrete scenario, and every
//! (state, trigger) pair that is not a row is refused with its stable code.

use oms_domain::decide::refusal;
use oms_domain::lifecycle::{
    FulfillmentState, ORDER_TRANSITIONS, OrderState, OrderTrigger, order_targets,
};
use oms_domain::vocab::{
    CancellationFeasibility as F, DecompositionFailureCode, FalloutCategory, RepairResolution,
};
use oms_domain::{OrderCommand, decide};

use crate::support::{
    Story, amend, amend_replanned, amendment_applied, amendment_rejected, assess, cancel, capture,
    complete, context, decomposition_failed, draft, execution, fail, given, item_cancelled,
    item_id, meta_r, new_start_date, place_hold, plan, progress, quote_intake, raise, release_hold,
    repair, start, waive,
};

use OrderState as S;
use OrderTrigger as T;

/// History and command that exercise the row `(from, trigger, to)`.
fn scenario(from: S, trigger: T, to: S) -> (Story, OrderCommand) {
    let manual = FalloutCategory::Manual;
    match (from, trigger, to) {
        (_, T::PlaceHold, _) => (Story::reaching(from, 2), place_hold(1, true)),
        (_, T::ReleaseHold, _) => (
            Story::reaching(from, 2).then(place_hold(1, true)),
            release_hold(1),
        ),
        (S::Fallout, T::RaiseFallout, _) => (Story::reaching(S::Fallout, 2), raise(9, manual)),
        (_, T::RaiseFallout, _) => (Story::reaching(from, 2), raise(9, manual)),
        (S::Fallout, T::RequestCancellation, S::Cancelled) => (
            Story::validated(1)
                .then(OrderCommand::ReleaseForDecomposition)
                .then(decomposition_failed(
                    1,
                    DecompositionFailureCode::DecompositionRuleMissing,
                )),
            cancel(),
        ),
        (_, T::RequestCancellation, _) => (Story::reaching(from, 2), cancel()),
        (S::Draft, T::SubmitOrder, _) => (Story::reaching(S::Draft, 1), OrderCommand::SubmitOrder),
        (S::Submitted, T::ValidateOrder, S::Validated) => (
            Story::reaching(S::Submitted, 1),
            OrderCommand::ValidateOrder {
                context: Box::new(context()),
            },
        ),
        (S::Submitted, T::ValidateOrder, S::Rejected) => {
            let mut intake = quote_intake(1);
            intake.items[0].quantity = -1;
            (
                Story::new()
                    .then(draft(intake))
                    .then(OrderCommand::SubmitOrder),
                OrderCommand::ValidateOrder {
                    context: Box::new(context()),
                },
            )
        }
        (S::Validated, T::ReleaseForDecomposition, _) => {
            (Story::validated(1), OrderCommand::ReleaseForDecomposition)
        }
        (S::Validated, T::RecordDecomposition, _) => (
            Story::validated(2).then(OrderCommand::ReleaseForDecomposition),
            plan(2),
        ),
        (S::Validated, T::RecordDecompositionFailure, _) => (
            Story::validated(1).then(OrderCommand::ReleaseForDecomposition),
            decomposition_failed(1, DecompositionFailureCode::TechnicalCatalogMappingMissing),
        ),
        (S::Decomposed, T::ReleaseForFulfillment, S::InProgress) => {
            (Story::decomposed(1), OrderCommand::ReleaseForFulfillment)
        }
        // Item 0 waived by repairing a decomposition fallout, then planned again.
        (S::Decomposed, T::ReleaseForFulfillment, _) => {
            let n = if to == S::Completed { 1 } else { 2 };
            (
                Story::validated(n)
                    .then(OrderCommand::ReleaseForDecomposition)
                    .then(decomposition_failed(
                        1,
                        DecompositionFailureCode::DecompositionRuleMissing,
                    ))
                    .then(repair(1, RepairResolution::WaiveItem))
                    .then(OrderCommand::ReleaseForDecomposition)
                    .then(plan(n)),
                OrderCommand::ReleaseForFulfillment,
            )
        }
        // Fulfillment phase: IN_PROGRESS with two items, PARTIALLY_COMPLETED with three.
        (S::InProgress, T::RecordItemStarted, _) => (Story::in_progress(2), start(0)),
        (S::InProgress, T::RecordItemProgress, _) => (
            Story::in_progress(2),
            progress(0, FulfillmentState::WaitingForAppointment),
        ),
        (S::InProgress, T::RecordItemCompleted, S::PartiallyCompleted) => {
            (Story::in_progress(2), complete(0))
        }
        (S::InProgress, T::RecordItemCompleted, S::Completed) => {
            (Story::in_progress(1), complete(0))
        }
        (S::InProgress, T::RecordItemFailed, _) => (Story::in_progress(2), fail(0, 1)),
        (S::InProgress, T::WaiveItem, S::PartiallyCompleted) => (Story::in_progress(2), waive(0)),
        (S::InProgress, T::WaiveItem, S::Completed) => (Story::in_progress(1), waive(0)),
        (S::PartiallyCompleted, T::RecordItemStarted, _) => {
            (Story::reaching(S::PartiallyCompleted, 2), start(1))
        }
        (S::PartiallyCompleted, T::RecordItemProgress, _) => (
            Story::reaching(S::PartiallyCompleted, 2),
            progress(1, FulfillmentState::WaitingForDependency),
        ),
        (S::PartiallyCompleted, T::RecordItemCompleted, S::PartiallyCompleted) => {
            (Story::reaching(S::PartiallyCompleted, 3), complete(1))
        }
        (S::PartiallyCompleted, T::RecordItemCompleted, S::Completed) => {
            (Story::reaching(S::PartiallyCompleted, 2), complete(1))
        }
        (S::PartiallyCompleted, T::RecordItemFailed, _) => {
            (Story::reaching(S::PartiallyCompleted, 2), fail(1, 1))
        }
        (S::PartiallyCompleted, T::WaiveItem, S::PartiallyCompleted) => {
            (Story::reaching(S::PartiallyCompleted, 3), waive(1))
        }
        (S::PartiallyCompleted, T::WaiveItem, S::Completed) => {
            (Story::reaching(S::PartiallyCompleted, 2), waive(1))
        }
        // FALLOUT after fulfillment start: item 0 failed, item 1 still moving.
        (S::Fallout, T::RecordItemStarted, _) => (Story::reaching(S::Fallout, 2), start(1)),
        (S::Fallout, T::RecordItemProgress, _) => (
            Story::reaching(S::Fallout, 2),
            progress(1, FulfillmentState::RetryScheduled),
        ),
        (S::Fallout, T::RecordItemCompleted, _) => (Story::reaching(S::Fallout, 2), complete(1)),
        (S::Fallout, T::RecordItemFailed, _) => (Story::reaching(S::Fallout, 2), fail(1, 2)),
        (S::Fallout, T::WaiveItem, _) => (Story::reaching(S::Fallout, 2), waive(1)),
        (S::Fallout, T::CloseAsFailed, _) => {
            (Story::reaching(S::Fallout, 2), OrderCommand::CloseAsFailed)
        }
        (S::Fallout, T::RepairFallout, resumed) => repair_scenario(resumed),
        (S::CancellationRequested, T::RecordCancellationAssessment, outcome) => {
            assessment_scenario(outcome)
        }
        (S::CancellationRequested, T::RecordItemStarted, _) => {
            (Story::reaching(S::CancellationRequested, 2), start(0))
        }
        (S::CancellationRequested, T::RecordItemProgress, _) => (
            Story::reaching(S::CancellationRequested, 2),
            progress(0, FulfillmentState::WaitingForManualAction),
        ),
        (S::CancellationRequested, T::RecordItemCompleted, _) => {
            (Story::reaching(S::CancellationRequested, 2), complete(0))
        }
        (S::CancellationRequested, T::RecordItemFailed, _) => {
            (Story::reaching(S::CancellationRequested, 2), fail(0, 1))
        }
        (S::Cancelling, T::RecordItemCancelled, resumed) => item_cancelled_scenario(resumed),
        (S::Fallout, T::RecordItemCancelled, _) => (
            Story::reaching(S::Cancelling, 2).then(raise(1, FalloutCategory::Compensation)),
            item_cancelled(0),
        ),
        (S::Cancelling, T::RecordItemStarted, _) => (partial_cancelling(), start(1)),
        (S::Cancelling, T::RecordItemCompleted, _) => (partial_cancelling(), complete(1)),
        (S::Cancelling, T::RecordItemFailed, _) => (partial_cancelling(), fail(1, 3)),
        (S::Cancelling, T::WaiveItem, _) => (partial_cancelling(), waive(1)),
        (S::CancellationRequested, T::ReviewCancellation, outcome) => review_scenario(outcome),
        (_, T::RequestAmendment, _) => (
            Story::reaching(from, 2),
            amend(
                vec![new_start_date()],
                oms_domain::change::ExecutionView::default(),
            ),
        ),
        (_, T::RecordAmendmentApplied, _) => (
            Story::reaching(from, 2).then(amend_replanned(2)),
            amendment_applied(2),
        ),
        (_, T::RecordAmendmentRejected, _) => (
            Story::reaching(from, 2).then(amend_replanned(2)),
            amendment_rejected(),
        ),
        (S::Cancelling, T::RecordItemProgress, _) => (
            Story::reaching(S::Cancelling, 2),
            progress(0, FulfillmentState::WaitingForExternalSystem),
        ),
        row => panic!("no scenario for row {row:?}"),
    }
}

/// CANCELLING with item 0 in scope and item 1 left alone (an ITEMS cancellation).
fn partial_cancelling() -> Story {
    let scope = oms_domain::change::CancellationScope::Items {
        item_ids: vec![item_id(0)],
    };
    let OrderCommand::RecordCancellationAssessment(mut a) = assess(F::PartiallyCancellable, vec![])
    else {
        unreachable!()
    };
    a.cancelling_item_ids = vec![item_id(0)];
    Story::in_progress(2)
        .then(crate::support::cancel_with(execution(2), scope))
        .then(OrderCommand::RecordCancellationAssessment(a))
}

fn item_cancelled_scenario(resumed: S) -> (Story, OrderCommand) {
    match resumed {
        S::Cancelling => (Story::reaching(S::Cancelling, 2), item_cancelled(0)),
        S::Cancelled => (
            Story::reaching(S::Cancelling, 2).then(item_cancelled(0)),
            item_cancelled(1),
        ),
        S::InProgress => (partial_cancelling(), item_cancelled(0)),
        S::PartiallyCompleted => (
            Story::in_progress(3)
                .then(complete(2))
                .then(crate::support::cancel_with(
                    execution(3),
                    oms_domain::change::CancellationScope::Items {
                        item_ids: vec![item_id(0)],
                    },
                ))
                .then({
                    let OrderCommand::RecordCancellationAssessment(mut a) =
                        assess(F::PartiallyCancellable, vec![])
                    else {
                        unreachable!()
                    };
                    a.cancelling_item_ids = vec![item_id(0)];
                    OrderCommand::RecordCancellationAssessment(a)
                }),
            item_cancelled(0),
        ),
        S::Completed => (partial_cancelling().then(complete(1)), item_cancelled(0)),
        other => panic!("no item-cancelled scenario to {other:?}"),
    }
}

fn review_scenario(outcome: S) -> (Story, OrderCommand) {
    let review = |approve| OrderCommand::ReviewCancellation {
        request_id: crate::support::request_id(),
        approve,
    };
    let waiting = |story: Story| story.then(assess(F::RequiresManualReview, vec![]));
    match outcome {
        S::Cancelling => (
            waiting(Story::reaching(S::CancellationRequested, 2)),
            review(true),
        ),
        S::InProgress => (
            waiting(Story::reaching(S::CancellationRequested, 2)),
            review(false),
        ),
        S::PartiallyCompleted => (
            waiting(Story::reaching(S::PartiallyCompleted, 2).then(cancel())),
            review(false),
        ),
        S::Completed => (
            waiting(Story::in_progress(2).then(cancel()))
                .then(complete(0))
                .then(complete(1)),
            review(false),
        ),
        S::Fallout => (
            waiting(Story::reaching(S::Fallout, 2).then(cancel())),
            review(false),
        ),
        other => panic!("no review scenario to {other:?}"),
    }
}

fn repair_scenario(resumed: S) -> (Story, OrderCommand) {
    let manual = FalloutCategory::Manual;
    match resumed {
        S::Submitted | S::Validated | S::Decomposed => (
            Story::reaching(resumed, 1).then(raise(1, manual)),
            repair(1, RepairResolution::Resume),
        ),
        S::InProgress => (
            Story::in_progress(2).then(fail(0, 1)),
            repair(1, RepairResolution::RetryItem),
        ),
        S::PartiallyCompleted => (
            Story::in_progress(2).then(complete(1)).then(fail(0, 1)),
            repair(1, RepairResolution::RetryItem),
        ),
        S::Completed => (
            Story::in_progress(2).then(complete(1)).then(fail(0, 1)),
            repair(1, RepairResolution::WaiveItem),
        ),
        S::CancellationRequested | S::Cancelling => (
            Story::reaching(resumed, 2).then(raise(1, FalloutCategory::Compensation)),
            repair(1, RepairResolution::Resume),
        ),
        S::Fallout => (
            Story::in_progress(2)
                .then(raise(1, manual))
                .then(raise(2, manual)),
            repair(1, RepairResolution::Resume),
        ),
        other => panic!("no repair scenario to {other:?}"),
    }
}

fn assessment_scenario(outcome: S) -> (Story, OrderCommand) {
    match outcome {
        S::Cancelling => (
            Story::reaching(S::CancellationRequested, 2),
            assess(F::FullyCancellable, vec![]),
        ),
        S::CancellationRequested => (
            Story::reaching(S::CancellationRequested, 2),
            assess(F::RequiresManualReview, vec![]),
        ),
        S::InProgress => (
            Story::reaching(S::CancellationRequested, 2),
            assess(F::NotCancellable, vec![]),
        ),
        S::PartiallyCompleted => (
            Story::reaching(S::PartiallyCompleted, 2).then(cancel()),
            assess(F::NotCancellable, vec![]),
        ),
        S::Completed => (
            Story::in_progress(1).then(cancel()).then(complete(0)),
            assess(F::NotCancellable, vec![]),
        ),
        S::Fallout => (
            Story::reaching(S::Fallout, 2).then(cancel()),
            assess(F::NotCancellable, vec![]),
        ),
        other => panic!("no assessment scenario to {other:?}"),
    }
}

#[test]
fn every_row_of_the_order_table_is_reachable() {
    for &(from, trigger, to) in ORDER_TRANSITIONS {
        let (story, command) = scenario(from, trigger, to);
        assert_eq!(
            story.state(),
            Some(from),
            "scenario for {from:?} --{trigger:?}--> {to:?} starts elsewhere"
        );
        let events = decide(story.order.as_ref(), command, &meta_r())
            .unwrap_or_else(|e| panic!("{from:?} --{trigger:?}--> {to:?} refused: {e}"));
        let after = events
            .iter()
            .fold(story.order.clone(), oms_domain::evolve)
            .unwrap();
        assert_eq!(after.state, to, "{from:?} --{trigger:?}--> expected {to:?}");
        assert_eq!(after.version, story.order().version + events.len() as u64);
    }
}

/// A command of the given kind, well-formed, for refusal checks.
fn any_command(trigger: T) -> OrderCommand {
    match trigger {
        T::CaptureOrder => capture(quote_intake(1), context()),
        T::CaptureDraft => draft(quote_intake(1)),
        T::SubmitOrder => OrderCommand::SubmitOrder,
        T::ValidateOrder => OrderCommand::ValidateOrder {
            context: Box::new(context()),
        },
        T::ReleaseForDecomposition => OrderCommand::ReleaseForDecomposition,
        T::RecordDecomposition => plan(2),
        T::RecordDecompositionFailure => {
            decomposition_failed(7, DecompositionFailureCode::InternalError)
        }
        T::ReleaseForFulfillment => OrderCommand::ReleaseForFulfillment,
        T::RecordItemStarted => start(0),
        T::RecordItemProgress => progress(0, FulfillmentState::WaitingForAppointment),
        T::RecordItemCompleted => complete(0),
        T::RecordItemFailed => fail(0, 7),
        T::WaiveItem => waive(0),
        T::RaiseFallout => raise(7, FalloutCategory::Manual),
        T::RepairFallout => repair(1, RepairResolution::Resume),
        T::PlaceHold => place_hold(7, true),
        T::ReleaseHold => release_hold(7),
        T::RequestCancellation => cancel(),
        T::RecordCancellationAssessment => assess(F::FullyCancellable, vec![]),
        T::ReviewCancellation => OrderCommand::ReviewCancellation {
            request_id: crate::support::request_id(),
            approve: true,
        },
        T::RecordItemCancelled => item_cancelled(0),
        T::RequestAmendment => amend(vec![new_start_date()], execution(2)),
        T::RecordAmendmentApplied => amendment_applied(2),
        T::RecordAmendmentRejected => amendment_rejected(),
        T::CloseAsFailed => OrderCommand::CloseAsFailed,
    }
}

fn expected_refusal_code(state: S, trigger: T) -> &'static str {
    match (state, trigger) {
        (_, T::CaptureOrder | T::CaptureDraft) => "ORDER_ALREADY_EXISTS",
        (S::Completed, T::RequestCancellation) => "COMPLETED_ORDER_NOT_CANCELLABLE",
        (S::CancellationRequested | S::Cancelling, T::RequestCancellation) => {
            "CANCELLATION_ALREADY_REQUESTED"
        }
        (S::CancellationRequested | S::Cancelling, T::RequestAmendment) => {
            "CHANGE_ALREADY_IN_PROGRESS"
        }
        (S::Completed, T::RequestAmendment) => "ORDER_COMPLETED",
        (S::Cancelled | S::Rejected | S::FailedClosed, T::RequestAmendment) => "ORDER_CLOSED",
        _ => "ORDER_TRANSITION_NOT_ALLOWED",
    }
}

#[test]
fn every_pair_outside_the_order_table_is_refused_with_a_stable_code() {
    let mut refused = 0;
    for state in S::ALL {
        let story = Story::reaching(state, 2);
        for trigger in T::ALL {
            if order_targets(state, trigger).next().is_some() {
                continue;
            }
            let err = given(&story)
                .when(any_command(trigger))
                .then_error(expected_refusal_code(state, trigger));
            if !trigger.creates_order() {
                assert_eq!(err, refusal(story.order(), trigger));
            }
            refused += 1;
        }
    }
    // 13 states x 25 triggers minus the allowed pairs.
    let allowed: std::collections::BTreeSet<(S, T)> =
        ORDER_TRANSITIONS.iter().map(|&(f, t, _)| (f, t)).collect();
    assert_eq!(refused, 13 * 25 - allowed.len());
}

#[test]
fn terminal_states_have_no_outgoing_rows() {
    for &(from, _, _) in ORDER_TRANSITIONS {
        assert!(!from.is_terminal(), "{from:?} is terminal but has a row");
    }
}

#[test]
fn commands_on_a_missing_order_are_refused_except_capture() {
    for trigger in T::ALL.into_iter().filter(|t| !t.creates_order()) {
        given(&Story::new())
            .when(any_command(trigger))
            .then_error("ORDER_NOT_FOUND");
    }
    let _ = item_id(0);
}
