//! The projections service: the read side of the OMS.
//!
//! It consumes every `oms.*` topic through the same idempotent inbox consumer as the other
//! services (per-partition order, dead letters) and keeps read models in its own database:
//! the order summary (header state, customer-facing status, items per state, holds, fallout,
//! milestones, totals), every order's timeline across all services in causal order, the
//! fallout queue with the operator actions that repair each case, stuck orders, throughput per
//! minute and every consumer group's lag. It serves them over a tenant-scoped JSON API
//! (OpenAPI generated from the handlers) and an operations dashboard, and produces nothing.
//!
//! The read model is a function of the events: `oms-projections rebuild` drops it and
//! replays every topic from the beginning, and the result is byte-identical (`oms-projections
//! dump`). ADR 0011 records the design.
//!
//! Module map: [`project`] (the inbox handlers), [`describe`] (what the timeline says about
//! each event type), [`store`] (SQL), [`causal`] (timeline order), [`actions`] (operator actions
//! per fallout case), [`stuck`] (what a stuck order waits for), [`lag`] (consumer lag),
//! [`rebuild`] (generations and the projector), [`changes`] (NOTIFY fan-out for live updates),
//! [`http`] (API and dashboard), [`config`], [`startup`] (`Application`).

pub mod actions;
pub mod causal;
pub mod changes;
pub mod config;
pub mod describe;
pub mod http;
pub mod lag;
pub mod project;
pub mod rebuild;
pub mod startup;
pub mod store;
pub mod stuck;

pub use config::{DashboardSettings, ProjectionSettings, Settings};
pub use startup::{Application, MIGRATOR};

/// Service name: dead-letter topic (`oms.projections.dlq.v1`), metrics label, default consumer.
pub const SERVICE: &str = "projections";

/// The topics the projection reads (contract names, without the environment prefix).
pub const CONSUMED_TOPICS: &[&str] = &[
    "oms.order.events.v1",
    "oms.decomposition.events.v1",
    "oms.fulfillment.events.v1",
    "oms.asset.events.v1",
];
