//! The fulfillment service (ARCHITECTURE §1): executes the fulfillment plans decomposition
//! produces, once order-capture releases an order, against the downstream systems.
//!
//! Module map:
//! - [`model`]: the task state machine (transition table), target systems, retry schedule,
//!   derived keys and ids; no IO;
//! - [`store`]: repositories over the service's tables (callers own the transaction);
//! - [`consumer`]: inbox handlers storing plans and releases and starting plans;
//! - [`engine`]: claims, dispatches and recovers tasks (ADR 0007);
//! - [`flow`]: what follows a transition: facts, item results, promotions, callbacks;
//! - [`downstream`]: the `DownstreamSystem` seam; [`sim`]: the five in-process simulators;
//! - [`operator`]: audited retry / manual completion / waiver;
//! - [`http`], [`views`]: the API; [`events`]: the facts on `oms.fulfillment.events.v1`;
//! - [`config`], [`startup`]: configuration and the `Application`.

pub mod change;
pub mod config;
pub mod consumer;
pub mod downstream;
pub mod engine;
pub mod events;
pub mod flow;
pub mod http;
pub mod model;
pub mod operator;
pub mod sim;
pub mod startup;
pub mod store;
pub mod views;

pub use config::Settings;
pub use startup::{Application, MIGRATOR};
