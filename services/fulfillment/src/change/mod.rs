//! Changes of an order in flight (ADR 0008), fulfillment's part:
//!
//! - [`cancel`]: a cancellation request pauses the order, is assessed against the locked
//!   task rows once no call of its scope is in flight, and, once order-capture recorded the
//!   decision, its durable compensation plan runs through the engine in reverse dependency
//!   order; items whose work is undone are reported, and the plan's end;
//! - [`amend`]: an amendment that needs a re-plan pauses the order until decomposition's
//!   plan arrives, which is applied to the running plan (replace pending tasks) or refused
//!   when a task it would replace has started;
//! - [`view`]: the execution view the domain's rules take, from the task rows.
//!
//! Every step runs in the transaction of the consumed event or of the recorded task outcome,
//! holding the order row's lock; the rules themselves are `oms_domain::change`.

pub mod amend;
pub mod cancel;
pub mod view;

use crate::events::FactMeta;
use oms_domain::meta::Actor;

/// The meta of facts caused by a consumed event.
pub fn caused_by(correlation_id: &str, event_id: uuid::Uuid) -> FactMeta {
    FactMeta {
        actor: Actor::service("fulfillment"),
        reason: None,
        correlation_id: correlation_id.to_owned(),
        causation_id: Some(event_id.to_string()),
    }
}
