//! State enums of the order header, the order item, and the item's finer fulfillment state.

use serde::{Deserialize, Serialize};

/// Header state of a product order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderState {
    Draft,
    Submitted,
    Validated,
    Decomposed,
    InProgress,
    PartiallyCompleted,
    Completed,
    Rejected,
    Fallout,
    CancellationRequested,
    Cancelling,
    Cancelled,
    FailedClosed,
}

impl OrderState {
    pub const ALL: [Self; 13] = [
        Self::Draft,
        Self::Submitted,
        Self::Validated,
        Self::Decomposed,
        Self::InProgress,
        Self::PartiallyCompleted,
        Self::Completed,
        Self::Rejected,
        Self::Fallout,
        Self::CancellationRequested,
        Self::Cancelling,
        Self::Cancelled,
        Self::FailedClosed,
    ];

    /// Terminal states never become active again; a change after completion is a new order.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Cancelled | Self::Rejected | Self::FailedClosed
        )
    }

    /// States before any external effect: cancellation goes straight to CANCELLED.
    pub fn is_pre_execution(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Submitted | Self::Validated | Self::Decomposed
        )
    }
}

/// Lifecycle state of one order item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemState {
    Pending,
    InProgress,
    Completed,
    Failed,
    Cancelling,
    Cancelled,
    Waived,
}

impl ItemState {
    pub const ALL: [Self; 7] = [
        Self::Pending,
        Self::InProgress,
        Self::Completed,
        Self::Failed,
        Self::Cancelling,
        Self::Cancelled,
        Self::Waived,
    ];

    /// COMPLETED or WAIVED: the item no longer stands in the way of order completion.
    pub fn is_terminal_success(self) -> bool {
        matches!(self, Self::Completed | Self::Waived)
    }

    /// Still being worked on by fulfillment (not yet done, failed or cancelled).
    pub fn is_in_flight(self) -> bool {
        matches!(self, Self::Pending | Self::InProgress)
    }
}

/// Execution detail of an item (000 §10); never shown to customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FulfillmentState {
    NotStarted,
    WaitingForDependency,
    WaitingForExternalSystem,
    WaitingForAppointment,
    WaitingForManualAction,
    RetryScheduled,
    Compensating,
    Completed,
    Failed,
}

impl FulfillmentState {
    /// Progress states a fulfillment report may set directly; COMPLETED, FAILED and
    /// COMPENSATING are set only by the item transitions that mean them.
    pub fn is_reportable_progress(self) -> bool {
        !matches!(self, Self::Completed | Self::Failed | Self::Compensating)
    }
}
