//! Errors in two layers, each with a stable SCREAMING_SNAKE `code()` that services put in
//! problem+json responses and logs (never the Display text, which may change).
//!
//! - [`ValueError`]: a value failed its `parse` (format, range, currency mix).
//! - [`DomainError`]: a command was refused by the aggregate (state machine, guard, or a
//!   precondition such as a blocking hold). A refused command produces no event.

use thiserror::Error;

use crate::change::ChangeBlocker;
use crate::lifecycle::{ItemState, ItemTrigger, OrderState, OrderTrigger};
use crate::value::{
    AmendmentRequestId, CancellationRequestId, CurrencyCode, FalloutId, HoldId, OrderId,
    OrderItemId, TaskId,
};

fn summaries(blockers: &[ChangeBlocker]) -> String {
    blockers
        .iter()
        .map(ChangeBlocker::summary)
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValueError {
    #[error("{field} must not be blank")]
    Blank { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("{field} has an invalid format: {detail}")]
    Format { field: &'static str, detail: String },
    #[error("{field} must be greater than zero")]
    NotPositive { field: &'static str },
    #[error("amount {amount} does not fit decimal(18,4)")]
    AmountPrecision { amount: String },
    #[error("cannot combine amounts in {left} and {right}")]
    CurrencyMismatch {
        left: CurrencyCode,
        right: CurrencyCode,
    },
    #[error("amount overflows decimal(18,4)")]
    Overflow,
}

impl ValueError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Blank { .. } => "BLANK",
            Self::TooLong { .. } => "TOO_LONG",
            Self::ControlCharacters { .. } => "CONTROL_CHARACTERS",
            Self::Format { .. } => "INVALID_FORMAT",
            Self::NotPositive { .. } => "NOT_POSITIVE",
            Self::AmountPrecision { .. } => "AMOUNT_PRECISION",
            Self::CurrencyMismatch { .. } => "CURRENCY_MISMATCH",
            Self::Overflow => "AMOUNT_OVERFLOW",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("order does not exist; only a capture command can create it")]
    OrderNotFound,
    #[error("order {order_id} already exists")]
    OrderAlreadyExists { order_id: OrderId },
    #[error("{trigger:?} is not allowed in order state {from:?}")]
    TransitionNotAllowed {
        from: OrderState,
        trigger: OrderTrigger,
    },
    #[error("{trigger:?} is not allowed for item {item_id} in state {from:?}")]
    ItemTransitionNotAllowed {
        item_id: OrderItemId,
        from: ItemState,
        trigger: ItemTrigger,
    },
    #[error(
        "order {order_id} is completed and cannot be cancelled: place a DISCONNECT order for its assets"
    )]
    CompletedOrderNotCancellable { order_id: OrderId },
    #[error("a cancellation is already in progress for this order")]
    CancellationAlreadyRequested,
    #[error("cancellation request {given} does not match the open request {open}")]
    CancellationRequestMismatch {
        open: CancellationRequestId,
        given: CancellationRequestId,
    },
    #[error("cancellation scope is invalid: {detail}")]
    CancellationScopeInvalid { detail: String },
    #[error("the order cannot be cancelled: {}", summaries(blockers))]
    OrderNotCancellable { blockers: Vec<ChangeBlocker> },
    #[error("no cancellation of this order waits for a manual review")]
    CancellationReviewNotPending,
    #[error("{detail}")]
    ChangeInProgress { detail: String },
    #[error("amendment is invalid: {detail}")]
    AmendmentInvalid { code: &'static str, detail: String },
    #[error("the amendment is refused: {}", summaries(blockers))]
    AmendmentBlocked {
        code: &'static str,
        blockers: Vec<ChangeBlocker>,
    },
    #[error("amendment request {given} does not match the open request {open:?}")]
    AmendmentRequestMismatch {
        open: Option<AmendmentRequestId>,
        given: AmendmentRequestId,
    },
    #[error("{trigger:?} needs a reason in the transition meta")]
    ReasonRequired { trigger: OrderTrigger },
    #[error("item {item_id} is not part of this order")]
    ItemNotFound { item_id: OrderItemId },
    #[error("hold {hold_id} is not on this order")]
    HoldNotFound { hold_id: HoldId },
    #[error("hold {hold_id} already exists")]
    HoldAlreadyExists { hold_id: HoldId },
    #[error("hold {hold_id} is already released")]
    HoldAlreadyReleased { hold_id: HoldId },
    #[error("blocking holds are active: {hold_ids:?}")]
    BlockingHoldActive { hold_ids: Vec<HoldId> },
    #[error("the order was already released for decomposition")]
    AlreadyReleasedForDecomposition,
    #[error("the order has not been released for decomposition")]
    NotReleasedForDecomposition,
    #[error("fulfillment has not started for this order")]
    FulfillmentNotStarted,
    #[error("decomposition plan is inconsistent with the order: {detail}")]
    DecompositionPlanInconsistent { detail: String },
    #[error("fallout case {fallout_id} is not open on this order")]
    FalloutNotFound { fallout_id: FalloutId },
    #[error("fallout case {fallout_id} is already open")]
    FalloutAlreadyOpen { fallout_id: FalloutId },
    #[error("repair is invalid: {detail}")]
    RepairInvalid { detail: String },
    #[error("item {item_id} is still FAILED: retry or waive it before resuming")]
    FailedItemUnresolved { item_id: OrderItemId },
    #[error("an order cannot be submitted without items")]
    OrderHasNoItems,
    #[error("quote revision already converted by order {existing_order_id}")]
    QuoteAlreadyConverted { existing_order_id: OrderId },
    #[error("{given} item ids were supplied for {expected} intake items")]
    ItemIdsMismatch { expected: usize, given: usize },
    #[error("item id {item_id} was supplied twice")]
    DuplicateItemId { item_id: OrderItemId },
    #[error("task {task_id} appears twice in the plan")]
    DuplicateTaskId { task_id: TaskId },
    #[error("fulfillment state {state:?} cannot be reported as progress")]
    ProgressStateNotReportable {
        state: crate::lifecycle::FulfillmentState,
    },
    #[error("the context belongs to another tenant than the order")]
    TenantMismatch,
    #[error(transparent)]
    Value(#[from] ValueError),
}

impl DomainError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::OrderNotFound => "ORDER_NOT_FOUND",
            Self::OrderAlreadyExists { .. } => "ORDER_ALREADY_EXISTS",
            Self::TransitionNotAllowed { .. } => "ORDER_TRANSITION_NOT_ALLOWED",
            Self::ItemTransitionNotAllowed { .. } => "ITEM_TRANSITION_NOT_ALLOWED",
            Self::CompletedOrderNotCancellable { .. } => "COMPLETED_ORDER_NOT_CANCELLABLE",
            Self::CancellationAlreadyRequested => "CANCELLATION_ALREADY_REQUESTED",
            Self::CancellationRequestMismatch { .. } => "CANCELLATION_REQUEST_MISMATCH",
            Self::CancellationScopeInvalid { .. } => "CANCELLATION_SCOPE_INVALID",
            Self::OrderNotCancellable { .. } => "ORDER_NOT_CANCELLABLE",
            Self::CancellationReviewNotPending => "CANCELLATION_REVIEW_NOT_PENDING",
            Self::ChangeInProgress { .. } => "CHANGE_ALREADY_IN_PROGRESS",
            Self::AmendmentInvalid { code, .. } | Self::AmendmentBlocked { code, .. } => code,
            Self::AmendmentRequestMismatch { .. } => "AMENDMENT_REQUEST_MISMATCH",
            Self::ReasonRequired { .. } => "REASON_REQUIRED",
            Self::ItemNotFound { .. } => "ITEM_NOT_FOUND",
            Self::HoldNotFound { .. } => "HOLD_NOT_FOUND",
            Self::HoldAlreadyExists { .. } => "HOLD_ALREADY_EXISTS",
            Self::HoldAlreadyReleased { .. } => "HOLD_ALREADY_RELEASED",
            Self::BlockingHoldActive { .. } => "BLOCKING_HOLD_ACTIVE",
            Self::AlreadyReleasedForDecomposition => "ALREADY_RELEASED_FOR_DECOMPOSITION",
            Self::NotReleasedForDecomposition => "NOT_RELEASED_FOR_DECOMPOSITION",
            Self::FulfillmentNotStarted => "FULFILLMENT_NOT_STARTED",
            Self::DecompositionPlanInconsistent { .. } => "DECOMPOSITION_PLAN_INCONSISTENT",
            Self::FalloutNotFound { .. } => "FALLOUT_NOT_FOUND",
            Self::FalloutAlreadyOpen { .. } => "FALLOUT_ALREADY_OPEN",
            Self::RepairInvalid { .. } => "REPAIR_INVALID",
            Self::FailedItemUnresolved { .. } => "FAILED_ITEM_UNRESOLVED",
            Self::OrderHasNoItems => "ORDER_HAS_NO_ITEMS",
            Self::QuoteAlreadyConverted { .. } => "QUOTE_ALREADY_CONVERTED",
            Self::ItemIdsMismatch { .. } => "ITEM_IDS_MISMATCH",
            Self::DuplicateItemId { .. } => "DUPLICATE_ITEM_ID",
            Self::DuplicateTaskId { .. } => "DUPLICATE_TASK_ID",
            Self::ProgressStateNotReportable { .. } => "FULFILLMENT_STATE_NOT_REPORTABLE",
            Self::TenantMismatch => "TENANT_MISMATCH",
            Self::Value(e) => e.code(),
        }
    }
}
