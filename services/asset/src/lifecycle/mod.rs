//! The asset state machine: pure, no IO. [`rule`] is the explicit transition table (item
//! action x asset status), [`decide`] applies one fulfilled item to one asset and returns the
//! asset event to emit or an [`Inconsistency`] with a stable [`InconsistencyCode`].
//!
//! Statuses: an ADD creates an ACTIVE asset; SUSPEND/RESUME move between ACTIVE and SUSPENDED;
//! DELETE ends in TERMINATED, from which nothing moves. PENDING is part of the shared vocabulary
//! (an asset waiting for activation) but this service never creates one; the table still
//! covers it.

mod decide;
mod revert;
mod table;
mod term;

pub use decide::{Decision, Inconsistency, decide};
pub use revert::reverted;
pub use table::{InconsistencyCode, Rule, expected_status, rule};
pub use term::{renewal_start, term_end};

#[cfg(test)]
mod tests;
