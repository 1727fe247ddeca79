//! Response bodies: the capture answer (001 §10.1), the order (header, items, holds,
//! relations, fallout, customer-facing status), search summaries and the history.
//! Nested domain values (header, items, holds) are shown in the domain's own JSON form.

use chrono::{DateTime, Utc};
use oms_domain::order::{
    CancellationRecord, DecompositionRecord, FalloutRecord, FulfillmentSummary, OrderHeader,
    OrderHold, OrderItem, OrderRelation,
};
use oms_domain::value::{
    AmendmentRequestId, CorrelationId, ExternalOrderRef, OrderId, OrderItemId, OrderNumber,
    QuoteId, ReasonCode, TenantId,
};
use oms_domain::{Actor, Order};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

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

fn links(order: &Order) -> Links {
    let this = format!("/api/v1/orders/{}", order.id);
    Links {
        history: format!("{this}/history"),
        this,
    }
}

fn customer_status(order: &Order) -> CustomerStatusView {
    let status = order.customer_status();
    CustomerStatusView {
        code: wire(&status),
        label: status.label(),
    }
}

fn to_json(view: &impl Serialize) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

/// Where an order and its history are.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    #[schema(example = "/api/v1/orders/0193a5e2-7c1d-7b7e-8f00-3d2c1b0a9f88")]
    pub this: String,
    pub history: String,
}

/// The customer-facing status: a code and its label.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerStatusView {
    #[schema(example = "PROCESSING")]
    pub code: String,
    #[schema(example = "Processing")]
    pub label: &'static str,
}

/// The 201 body of a capture (also what a replay returns).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaptureView<'a> {
    #[schema(value_type = String, format = Uuid)]
    pub order_id: OrderId,
    #[schema(value_type = String, example = "O-2026-00000421")]
    pub order_number: &'a OrderNumber,
    #[schema(example = "VALIDATED")]
    pub state: String,
    /// NOT_STARTED, IN_PROGRESS, COMPLETED or CLOSED.
    pub fulfillment_state: &'static str,
    #[schema(example = "DIRECT_ORDER")]
    pub capture_mode: String,
    pub customer_status: CustomerStatusView,
    pub version: u64,
    /// Holds on the order (type, reason, who placed it, when).
    #[schema(value_type = Vec<Object>)]
    pub holds: &'a [OrderHold],
    /// Violations of WARNING severity (code, field, message, remediation).
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Value>,
    pub links: Links,
}

/// The 201 body of a capture, as stored for replays.
pub fn capture_response(order: &Order) -> Value {
    to_json(&CaptureView {
        order_id: order.id,
        order_number: &order.number,
        state: wire(&order.state),
        fulfillment_state: fulfillment_state(order),
        capture_mode: wire(&order.capture_mode),
        customer_status: customer_status(order),
        version: order.version,
        holds: &order.holds,
        warnings: order.violations.iter().map(violation_json).collect(),
        links: links(order),
    })
}

/// The amendment an order is under.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentView<'a> {
    #[schema(value_type = String, format = Uuid)]
    pub request_id: &'a AmendmentRequestId,
    #[schema(value_type = String)]
    pub reason_code: &'a ReasonCode,
    pub requested_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub requested_by: &'a Actor,
    #[schema(value_type = Vec<String>)]
    pub replanned_item_ids: &'a [OrderItemId],
}

/// `GET /api/v1/orders/{orderId}`: the order. Nested domain values (header, items, holds,
/// relations, fallout, cancellation, decomposition) are shown in the domain's own JSON form.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView<'a> {
    #[schema(value_type = String, format = Uuid)]
    pub order_id: OrderId,
    #[schema(value_type = String, example = "O-2026-00000421")]
    pub order_number: &'a OrderNumber,
    #[schema(value_type = String, example = "acme")]
    pub tenant_id: &'a TenantId,
    #[schema(example = "IN_PROGRESS")]
    pub state: String,
    /// NOT_STARTED, IN_PROGRESS, COMPLETED or CLOSED.
    pub fulfillment_state: &'static str,
    pub customer_status: CustomerStatusView,
    pub capture_mode: String,
    pub version: u64,
    #[schema(value_type = String)]
    pub correlation_id: &'a CorrelationId,
    /// Customer, source, commercial terms, dates, address (absent before validation).
    #[schema(value_type = Option<Object>)]
    pub header: Option<&'a OrderHeader>,
    #[schema(value_type = Vec<Object>)]
    pub items: &'a [OrderItem],
    #[schema(value_type = Vec<Object>)]
    pub holds: &'a [OrderHold],
    #[schema(value_type = Vec<Object>)]
    pub relations: Vec<OrderRelation>,
    /// Every violation found at capture (code, field, message, severity, remediation).
    #[schema(value_type = Vec<Object>)]
    pub violations: Vec<Value>,
    #[schema(value_type = Option<Object>)]
    pub fallout: Option<&'a FalloutRecord>,
    #[schema(value_type = Option<Object>)]
    pub cancellation: Option<&'a CancellationRecord>,
    pub amendment: Option<AmendmentView<'a>>,
    pub released_for_decomposition: bool,
    #[schema(value_type = Option<Object>)]
    pub decomposition: Option<&'a DecompositionRecord>,
    pub fulfillment_started: bool,
    /// Items by fulfillment state.
    #[schema(value_type = Object)]
    pub fulfillment_summary: FulfillmentSummary,
    pub created_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub created_by: &'a Actor,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub links: Links,
}

/// `GET /api/v1/orders/{orderId}`.
pub fn order_view(order: &Order) -> OrderView<'_> {
    let header = order.content.as_ref().map(|c| &c.header);
    OrderView {
        order_id: order.id,
        order_number: &order.number,
        tenant_id: &order.tenant,
        state: wire(&order.state),
        fulfillment_state: fulfillment_state(order),
        customer_status: customer_status(order),
        capture_mode: wire(&order.capture_mode),
        version: order.version,
        correlation_id: &order.correlation_id,
        header,
        items: order.items(),
        holds: &order.holds,
        relations: header.map(|h| h.relations.clone()).unwrap_or_default(),
        violations: order.violations.iter().map(violation_json).collect(),
        fallout: order.fallout.as_ref(),
        cancellation: order.cancellation.as_ref(),
        amendment: order.amendment.as_ref().map(|a| AmendmentView {
            request_id: &a.request_id,
            reason_code: &a.reason_code,
            requested_at: a.requested_at,
            requested_by: &a.requested_by,
            replanned_item_ids: &a.replanned_item_ids,
        }),
        released_for_decomposition: order.released_for_decomposition,
        decomposition: order.decomposition.as_ref(),
        fulfillment_started: order.fulfillment_started,
        fulfillment_summary: order.fulfillment_summary(),
        created_at: order.created_at,
        created_by: &order.created_by,
        updated_at: order.updated_at,
        completed_at: order.completed_at,
        closed_at: order.closed_at,
        links: links(order),
    }
}

/// The quote an order was converted from.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuoteRefView<'a> {
    #[schema(value_type = String)]
    pub quote_id: &'a QuoteId,
    pub revision: u32,
}

/// One row of `GET /api/v1/orders`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummaryView<'a> {
    #[schema(value_type = String, format = Uuid)]
    pub order_id: OrderId,
    #[schema(value_type = String)]
    pub order_number: &'a OrderNumber,
    pub state: String,
    pub customer_status: CustomerStatusView,
    pub capture_mode: String,
    pub customer_id: &'a str,
    pub account_id: &'a str,
    #[schema(value_type = Option<String>)]
    pub external_order_ref: Option<ExternalOrderRef>,
    pub quote: Option<QuoteRefView<'a>>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub links: Links,
}

/// One row of `GET /api/v1/orders`.
pub fn order_summary(order: &Order) -> OrderSummaryView<'_> {
    let header = order.content.as_ref().map(|c| &c.header);
    OrderSummaryView {
        order_id: order.id,
        order_number: &order.number,
        state: wire(&order.state),
        customer_status: customer_status(order),
        capture_mode: wire(&order.capture_mode),
        customer_id: &order.intake.customer.customer_id,
        account_id: &order.intake.customer.account_id,
        external_order_ref: header.and_then(|h| h.source.external_order_ref.clone()),
        quote: header
            .and_then(|h| h.source.quote.as_ref())
            .map(|q| QuoteRefView {
                quote_id: &q.quote_id,
                revision: q.revision,
            }),
        version: order.version,
        created_at: order.created_at,
        updated_at: order.updated_at,
        links: links(order),
    }
}

/// `GET /api/v1/orders/{id}/history`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryView {
    pub order_id: String,
    pub order_number: String,
    pub state: String,
    /// Every state change, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub transitions: Vec<Transition>,
    /// Every decided command (automatic ones included), oldest first.
    #[schema(value_type = Vec<Object>)]
    pub commands: Vec<CommandRecord>,
    /// Every event published on the order topic, by version.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<EventRecord>,
}

/// The search answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageView<'a> {
    pub orders: Vec<OrderSummaryView<'a>>,
    pub page: PageInfo,
}

/// Where the page is in the result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub limit: i64,
    pub offset: i64,
    pub total: i64,
}

/// The advisory validation answer (001 §10.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationView {
    /// Whether a capture of the same body would be accepted.
    pub valid: bool,
    /// Every violation (code, field, message, severity, remediation).
    #[schema(value_type = Vec<Object>)]
    pub violations: Vec<Value>,
}

/// The advisory validation answer (001 §10.2).
pub fn validation_view(report: &oms_domain::capture::ValidationReport) -> ValidationView {
    ValidationView {
        valid: report.is_valid(),
        violations: report.violations.iter().map(violation_json).collect(),
    }
}
