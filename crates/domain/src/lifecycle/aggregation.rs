//! Header state derived from item states (DOMAIN §4, 002 §8.1).
//!
//! Once fulfillment has started, the header is never set by hand: every item fact is
//! followed by this derivation, and the proptests check that the stored state always
//! equals it. Precedence, first match wins:
//!
//! A CANCELLED item is no longer executable (002 §8.2: "Completed: all *executable* items
//! reached success"), so the rules look at the other items:
//!
//! 1. an open fallout case or any FAILED item → FALLOUT. This is checked before
//!    completion on purpose: an open incident must not silently disappear (000 §17.5),
//!    even if it concerns an order-level task while all items look done;
//! 2. every item CANCELLED → CANCELLED;
//! 3. all executable items terminal-success (COMPLETED or WAIVED) → COMPLETED (a partial
//!    cancellation completes with the rest);
//! 4. any item CANCELLING → CANCELLING;
//! 5. some items terminal-success, the rest in flight → PARTIALLY_COMPLETED;
//! 6. otherwise → IN_PROGRESS.
//!
//! Workflow completion alone never completes an order: only item states do.

use super::{ItemState, OrderState};

pub fn derive_header_state(items: &[ItemState], has_open_fallout: bool) -> OrderState {
    let executable: Vec<ItemState> = items
        .iter()
        .copied()
        .filter(|s| *s != ItemState::Cancelled)
        .collect();
    let any = |pred: fn(ItemState) -> bool| executable.iter().any(|s| pred(*s));
    let all =
        |pred: fn(ItemState) -> bool| !executable.is_empty() && executable.iter().all(|s| pred(*s));

    if has_open_fallout || any(|s| s == ItemState::Failed) {
        OrderState::Fallout
    } else if executable.is_empty() && !items.is_empty() {
        OrderState::Cancelled
    } else if all(ItemState::is_terminal_success) {
        OrderState::Completed
    } else if any(|s| s == ItemState::Cancelling) {
        OrderState::Cancelling
    } else if any(ItemState::is_terminal_success) {
        OrderState::PartiallyCompleted
    } else {
        OrderState::InProgress
    }
}

/// States whose value is owned by [`derive_header_state`] once fulfillment has started.
pub fn is_fulfillment_phase(state: OrderState) -> bool {
    matches!(
        state,
        OrderState::InProgress
            | OrderState::PartiallyCompleted
            | OrderState::Fallout
            | OrderState::Completed
            | OrderState::Cancelling
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ItemState::{Cancelled, Cancelling, Completed, Failed, InProgress, Pending, Waived};

    #[test]
    fn aggregation_rules_in_precedence_order() {
        assert_eq!(
            derive_header_state(&[Completed, Waived], false),
            OrderState::Completed
        );
        assert_eq!(
            derive_header_state(&[Completed, Waived], true),
            OrderState::Fallout
        );
        assert_eq!(
            derive_header_state(&[Completed, Failed], false),
            OrderState::Fallout
        );
        assert_eq!(
            derive_header_state(&[Cancelling, InProgress], false),
            OrderState::Cancelling
        );
        // a cancelled item is not executable: the rest decides
        assert_eq!(
            derive_header_state(&[Cancelled, Completed], false),
            OrderState::Completed
        );
        assert_eq!(
            derive_header_state(&[Cancelled, Cancelled], false),
            OrderState::Cancelled
        );
        assert_eq!(
            derive_header_state(&[Cancelled, Cancelling, Completed], false),
            OrderState::Cancelling
        );
        assert_eq!(
            derive_header_state(&[Cancelled, InProgress], false),
            OrderState::InProgress
        );
        assert_eq!(
            derive_header_state(&[Completed, Pending], false),
            OrderState::PartiallyCompleted
        );
        assert_eq!(
            derive_header_state(&[Pending, InProgress], false),
            OrderState::InProgress
        );
        assert_eq!(derive_header_state(&[], false), OrderState::InProgress);
    }

    #[test]
    fn table_example_of_002_section_8_1_is_in_progress_not_completed() {
        // Internet access completed, router in progress, static IP pending external.
        assert_eq!(
            derive_header_state(&[Completed, InProgress, Pending], false),
            OrderState::PartiallyCompleted
        );
        assert_ne!(
            derive_header_state(&[Completed, InProgress], false),
            OrderState::Completed
        );
    }
}
