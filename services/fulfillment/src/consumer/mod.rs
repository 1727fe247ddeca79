//! The inbox handlers: plans from `oms.decomposition.events.v1` (`OrderDecomposed`) and
//! releases from `oms.order.events.v1` (`OrderReleasedForFulfillment`). They arrive on
//! different topics, so in either order; each handler stores its half under the order
//! row's lock and [`start::try_start`] starts the released plan once both halves are there.
//! A plan is never started without its release, so a hold placed before the release is
//! honoured by construction. Other event types on these topics are not fulfillment's
//! business and are acknowledged without effect.

mod plans;
mod releases;
pub mod start;

pub use plans::PlanHandler;
pub use releases::ReleaseHandler;

use crate::events::EventError;
use crate::flow::FlowError;
use crate::store::StoreError;
use oms_messaging::HandlerError;

/// Database trouble is transient (retried without skipping); a value the domain refuses, a
/// refused transition or a corrupt row is permanent (dead-lettered).
pub(crate) fn handler_error(error: FlowError) -> HandlerError {
    match error {
        FlowError::Store(store) | FlowError::Event(EventError::Store(store)) => store_error(store),
        FlowError::Event(EventError::Outbox(e)) => HandlerError::transient(e),
        FlowError::Event(e @ (EventError::Value(_) | EventError::UnknownItem(_))) => {
            HandlerError::permanent("EVENT_NOT_BUILDABLE", e.to_string())
        }
    }
}

pub(crate) fn store_error(error: StoreError) -> HandlerError {
    match error {
        StoreError::Database(e) => HandlerError::from(e),
        StoreError::Stale { .. } => HandlerError::transient(error),
        StoreError::Refused(_) | StoreError::Corrupt { .. } => {
            HandlerError::permanent("FULFILLMENT_STATE_INVALID", error.to_string())
        }
    }
}
