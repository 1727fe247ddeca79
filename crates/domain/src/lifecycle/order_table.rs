//! The order transition table: every legal (from, trigger, to) triple, as data.
//!
//! A trigger may have several rows from one state when the outcome depends on the items
//! (e.g. an item completing moves IN_PROGRESS to PARTIALLY_COMPLETED or COMPLETED);
//! `decide` computes the outcome and then asserts it is one of the rows. A (state, trigger)
//! pair with no row is refused with `ORDER_TRANSITION_NOT_ALLOWED`, except a cancellation of
//! a COMPLETED order, which gets its own code and tells the caller to place a DISCONNECT
//! order. Terminal states have no rows at all: they never become active again.
//!
//! Guards that are not about the state (blocking holds, release flags, reasons, fulfillment
//! started) are applied in `decide` after the table check.

use serde::{Deserialize, Serialize};

use super::OrderState;

/// The kind of command, i.e. the `trigger` column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderTrigger {
    /// Creates the order (SUBMITTED, then VALIDATED or REJECTED); never has a `from` state.
    CaptureOrder,
    /// Creates the order as DRAFT; never has a `from` state.
    CaptureDraft,
    SubmitOrder,
    ValidateOrder,
    ReleaseForDecomposition,
    RecordDecomposition,
    RecordDecompositionFailure,
    ReleaseForFulfillment,
    RecordItemStarted,
    RecordItemProgress,
    RecordItemCompleted,
    RecordItemFailed,
    WaiveItem,
    RaiseFallout,
    RepairFallout,
    PlaceHold,
    ReleaseHold,
    RequestCancellation,
    RecordCancellationAssessment,
    ReviewCancellation,
    RecordItemCancelled,
    RequestAmendment,
    RecordAmendmentApplied,
    RecordAmendmentRejected,
    CloseAsFailed,
}

impl OrderTrigger {
    pub const ALL: [Self; 25] = [
        Self::CaptureOrder,
        Self::CaptureDraft,
        Self::SubmitOrder,
        Self::ValidateOrder,
        Self::ReleaseForDecomposition,
        Self::RecordDecomposition,
        Self::RecordDecompositionFailure,
        Self::ReleaseForFulfillment,
        Self::RecordItemStarted,
        Self::RecordItemProgress,
        Self::RecordItemCompleted,
        Self::RecordItemFailed,
        Self::WaiveItem,
        Self::RaiseFallout,
        Self::RepairFallout,
        Self::PlaceHold,
        Self::ReleaseHold,
        Self::RequestCancellation,
        Self::RecordCancellationAssessment,
        Self::ReviewCancellation,
        Self::RecordItemCancelled,
        Self::RequestAmendment,
        Self::RecordAmendmentApplied,
        Self::RecordAmendmentRejected,
        Self::CloseAsFailed,
    ];

    /// Creation triggers apply only when no order exists yet.
    pub fn creates_order(self) -> bool {
        matches!(self, Self::CaptureOrder | Self::CaptureDraft)
    }
}

use OrderState as S;
use OrderTrigger as T;

/// Every legal order transition. Hold rows keep the state (holds are orthogonal).
pub const ORDER_TRANSITIONS: &[(OrderState, OrderTrigger, OrderState)] = &[
    // DRAFT: staged intake, nothing executes yet.
    (S::Draft, T::SubmitOrder, S::Submitted),
    (S::Draft, T::RequestCancellation, S::Cancelled),
    (S::Draft, T::PlaceHold, S::Draft),
    (S::Draft, T::ReleaseHold, S::Draft),
    // SUBMITTED: received, validation pending.
    (S::Submitted, T::ValidateOrder, S::Validated),
    (S::Submitted, T::ValidateOrder, S::Rejected),
    (S::Submitted, T::RequestCancellation, S::Cancelled),
    (S::Submitted, T::RaiseFallout, S::Fallout),
    (S::Submitted, T::PlaceHold, S::Submitted),
    (S::Submitted, T::ReleaseHold, S::Submitted),
    // VALIDATED: release to decomposition (state stays), then its outcome.
    (S::Validated, T::ReleaseForDecomposition, S::Validated),
    (S::Validated, T::RecordDecomposition, S::Decomposed),
    (S::Validated, T::RecordDecompositionFailure, S::Fallout),
    (S::Validated, T::RequestCancellation, S::Cancelled),
    (S::Validated, T::RaiseFallout, S::Fallout),
    (S::Validated, T::PlaceHold, S::Validated),
    (S::Validated, T::ReleaseHold, S::Validated),
    // DECOMPOSED: plan exists, no external effect yet.
    (S::Decomposed, T::ReleaseForFulfillment, S::InProgress),
    // Items waived before release (a repaired decomposition fallout) already count as done.
    (
        S::Decomposed,
        T::ReleaseForFulfillment,
        S::PartiallyCompleted,
    ),
    (S::Decomposed, T::ReleaseForFulfillment, S::Completed),
    (S::Decomposed, T::RequestCancellation, S::Cancelled),
    (S::Decomposed, T::RaiseFallout, S::Fallout),
    (S::Decomposed, T::PlaceHold, S::Decomposed),
    (S::Decomposed, T::ReleaseHold, S::Decomposed),
    // IN_PROGRESS: header derived from items from here on.
    (S::InProgress, T::RecordItemStarted, S::InProgress),
    (S::InProgress, T::RecordItemProgress, S::InProgress),
    (S::InProgress, T::RecordItemCompleted, S::PartiallyCompleted),
    (S::InProgress, T::RecordItemCompleted, S::Completed),
    (S::InProgress, T::RecordItemFailed, S::Fallout),
    (S::InProgress, T::WaiveItem, S::PartiallyCompleted),
    (S::InProgress, T::WaiveItem, S::Completed),
    (S::InProgress, T::RaiseFallout, S::Fallout),
    (
        S::InProgress,
        T::RequestCancellation,
        S::CancellationRequested,
    ),
    (S::InProgress, T::PlaceHold, S::InProgress),
    (S::InProgress, T::ReleaseHold, S::InProgress),
    // PARTIALLY_COMPLETED
    (
        S::PartiallyCompleted,
        T::RecordItemStarted,
        S::PartiallyCompleted,
    ),
    (
        S::PartiallyCompleted,
        T::RecordItemProgress,
        S::PartiallyCompleted,
    ),
    (
        S::PartiallyCompleted,
        T::RecordItemCompleted,
        S::PartiallyCompleted,
    ),
    (S::PartiallyCompleted, T::RecordItemCompleted, S::Completed),
    (S::PartiallyCompleted, T::RecordItemFailed, S::Fallout),
    (S::PartiallyCompleted, T::WaiveItem, S::PartiallyCompleted),
    (S::PartiallyCompleted, T::WaiveItem, S::Completed),
    (S::PartiallyCompleted, T::RaiseFallout, S::Fallout),
    (
        S::PartiallyCompleted,
        T::RequestCancellation,
        S::CancellationRequested,
    ),
    (S::PartiallyCompleted, T::PlaceHold, S::PartiallyCompleted),
    (S::PartiallyCompleted, T::ReleaseHold, S::PartiallyCompleted),
    // FALLOUT: other items keep progressing; repair returns to where the order was.
    (S::Fallout, T::RaiseFallout, S::Fallout),
    (S::Fallout, T::RecordItemStarted, S::Fallout),
    (S::Fallout, T::RecordItemProgress, S::Fallout),
    (S::Fallout, T::RecordItemCompleted, S::Fallout),
    (S::Fallout, T::RecordItemFailed, S::Fallout),
    (S::Fallout, T::WaiveItem, S::Fallout),
    (S::Fallout, T::RepairFallout, S::Fallout),
    (S::Fallout, T::RepairFallout, S::Submitted),
    (S::Fallout, T::RepairFallout, S::Validated),
    (S::Fallout, T::RepairFallout, S::Decomposed),
    (S::Fallout, T::RepairFallout, S::InProgress),
    (S::Fallout, T::RepairFallout, S::PartiallyCompleted),
    (S::Fallout, T::RepairFallout, S::Completed),
    (S::Fallout, T::RepairFallout, S::CancellationRequested),
    (S::Fallout, T::RepairFallout, S::Cancelling),
    (S::Fallout, T::RequestCancellation, S::CancellationRequested),
    (S::Fallout, T::RequestCancellation, S::Cancelled),
    (S::Fallout, T::CloseAsFailed, S::FailedClosed),
    (S::Fallout, T::RecordItemCancelled, S::Fallout),
    (S::Fallout, T::PlaceHold, S::Fallout),
    (S::Fallout, T::ReleaseHold, S::Fallout),
    // CANCELLATION_REQUESTED: waiting for fulfillment's assessment; facts still arrive.
    (
        S::CancellationRequested,
        T::RecordCancellationAssessment,
        S::Cancelling,
    ),
    (
        S::CancellationRequested,
        T::RecordCancellationAssessment,
        S::CancellationRequested,
    ),
    (
        S::CancellationRequested,
        T::RecordCancellationAssessment,
        S::InProgress,
    ),
    (
        S::CancellationRequested,
        T::RecordCancellationAssessment,
        S::PartiallyCompleted,
    ),
    (
        S::CancellationRequested,
        T::RecordCancellationAssessment,
        S::Completed,
    ),
    (
        S::CancellationRequested,
        T::RecordCancellationAssessment,
        S::Fallout,
    ),
    (
        S::CancellationRequested,
        T::ReviewCancellation,
        S::Cancelling,
    ),
    (
        S::CancellationRequested,
        T::ReviewCancellation,
        S::InProgress,
    ),
    (
        S::CancellationRequested,
        T::ReviewCancellation,
        S::PartiallyCompleted,
    ),
    (
        S::CancellationRequested,
        T::ReviewCancellation,
        S::Completed,
    ),
    (S::CancellationRequested, T::ReviewCancellation, S::Fallout),
    (
        S::CancellationRequested,
        T::RecordItemStarted,
        S::CancellationRequested,
    ),
    (
        S::CancellationRequested,
        T::RecordItemProgress,
        S::CancellationRequested,
    ),
    (
        S::CancellationRequested,
        T::RecordItemCompleted,
        S::CancellationRequested,
    ),
    (S::CancellationRequested, T::RecordItemFailed, S::Fallout),
    (S::CancellationRequested, T::RaiseFallout, S::Fallout),
    (
        S::CancellationRequested,
        T::PlaceHold,
        S::CancellationRequested,
    ),
    (
        S::CancellationRequested,
        T::ReleaseHold,
        S::CancellationRequested,
    ),
    // Amendments (ADR 0008 §3) are orthogonal to the state, like holds: the request and its
    // outcome keep the state. Before a plan exists the change applies at once, so only
    // planned states see an outcome arrive later.
    (S::Validated, T::RequestAmendment, S::Validated),
    (S::Decomposed, T::RequestAmendment, S::Decomposed),
    (S::InProgress, T::RequestAmendment, S::InProgress),
    (
        S::PartiallyCompleted,
        T::RequestAmendment,
        S::PartiallyCompleted,
    ),
    (S::Fallout, T::RequestAmendment, S::Fallout),
    (S::Decomposed, T::RecordAmendmentApplied, S::Decomposed),
    (S::InProgress, T::RecordAmendmentApplied, S::InProgress),
    (
        S::PartiallyCompleted,
        T::RecordAmendmentApplied,
        S::PartiallyCompleted,
    ),
    (S::Fallout, T::RecordAmendmentApplied, S::Fallout),
    (S::Decomposed, T::RecordAmendmentRejected, S::Decomposed),
    (S::InProgress, T::RecordAmendmentRejected, S::InProgress),
    (
        S::PartiallyCompleted,
        T::RecordAmendmentRejected,
        S::PartiallyCompleted,
    ),
    (S::Fallout, T::RecordAmendmentRejected, S::Fallout),
    // CANCELLING: compensation running; items outside the scope keep progressing, the
    // header is derived from the items.
    (S::Cancelling, T::RecordItemCancelled, S::Cancelling),
    (S::Cancelling, T::RecordItemCancelled, S::Cancelled),
    (S::Cancelling, T::RecordItemCancelled, S::InProgress),
    (S::Cancelling, T::RecordItemCancelled, S::PartiallyCompleted),
    (S::Cancelling, T::RecordItemCancelled, S::Completed),
    (S::Cancelling, T::RecordItemStarted, S::Cancelling),
    (S::Cancelling, T::RecordItemProgress, S::Cancelling),
    (S::Cancelling, T::RecordItemCompleted, S::Cancelling),
    (S::Cancelling, T::RecordItemFailed, S::Fallout),
    (S::Cancelling, T::WaiveItem, S::Cancelling),
    (S::Cancelling, T::RaiseFallout, S::Fallout),
    (S::Cancelling, T::PlaceHold, S::Cancelling),
    (S::Cancelling, T::ReleaseHold, S::Cancelling),
];

/// Whether `from --trigger--> to` is a row of the table.
pub fn can_transition(from: OrderState, trigger: OrderTrigger, to: OrderState) -> bool {
    ORDER_TRANSITIONS
        .iter()
        .any(|&(f, t, s)| f == from && t == trigger && s == to)
}

/// The states `trigger` may lead to from `from`; empty when the pair is refused.
pub fn order_targets(from: OrderState, trigger: OrderTrigger) -> impl Iterator<Item = OrderState> {
    ORDER_TRANSITIONS
        .iter()
        .filter(move |&&(f, t, _)| f == from && t == trigger)
        .map(|&(_, _, to)| to)
}
