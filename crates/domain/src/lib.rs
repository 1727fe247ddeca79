//! Pure order-management domain: value types, the order aggregate, its state machines,
//! capture validation and the domain events. No IO of any kind: no clock, no random ids,
//! no database, broker or HTTP crate. Whatever a decision needs is passed in.
//!
//! The shape (CONVENTIONS §2):
//! - [`decide()`]`(state: Option<&Order>, command, &meta) -> Result<Vec<OrderEvent>, DomainError>`
//! - [`evolve()`]`(state: Option<Order>, &event) -> Option<Order>`
//! - [`validate_capture`] for the advisory validation endpoint.
//!
//! Module map: [`value`] (newtypes), [`vocab`] (shared enums), [`meta`] (actor and
//! transition metadata), [`order`] (aggregate), [`lifecycle`] (transition tables,
//! aggregation, customer status), [`capture`] (intake, rules, profiles, fingerprint),
//! [`command`], [`decide`](mod@decide), [`evolve`](mod@evolve), [`events`] (one enum per topic).

pub mod capture;
pub mod change;
pub mod command;
pub mod decide;
pub mod error;
pub mod events;
pub mod evolve;
pub mod lifecycle;
pub mod meta;
pub mod order;
pub mod value;
pub mod vocab;

pub use capture::{CaptureContext, CaptureOrder, request_fingerprint, validate_capture};
pub use command::{CaptureIds, IdSource, OrderCommand};
pub use decide::{decide, next_automatic_command};
pub use error::{DomainError, ValueError};
pub use events::{DomainEvent, OrderEvent};
pub use evolve::{evolve, replay};
pub use lifecycle::{OrderState, derive_header_state};
pub use meta::{Actor, TransitionMeta};
pub use order::Order;
