//! Every row of the item transition table is reached through the command that means it,
//! and item-addressed commands on an item in a state without a row are refused.

use oms_domain::lifecycle::{
    FulfillmentState, ITEM_TRANSITIONS, ItemState, ItemTrigger, OrderState, item_targets,
};
use oms_domain::vocab::{CancellationFeasibility as F, RepairResolution};
use oms_domain::{OrderCommand, decide, evolve};

use crate::support::{
    Story, assess, cancel, complete, fail, given, item_id, meta_r, progress, repair, start, waive,
};

use ItemState as I;
use ItemTrigger as T;

/// History and command moving item 0 along the row `(from, trigger, to)`.
fn scenario(from: I, trigger: T) -> (Story, OrderCommand) {
    let running = || Story::in_progress(2).then(start(0));
    let story_with = |s: I| match s {
        I::Pending => Story::in_progress(2),
        I::InProgress => running(),
        I::Failed => Story::in_progress(2).then(fail(0, 1)),
        I::Completed => Story::in_progress(2).then(complete(0)),
        I::Cancelling => Story::reaching(OrderState::Cancelling, 2),
        other => panic!("no story with item in {other:?}"),
    };
    match (from, trigger) {
        (_, T::Start) => (story_with(from), start(0)),
        (_, T::ReportProgress) => (
            story_with(from),
            progress(0, FulfillmentState::WaitingForAppointment),
        ),
        (_, T::Complete) => (story_with(from), complete(0)),
        (_, T::Fail) => (story_with(from), fail(0, 2)),
        (I::Failed, T::Retry) => (story_with(from), repair(1, RepairResolution::RetryItem)),
        (_, T::Waive) => (story_with(from), waive(0)),
        (_, T::BeginCancel) => (
            story_with(from).then(cancel()),
            assess(F::FullyCancellable, vec![]),
        ),
        (I::Cancelling, T::FinishCancel) => (story_with(from), crate::support::item_cancelled(0)),
        // Direct cancellation before execution: items are still PENDING.
        (I::Pending, T::Cancel) => (Story::decomposed(2), cancel()),
        // Closing a failed order cancels its unfinished items.
        (I::InProgress, T::Cancel) => (
            Story::in_progress(2).then(start(0)).then(fail(1, 1)),
            OrderCommand::CloseAsFailed,
        ),
        row => panic!("no item scenario for {row:?}"),
    }
}

#[test]
fn every_row_of_the_item_table_is_reachable() {
    for &(from, trigger, to) in ITEM_TRANSITIONS {
        let (story, command) = scenario(from, trigger);
        assert_eq!(
            story.order().item(item_id(0)).unwrap().state,
            from,
            "{from:?} --{trigger:?}-->"
        );
        let events = decide(story.order.as_ref(), command, &meta_r())
            .unwrap_or_else(|e| panic!("{from:?} --{trigger:?}--> refused: {e}"));
        let after = events.iter().fold(story.order.clone(), evolve).unwrap();
        assert_eq!(
            after.item(item_id(0)).unwrap().state,
            to,
            "{from:?} --{trigger:?}--> expected {to:?}"
        );
    }
}

/// Order in a state that accepts `trigger`'s command, with item 0 forced into `state`.
fn with_item_in(state: I, trigger: T) -> (Story, OrderCommand) {
    let (mut story, command) = match trigger {
        T::Retry => (
            Story::in_progress(2).then(fail(0, 1)),
            repair(1, RepairResolution::RetryItem),
        ),
        T::Start => (Story::in_progress(2), start(0)),
        T::ReportProgress => (
            Story::in_progress(2),
            progress(0, FulfillmentState::WaitingForDependency),
        ),
        T::Complete => (Story::in_progress(2), complete(0)),
        T::Fail => (Story::in_progress(2), fail(0, 5)),
        T::Waive => (Story::in_progress(2), waive(0)),
        other => panic!("{other:?} is not addressed to one item"),
    };
    let order = story.order.as_mut().unwrap();
    order.content.as_mut().unwrap().items[0].state = state;
    (story, command)
}

#[test]
fn item_commands_on_items_in_other_states_are_refused() {
    let mut refused = 0;
    for trigger in [
        T::Start,
        T::ReportProgress,
        T::Complete,
        T::Fail,
        T::Waive,
        T::Retry,
    ] {
        for state in I::ALL {
            if item_targets(state, trigger).is_some() {
                continue;
            }
            let (story, command) = with_item_in(state, trigger);
            given(&story)
                .when(command)
                .then_error("ITEM_TRANSITION_NOT_ALLOWED");
            refused += 1;
        }
    }
    assert!(refused >= 25, "{refused}");
}

#[test]
fn a_duplicate_completion_does_not_complete_the_item_twice() {
    let story = Story::in_progress(2).then(complete(0));
    given(&story)
        .when(complete(0))
        .then_error("ITEM_TRANSITION_NOT_ALLOWED");
}

#[test]
fn a_second_task_start_for_a_running_item_is_absorbed() {
    let story = Story::in_progress(2).then(start(0));
    given(&story).when(start(0)).then_expect(&[]);
}

#[test]
fn item_facts_before_fulfillment_started_are_refused() {
    // FALLOUT from a decomposition failure allows item rows in the table, but nothing runs.
    let story = Story::validated(1)
        .then(OrderCommand::ReleaseForDecomposition)
        .then(crate::support::decomposition_failed(
            1,
            oms_domain::vocab::DecompositionFailureCode::OrderInvalid,
        ));
    given(&story)
        .when(start(0))
        .then_error("FULFILLMENT_NOT_STARTED");
    given(&story)
        .when(complete(0))
        .then_error("FULFILLMENT_NOT_STARTED");
}

#[test]
fn unknown_items_and_unreportable_progress_are_refused() {
    let story = Story::in_progress(1);
    given(&story).when(start(5)).then_error("ITEM_NOT_FOUND");
    given(&story)
        .when(progress(0, FulfillmentState::Completed))
        .then_error("FULFILLMENT_STATE_NOT_REPORTABLE");
    given(&story)
        .when(progress(0, FulfillmentState::Compensating))
        .then_error("FULFILLMENT_STATE_NOT_REPORTABLE");
}
