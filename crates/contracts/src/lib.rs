//! The OMS event contracts (ARCHITECTURE §2, ADR 0002): the Rust side of every Avro schema
//! in `schemas/`, and the only place that maps between domain events and wire records, so
//! services never hand-build a contract.
//!
//! | topic | family | produced from | consumed into |
//! |---|---|---|---|
//! | `oms.order.events.v1` | [`OrderEventV1`] | `&OrderEvent` | `OrderEvent` |
//! | `oms.decomposition.events.v1` | [`DecompositionEventV1`] | `&DecompositionEvent` | `DecompositionEvent` |
//! | `oms.fulfillment.events.v1` | [`FulfillmentEventV1`] | `&FulfillmentEvent` | `FulfillmentEvent` |
//! | `oms.asset.events.v1` | [`AssetEventV1`] | `&AssetEvent` | `AssetEvent` |
//! | `cpq.quote.events.v1` | [`QuoteEventV1`] | (CPQ) | `CaptureOrder` |
//!
//! - Domain -> contract is `From` (infallible) and mints a fresh event id in the envelope:
//!   convert once per fact and store the result in the outbox.
//! - Contract -> domain is `TryFrom` and re-validates every value through the domain's
//!   `parse`; a [`MappingError`] (stable [`MappingError::code`]) is a permanent failure the
//!   consumer dead-letters.
//! - [`catalog`] renders `docs/event-catalog.md` from the schemas.
//!
//! Module map: [`common`] (envelope/meta, shared records and enums), [`order`],
//! [`decomposition`], [`fulfillment`], [`asset`], [`quote`], [`error`], [`wire`]
//! (enum macro, UUID lists), [`catalog`].

pub mod asset;
pub mod catalog;
pub mod common;
pub mod decomposition;
pub mod error;
pub mod fulfillment;
pub mod order;
pub mod quote;
pub mod wire;

pub use asset::AssetEventV1;
pub use common::envelope_of;
pub use decomposition::DecompositionEventV1;
pub use error::MappingError;
pub use fulfillment::FulfillmentEventV1;
pub use order::OrderEventV1;
pub use quote::{QuoteAcceptedEvent, QuoteEventV1};
