//! Decomposition service: turns a released product order into a deterministic fulfillment
//! plan, using a versioned technical catalog (DOMAIN §6-7, 000 §11-12, 002 §16).
//!
//! The pure heart, with no IO: [`catalog`] (rules, loading and validating a catalog file) and
//! [`planner`] (readiness checks, the plan builder, classified failures, and the
//! re-decomposition diff), with [`canonical`] hashing.
//!
//! The service around it:
//! - [`publish`]: validating and recording catalog versions (start-up files and the operator
//!   API), immutable and ordered; [`registry`]: the active version, loaded and verified;
//! - [`consumer`] and [`release`]: `OrderReleasedForDecomposition` from
//!   `oms.order.events.v1` becomes a stored plan and `OrderDecomposed`, or a stored failure
//!   and `OrderDecompositionFailed`, once per order;
//! - [`store`] (SQL), [`http`] (plans and catalog API), [`metrics`], [`config`],
//!   [`startup`] (`Application`).

pub mod amend;
pub mod canonical;
pub mod catalog;
pub mod config;
pub mod consumer;
mod graph;
pub mod http;
pub mod metrics;
pub mod planner;
pub mod publish;
pub mod registry;
pub mod release;
pub mod startup;
pub mod store;

pub use config::{DecompositionSettings, Settings};
pub use startup::{Application, MIGRATOR};

/// Service name: relay, consumer group and inbox consumer, dead-letter topic
/// (`oms.decomposition.dlq.v1`), actor of the events it publishes.
pub const SERVICE: &str = "decomposition";
