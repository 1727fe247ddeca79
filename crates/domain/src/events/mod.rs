//! Domain events: past-tense, versioned facts, one struct per fact in ARCHITECTURE.md and
//! one enum per topic. Plain Rust types (the Avro mapping lives in the messaging crate).
//!
//! Envelope rules: the event id (UUID v7) is assigned by the messaging layer when the
//! event is appended to the outbox, not here. Everything else the envelope needs is here:
//! [`DomainEvent::event_type`], [`DomainEvent::event_version`], aggregate type and id,
//! tenant, and the [`TransitionMeta`] (occurredAt, actor, reason, correlation/causation).
//! Enums serialise as `{"eventType": "...", "payload": {...}}`.

use serde::{Deserialize, Serialize};

use crate::meta::TransitionMeta;
use crate::value::{OrderId, TenantId};

/// What the outbox and the envelope need from every event.
pub trait DomainEvent {
    /// Past-tense type name, e.g. `OrderCaptured`.
    fn event_type(&self) -> &'static str;
    fn event_version(&self) -> u16;
    /// `Order` or `Asset`: decides the partition key (the aggregate id).
    fn aggregate_type(&self) -> &'static str;
    fn aggregate_id(&self) -> String;
    fn tenant_id(&self) -> &TenantId;
    fn meta(&self) -> &TransitionMeta;
}

/// Base of facts other services report about an order (decomposition and fulfillment
/// topics); keyed by order id so they stay ordered with the order's own events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFactBase {
    pub order_id: OrderId,
    pub tenant_id: TenantId,
    pub meta: TransitionMeta,
}

/// Generates a topic enum over event structs that have a `base` field, with `From`
/// conversions and the [`DomainEvent`] implementation.
macro_rules! topic_events {
    (
        $(#[$doc:meta])*
        $name:ident, topic = $topic:literal, aggregate = $agg:literal, id = |$b:ident| $id:expr,
        { $( $variant:ident ),* $(,)? }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "eventType", content = "payload")]
        pub enum $name { $( $variant($variant), )* }

        impl $name {
            pub const TOPIC: &'static str = $topic;
            /// Every event type of the topic, for schema and codec coverage tests.
            pub const EVENT_TYPES: &'static [&'static str] = &[ $( stringify!($variant), )* ];
        }

        $( impl From<$variant> for $name {
            fn from(e: $variant) -> Self { Self::$variant(e) }
        } )*

        impl $crate::events::DomainEvent for $name {
            fn event_type(&self) -> &'static str {
                match self { $( Self::$variant(_) => stringify!($variant), )* }
            }
            fn event_version(&self) -> u16 { 1 }
            fn aggregate_type(&self) -> &'static str { $agg }
            fn aggregate_id(&self) -> String {
                match self { $( Self::$variant(e) => { let $b = &e.base; $id } )* }
            }
            fn tenant_id(&self) -> &$crate::value::TenantId {
                match self { $( Self::$variant(e) => &e.base.tenant_id, )* }
            }
            fn meta(&self) -> &$crate::meta::TransitionMeta {
                match self { $( Self::$variant(e) => &e.base.meta, )* }
            }
        }
    };
}

mod asset;
mod decomposition;
mod fulfillment;
mod order;
mod order_facts;
mod to_commands;

pub use asset::{
    AssetCreated, AssetEvent, AssetEventBase, AssetInconsistencyDetected, AssetModified,
    AssetMoved, AssetRenewed, AssetResumed, AssetReverted, AssetSuspended, AssetTerminated,
    InstalledAsset,
};
pub use decomposition::{
    DecompositionEvent, FulfillmentPlan, OrderDecomposed, OrderDecompositionFailed,
    OrderRedecomposed, OrderRedecompositionFailed, PlannedTask,
};
pub use fulfillment::{
    AssessedTask, CancellationAssessmentCompleted, CompensationCompleted, FalloutRaised,
    FalloutResolved, FulfilledItem, FulfillmentEvent, FulfillmentItemWaived, FulfillmentTaskFailed,
    FulfillmentTaskStarted, FulfillmentTaskSucceeded, OrderItemCompensated, OrderItemFulfilled,
    PlanAmendmentApplied, PlanAmendmentRefused,
};
pub use order::{OrderEvent, OrderEventBase};
pub use order_facts::{
    AmendmentChangeSummary, OrderAmendmentApplied, OrderAmendmentRejected, OrderAmendmentRequested,
    OrderCancellationAssessed, OrderCancellationCompleted, OrderCancellationRejected,
    OrderCancellationRequested, OrderCancelled, OrderCaptured, OrderCompleted,
    OrderDecompositionRecorded, OrderFailedClosed, OrderFalloutRaised, OrderFalloutRepaired,
    OrderHoldPlaced, OrderHoldReleased, OrderItemCancelled, OrderItemCompleted, OrderItemFailed,
    OrderItemProgressRecorded, OrderItemStarted, OrderItemWaived, OrderPartiallyCompleted,
    OrderRejected, OrderReleasedForDecomposition, OrderReleasedForFulfillment, OrderSubmitted,
    OrderValidated,
};
pub use to_commands::ASSET_INCONSISTENCY_CODE;
