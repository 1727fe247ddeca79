//! Domain tests, one binary (fast to link on a small machine): given/when/then over
//! `decide`/`evolve`, the transition tables, invariants, capture rules, and proptests.

mod support;

mod cancellation;
mod capture_flow;
mod capture_rules;
mod change_orders;
mod events;
mod invariants;
mod item_table;
mod order_table;
mod properties;
