//! Response bodies: the capture answer (001 §10.1), the order (header, items, holds,
//! relations, fallout, customer-facing status), search summaries and the history.
//! Nested domain values (header, items, holds) are shown in the domain's own JSON form.

use oms_domain::Order;
use serde::Serialize;
use serde_json::Value;

use super::error::violation_json;
use crate::store::records::{CommandRecord, EventRecord, Transition};
use crate::store::wire;

/// Order-level execution progress, without leaking task detail.
fn fulfillment_state(order: &Order) -> &'static str {
    use oms_domain::lifecycle::OrderState as S;
    match order.state {
        S::Completed => "COMPLETED",
        S::Cancelled | S::FailedClosed | S::Rejected => "CLOSED",
        _ if order.fulfillment_started => "IN_PROGRESS",
        _ => "NOT_STARTED",
    }
}

fn links(order: &Order) -> Value {
    let this = format!("/api/v1/orders/{}", order.id);
    serde_json::json!({ "self": this, "history": format!("{this}/history") })
}

fn customer_status(order: &Order) -> Value {
    let status = order.customer_status();
    serde_json::json!({ "code": wire(&status), "label": status.label() })
}

/// The 201 body of a capture (also what a replay returns).
pub fn capture_response(order: &Order) -> Value {
    serde_json::json!({
        "orderId": order.id,
        "orderNumber": order.number,
        "state": wire(&order.state),
        "fulfillmentState": fulfillment_state(order),
        "captureMode": wire(&order.capture_mode),
        "customerStatus": customer_status(order),
        "version": order.version,
        "holds": order.holds,
        "warnings": order.violations.iter().map(violation_json).collect::<Vec<_>>(),
        "links": links(order),
    })
}

/// `GET /api/v1/orders/{id}`.
pub fn order_view(order: &Order) -> Value {
    let header = order.content.as_ref().map(|c| &c.header);
    serde_json::json!({
        "orderId": order.id,
        "orderNumber": order.number,
        "tenantId": order.tenant,
        "state": wire(&order.state),
        "fulfillmentState": fulfillment_state(order),
        "customerStatus": customer_status(order),
        "captureMode": wire(&order.capture_mode),
        "version": order.version,
        "correlationId": order.correlation_id,
        "header": header,
        "items": order.items(),
        "holds": order.holds,
        "relations": header.map(|h| h.relations.clone()).unwrap_or_default(),
        "violations": order.violations.iter().map(violation_json).collect::<Vec<_>>(),
        "fallout": order.fallout,
        "cancellation": order.cancellation,
        "amendment": order.amendment.as_ref().map(|a| serde_json::json!({
            "requestId": a.request_id,
            "reasonCode": a.reason_code,
            "requestedAt": a.requested_at,
            "requestedBy": a.requested_by,
            "replannedItemIds": a.replanned_item_ids,
        })),
        "releasedForDecomposition": order.released_for_decomposition,
        "decomposition": order.decomposition,
        "fulfillmentStarted": order.fulfillment_started,
        "fulfillmentSummary": order.fulfillment_summary(),
        "createdAt": order.created_at,
        "createdBy": order.created_by,
        "updatedAt": order.updated_at,
        "completedAt": order.completed_at,
        "closedAt": order.closed_at,
        "links": links(order),
    })
}

/// One row of `GET /api/v1/orders`.
pub fn order_summary(order: &Order) -> Value {
    let header = order.content.as_ref().map(|c| &c.header);
    let quote = header
        .and_then(|h| h.source.quote.as_ref())
        .map(|q| serde_json::json!({ "quoteId": q.quote_id, "revision": q.revision }));
    serde_json::json!({
        "orderId": order.id,
        "orderNumber": order.number,
        "state": wire(&order.state),
        "customerStatus": customer_status(order),
        "captureMode": wire(&order.capture_mode),
        "customerId": order.intake.customer.customer_id,
        "accountId": order.intake.customer.account_id,
        "externalOrderRef": header.and_then(|h| h.source.external_order_ref.clone()),
        "quote": quote,
        "version": order.version,
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
        "links": links(order),
    })
}

/// `GET /api/v1/orders/{id}/history`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    pub order_id: String,
    pub order_number: String,
    pub state: String,
    /// Every state change, oldest first.
    pub transitions: Vec<Transition>,
    /// Every decided command (automatic ones included), oldest first.
    pub commands: Vec<CommandRecord>,
    /// Every event published on the order topic, by version.
    pub events: Vec<EventRecord>,
}

/// The search answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageView {
    pub orders: Vec<Value>,
    pub page: PageInfo,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub limit: i64,
    pub offset: i64,
    pub total: i64,
}

/// The advisory validation answer (001 §10.2).
pub fn validation_view(report: &oms_domain::capture::ValidationReport) -> Value {
    serde_json::json!({
        "valid": report.is_valid(),
        "violations": report.violations.iter().map(violation_json).collect::<Vec<_>>(),
    })
}
