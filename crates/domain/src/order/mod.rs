//! The order aggregate (DOMAIN §2): header, items with hierarchy and dependencies,
//! product/configuration/price snapshots, holds and relations.
//!
//! The aggregate's fields are public data (services persist it as JSONB); every change
//! after capture goes through `decide`/`evolve`, which keep the lifecycle invariants.

mod aggregate;
pub mod graph;
mod header;
mod hold;
mod item;
mod snapshot;

pub use aggregate::{
    AmendmentRecord, CancellationAssessment, CancellationRecord, DecompositionRecord, FalloutCase,
    FalloutRecord, FulfillmentSummary, Order, OrderContent,
};
pub use header::{
    CommercialSnapshot, MigrationEvidence, OrderDates, OrderHeader, OrderRelation, OrderSource,
    PartyRoles, QuoteReference, ServiceAddress,
};
pub use hold::{HoldRelease, OrderHold};
pub use item::{ItemDependency, OrderItem};
pub use snapshot::{ConfigurationSnapshot, PriceComponent, PriceSnapshot, ProductSnapshot};
