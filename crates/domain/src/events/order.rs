//! The order topic (`oms.order.events.v1`), written only by order-capture.

use serde::{Deserialize, Serialize};

use super::order_facts::{
    OrderAmendmentApplied, OrderAmendmentRejected, OrderAmendmentRequested,
    OrderCancellationAssessed, OrderCancellationCompleted, OrderCancellationRejected,
    OrderCancellationRequested, OrderCancelled, OrderCaptured, OrderCompleted,
    OrderDecompositionRecorded, OrderFailedClosed, OrderFalloutRaised, OrderFalloutRepaired,
    OrderHoldPlaced, OrderHoldReleased, OrderItemCancelled, OrderItemCompleted, OrderItemFailed,
    OrderItemProgressRecorded, OrderItemStarted, OrderItemWaived, OrderPartiallyCompleted,
    OrderRejected, OrderReleasedForDecomposition, OrderReleasedForFulfillment, OrderSubmitted,
    OrderValidated,
};
use crate::meta::TransitionMeta;
use crate::value::{OrderId, TenantId};

/// Common part of every order event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderEventBase {
    pub order_id: OrderId,
    pub tenant_id: TenantId,
    /// Aggregate version after this event (1 for the capture event); consumers use it to
    /// detect gaps and to ignore stale projections.
    pub order_version: u64,
    pub meta: TransitionMeta,
}

topic_events! {
    /// Every fact about an order. Billing consumes `OrderItemCompleted`, `OrderCompleted`
    /// and `OrderCancelled`; decomposition consumes `OrderReleasedForDecomposition`;
    /// fulfillment consumes `OrderReleasedForFulfillment` and the cancellation events.
    OrderEvent, topic = "oms.order.events.v1", aggregate = "Order", id = |b| b.order_id.to_string(),
    {
        OrderCaptured,
        OrderSubmitted,
        OrderValidated,
        OrderRejected,
        OrderReleasedForDecomposition,
        OrderDecompositionRecorded,
        OrderReleasedForFulfillment,
        OrderItemStarted,
        OrderItemProgressRecorded,
        OrderItemCompleted,
        OrderItemFailed,
        OrderItemWaived,
        OrderPartiallyCompleted,
        OrderFalloutRaised,
        OrderFalloutRepaired,
        OrderHoldPlaced,
        OrderHoldReleased,
        OrderCompleted,
        OrderCancellationRequested,
        OrderCancellationAssessed,
        OrderCancellationRejected,
        OrderCancelled,
        OrderFailedClosed,
        OrderItemCancelled,
        OrderCancellationCompleted,
        OrderAmendmentRequested,
        OrderAmendmentApplied,
        OrderAmendmentRejected,
    }
}

impl OrderEvent {
    pub fn base(&self) -> &OrderEventBase {
        match self {
            Self::OrderCaptured(e) => &e.base,
            Self::OrderSubmitted(e) => &e.base,
            Self::OrderValidated(e) => &e.base,
            Self::OrderRejected(e) => &e.base,
            Self::OrderReleasedForDecomposition(e) => &e.base,
            Self::OrderDecompositionRecorded(e) => &e.base,
            Self::OrderReleasedForFulfillment(e) => &e.base,
            Self::OrderItemStarted(e) => &e.base,
            Self::OrderItemProgressRecorded(e) => &e.base,
            Self::OrderItemCompleted(e) => &e.base,
            Self::OrderItemFailed(e) => &e.base,
            Self::OrderItemWaived(e) => &e.base,
            Self::OrderPartiallyCompleted(e) => &e.base,
            Self::OrderFalloutRaised(e) => &e.base,
            Self::OrderFalloutRepaired(e) => &e.base,
            Self::OrderHoldPlaced(e) => &e.base,
            Self::OrderHoldReleased(e) => &e.base,
            Self::OrderCompleted(e) => &e.base,
            Self::OrderCancellationRequested(e) => &e.base,
            Self::OrderCancellationAssessed(e) => &e.base,
            Self::OrderCancellationRejected(e) => &e.base,
            Self::OrderCancelled(e) => &e.base,
            Self::OrderFailedClosed(e) => &e.base,
            Self::OrderItemCancelled(e) => &e.base,
            Self::OrderCancellationCompleted(e) => &e.base,
            Self::OrderAmendmentRequested(e) => &e.base,
            Self::OrderAmendmentApplied(e) => &e.base,
            Self::OrderAmendmentRejected(e) => &e.base,
        }
    }

    pub fn order_id(&self) -> OrderId {
        self.base().order_id
    }
}
