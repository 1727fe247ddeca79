//! Order and item lifecycles (DOMAIN §4) as data: state enums, explicit transition tables,
//! the header-state aggregation rule and the customer-facing projection.
//!
//! The tables are the single source of truth for which (state, trigger) pairs are legal;
//! `decide` consults them before any guard, and the tests iterate them (allowed rows and
//! every pair that is not a row).

mod aggregation;
mod customer_status;
mod item_table;
mod order_table;
mod states;

pub use aggregation::{derive_header_state, is_fulfillment_phase};
pub use customer_status::{CustomerStatus, customer_status};
pub use item_table::{ITEM_TRANSITIONS, ItemTrigger, can_transition_item, item_targets};
pub use order_table::{ORDER_TRANSITIONS, OrderTrigger, can_transition, order_targets};
pub use states::{FulfillmentState, ItemState, OrderState};
