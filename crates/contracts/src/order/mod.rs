//! `oms.order.events.v1` (namespace `com.example.oms.order.v1`): every fact about an order,
//! written only by order-capture, keyed by order id.
//!
//! Consumers: decomposition (`OrderReleasedForDecomposition`), fulfillment
//! (`OrderReleasedForFulfillment`, cancellation events), asset, projections, and billing
//! (`OrderItemCompleted`, `OrderCompleted`, `OrderCancelled`).
//!
//! - [`OrderEventV1`]: the family (one variant per record schema);
//! - `From<&OrderEvent> for OrderEventV1` (order-capture's outbox; mints the event id);
//! - `TryFrom<&OrderEventV1> for OrderEvent` (consumers; [`crate::MappingError`] on invalid values).

mod content;
mod content_map;
mod enums;
mod events;
mod intake;
mod parts;
mod to_contract;
mod to_domain;

pub use content::{
    CommercialSnapshot, Configuration, ItemDependency, KindTotal, MigrationEvidence, OrderContent,
    OrderDates, OrderHeader, OrderItem, OrderRelation, OrderSource, PartyRoles, QuoteReference,
};
pub use enums::{
    CaptureMode, DependencyType, FalloutCategory, FulfillmentState, HoldType, ItemState,
    OrderIntent, OrderState, OrderType, RelationType, Severity,
};
pub use events::*;
pub use intake::{
    CaptureIntake, CaptureItemIntake, CustomerIntake, DependencyIntake, MigrationIntake,
    PriceComponentIntake, QuoteIntake, RelationIntake,
};
pub use parts::{FalloutCase, HoldRelease, ItemTaskCount, OrderHold, Violation};
pub(crate) use to_contract::task_counts as task_counts_of;
pub(crate) use to_domain::task_counts as task_counts_from;

oms_messaging::event_family! {
    /// Every record of `oms.order.events.v1`.
    pub enum OrderEventV1 in "oms.order.events.v1" {
        OrderCaptured(OrderCaptured) = "com.example.oms.order.v1.OrderCaptured",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCaptured.avsc");
        OrderSubmitted(OrderSubmitted) = "com.example.oms.order.v1.OrderSubmitted",
            include_str!("../../../../schemas/oms.order.events.v1/OrderSubmitted.avsc");
        OrderValidated(OrderValidated) = "com.example.oms.order.v1.OrderValidated",
            include_str!("../../../../schemas/oms.order.events.v1/OrderValidated.avsc");
        OrderRejected(OrderRejected) = "com.example.oms.order.v1.OrderRejected",
            include_str!("../../../../schemas/oms.order.events.v1/OrderRejected.avsc");
        OrderReleasedForDecomposition(OrderReleasedForDecomposition) = "com.example.oms.order.v1.OrderReleasedForDecomposition",
            include_str!("../../../../schemas/oms.order.events.v1/OrderReleasedForDecomposition.avsc");
        OrderDecompositionRecorded(OrderDecompositionRecorded) = "com.example.oms.order.v1.OrderDecompositionRecorded",
            include_str!("../../../../schemas/oms.order.events.v1/OrderDecompositionRecorded.avsc");
        OrderReleasedForFulfillment(OrderReleasedForFulfillment) = "com.example.oms.order.v1.OrderReleasedForFulfillment",
            include_str!("../../../../schemas/oms.order.events.v1/OrderReleasedForFulfillment.avsc");
        OrderItemStarted(OrderItemStarted) = "com.example.oms.order.v1.OrderItemStarted",
            include_str!("../../../../schemas/oms.order.events.v1/OrderItemStarted.avsc");
        OrderItemProgressRecorded(OrderItemProgressRecorded) = "com.example.oms.order.v1.OrderItemProgressRecorded",
            include_str!("../../../../schemas/oms.order.events.v1/OrderItemProgressRecorded.avsc");
        OrderItemCompleted(OrderItemCompleted) = "com.example.oms.order.v1.OrderItemCompleted",
            include_str!("../../../../schemas/oms.order.events.v1/OrderItemCompleted.avsc");
        OrderItemFailed(OrderItemFailed) = "com.example.oms.order.v1.OrderItemFailed",
            include_str!("../../../../schemas/oms.order.events.v1/OrderItemFailed.avsc");
        OrderItemWaived(OrderItemWaived) = "com.example.oms.order.v1.OrderItemWaived",
            include_str!("../../../../schemas/oms.order.events.v1/OrderItemWaived.avsc");
        OrderPartiallyCompleted(OrderPartiallyCompleted) = "com.example.oms.order.v1.OrderPartiallyCompleted",
            include_str!("../../../../schemas/oms.order.events.v1/OrderPartiallyCompleted.avsc");
        OrderFalloutRaised(OrderFalloutRaised) = "com.example.oms.order.v1.OrderFalloutRaised",
            include_str!("../../../../schemas/oms.order.events.v1/OrderFalloutRaised.avsc");
        OrderFalloutRepaired(OrderFalloutRepaired) = "com.example.oms.order.v1.OrderFalloutRepaired",
            include_str!("../../../../schemas/oms.order.events.v1/OrderFalloutRepaired.avsc");
        OrderHoldPlaced(OrderHoldPlaced) = "com.example.oms.order.v1.OrderHoldPlaced",
            include_str!("../../../../schemas/oms.order.events.v1/OrderHoldPlaced.avsc");
        OrderHoldReleased(OrderHoldReleased) = "com.example.oms.order.v1.OrderHoldReleased",
            include_str!("../../../../schemas/oms.order.events.v1/OrderHoldReleased.avsc");
        OrderCompleted(OrderCompleted) = "com.example.oms.order.v1.OrderCompleted",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCompleted.avsc");
        OrderCancellationRequested(OrderCancellationRequested) = "com.example.oms.order.v1.OrderCancellationRequested",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCancellationRequested.avsc");
        OrderCancellationAssessed(OrderCancellationAssessed) = "com.example.oms.order.v1.OrderCancellationAssessed",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCancellationAssessed.avsc");
        OrderCancellationRejected(OrderCancellationRejected) = "com.example.oms.order.v1.OrderCancellationRejected",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCancellationRejected.avsc");
        OrderCancelled(OrderCancelled) = "com.example.oms.order.v1.OrderCancelled",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCancelled.avsc");
        OrderFailedClosed(OrderFailedClosed) = "com.example.oms.order.v1.OrderFailedClosed",
            include_str!("../../../../schemas/oms.order.events.v1/OrderFailedClosed.avsc");
        OrderItemCancelled(OrderItemCancelled) = "com.example.oms.order.v1.OrderItemCancelled",
            include_str!("../../../../schemas/oms.order.events.v1/OrderItemCancelled.avsc");
        OrderCancellationCompleted(OrderCancellationCompleted) = "com.example.oms.order.v1.OrderCancellationCompleted",
            include_str!("../../../../schemas/oms.order.events.v1/OrderCancellationCompleted.avsc");
        OrderAmendmentRequested(OrderAmendmentRequested) = "com.example.oms.order.v1.OrderAmendmentRequested",
            include_str!("../../../../schemas/oms.order.events.v1/OrderAmendmentRequested.avsc");
        OrderAmendmentApplied(OrderAmendmentApplied) = "com.example.oms.order.v1.OrderAmendmentApplied",
            include_str!("../../../../schemas/oms.order.events.v1/OrderAmendmentApplied.avsc");
        OrderAmendmentRejected(OrderAmendmentRejected) = "com.example.oms.order.v1.OrderAmendmentRejected",
            include_str!("../../../../schemas/oms.order.events.v1/OrderAmendmentRejected.avsc");
    }
}
