//! The asset service: the customer's installed base.
//!
//! It consumes `OrderItemFulfilled` from `oms.fulfillment.events.v1` and applies each item to
//! the asset it names: ADD creates an asset, MODIFY changes its configuration, DELETE
//! terminates it, SUSPEND/RESUME, MOVE changes its service address, RENEW extends its term,
//! NO_CHANGE does nothing. Every change is written with an append-only history row and
//! published on `oms.asset.events.v1` (keyed by asset id, naming the causing order item). A
//! change the asset cannot take is never applied and never dropped: it becomes an
//! inconsistency case and an `AssetInconsistencyDetected` event. Each order item is applied at
//! most once, whatever consumer group or event id it arrives with.
//!
//! Module map: [`lifecycle`] (pure state machine: transition table and `decide`), [`model`]
//! (asset state, fulfilled change), [`apply`] (one item in one transaction), [`consumer`]
//! (the Kafka handler), [`store`] (SQL), [`http`] (tenant-scoped API), [`config`],
//! [`startup`] (`Application`).

pub mod apply;
pub mod config;
pub mod consumer;
pub mod http;
pub mod lifecycle;
pub mod model;
pub mod revert;
pub mod startup;
pub mod store;

pub use config::{AssetSettings, Settings};
pub use startup::{Application, MIGRATOR};

/// Service name: relay, dead-letter topic (`oms.asset.dlq.v1`), default consumer, actor.
pub const SERVICE: &str = "asset";
