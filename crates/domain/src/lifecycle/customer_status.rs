//! Customer-facing status (002 §14): a projection of header state and holds. Internal task
//! and fulfillment states never leak into it; neither do fallout or fraud/legal holds.
//!
//! | order state | customer status |
//! |---|---|
//! | DRAFT, SUBMITTED | Received |
//! | VALIDATED .. PARTIALLY_COMPLETED, FALLOUT, CANCELLATION_REQUESTED, CANCELLING | Processing, or Action required while a hold the customer can clear (CREDIT, DOCUMENT) is active |
//! | COMPLETED | Completed |
//! | CANCELLED, FAILED_CLOSED | Cancelled (a business-closed order is, to the customer, not going ahead) |
//! | REJECTED | Rejected |

use serde::{Deserialize, Serialize};

use super::OrderState;
use crate::order::OrderHold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CustomerStatus {
    Received,
    Processing,
    ActionRequired,
    Completed,
    Cancelled,
    Rejected,
}

impl CustomerStatus {
    /// The wording shown to customers.
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Processing => "Processing",
            Self::ActionRequired => "Action required",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
            Self::Rejected => "Rejected",
        }
    }
}

pub fn customer_status(state: OrderState, holds: &[OrderHold]) -> CustomerStatus {
    match state {
        OrderState::Completed => CustomerStatus::Completed,
        OrderState::Cancelled | OrderState::FailedClosed => CustomerStatus::Cancelled,
        OrderState::Rejected => CustomerStatus::Rejected,
        _ if holds
            .iter()
            .any(|h| h.is_active() && h.hold_type.needs_customer_action()) =>
        {
            CustomerStatus::ActionRequired
        }
        OrderState::Draft | OrderState::Submitted => CustomerStatus::Received,
        OrderState::Validated
        | OrderState::Decomposed
        | OrderState::InProgress
        | OrderState::PartiallyCompleted
        | OrderState::Fallout
        | OrderState::CancellationRequested
        | OrderState::Cancelling => CustomerStatus::Processing,
    }
}
