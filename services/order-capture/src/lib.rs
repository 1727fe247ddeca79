//! Order capture: the validation gateway and the single writer of order state.
//!
//! It turns commercial intent into durable, validated product orders and owns their
//! lifecycle (DOMAIN.md §2-5, §9). Every decision is the domain crate's (`decide`,
//! `next_automatic_command`, `validate_capture`); every event goes through the messaging
//! crate's outbox in the same transaction as the state it describes.
//!
//! Module map:
//! - [`config`]: the service's own configuration keys next to the shared sections;
//! - [`store`]: PostgreSQL repositories (orders, items, history, audit, idempotency,
//!   validation log, asset snapshot); constraint violations mapped by name;
//! - [`app`]: use cases: capture (API and QuoteAccepted), commands on an order with the
//!   automatic follow-ups, facts of other services, queries;
//! - [`consumers`]: the inbox handlers of the four consumed topics;
//! - [`http`]: the REST API, problem+json errors and the OpenAPI document;
//! - [`startup`]: [`Application`], wiring everything into one `TaskSet`;
//! - [`metrics`]: the service's Prometheus series.

pub mod app;
pub mod config;
pub mod consumers;
pub mod http;
pub mod metrics;
pub mod startup;
pub mod store;

pub use config::{ServiceSettings, load_config};
pub use startup::Application;

/// Service name: consumer group, inbox consumer, relay lock namespace, metrics label.
pub const SERVICE: &str = "order-capture";

/// Migrations of the service's database (`migrations/order-capture`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/order-capture");
