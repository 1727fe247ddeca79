//! The order summary list, the order page and the order's timeline.

use axum::extract::{Path, Query, State};
use chrono::Utc;
use oms_runtime::http::{ApiError, Caller, Json};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::params::{DEFAULT_LIMIT, MAX_LIMIT, QueryCheck, cursor_of, present};
use super::views::{
    self, ActorView, OrderDetail, OrderPage, OrderSummary, Timeline, TimelineEntry,
};
use super::{ApiState, internal, reader_tenant};
use crate::causal::{self, Stamp};
use crate::store::orders::{self, After, OrderFilter};
use crate::store::{fallouts, tasks, timeline as events};

pub const ORDER_STATES: &[&str] = &[
    "DRAFT",
    "SUBMITTED",
    "VALIDATED",
    "DECOMPOSED",
    "IN_PROGRESS",
    "PARTIALLY_COMPLETED",
    "COMPLETED",
    "REJECTED",
    "FALLOUT",
    "CANCELLATION_REQUESTED",
    "CANCELLING",
    "CANCELLED",
    "FAILED_CLOSED",
];

const CUSTOMER_STATUSES: &[&str] = &[
    "RECEIVED",
    "PROCESSING",
    "ACTION_REQUIRED",
    "COMPLETED",
    "CANCELLED",
    "REJECTED",
];

/// Filters and paging of the summary (all optional, combined with AND).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Header states, comma separated (`IN_PROGRESS,FALLOUT`).
    state: Option<String>,
    /// Customer-facing status (`ACTION_REQUIRED`).
    customer_status: Option<String>,
    customer_id: Option<String>,
    /// An order number prefix, or an exact customer id or order id.
    q: Option<String>,
    /// `true`: only orders with an open fallout case; `false`: only without.
    fallout: Option<String>,
    /// `true`: only orders with an active hold; `false`: only without.
    held: Option<String>,
    /// Captured at or after (RFC 3339).
    captured_from: Option<String>,
    /// Captured before (RFC 3339).
    captured_to: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<String>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
}

/// The order summary, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/orders",
    tag = "orders",
    params(ListParams),
    responses(
        (status = 200, description = "One page of orders", body = OrderPage),
        (status = 400, description = "INVALID_QUERY", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 401, description = "UNAUTHENTICATED", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 403, description = "MISSING_SCOPE", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    State(state): State<ApiState>,
    Query(params): Query<ListParams>,
) -> Result<Json<OrderPage>, ApiError> {
    let tenant = reader_tenant(&caller)?;
    let mut check = QueryCheck::default();
    let limit = check.limit(present(params.limit.as_ref()), DEFAULT_LIMIT, MAX_LIMIT);
    let filter = OrderFilter {
        states: check.one_of_list("state", present(params.state.as_ref()), ORDER_STATES),
        customer_status: check.one_of(
            "customerStatus",
            present(params.customer_status.as_ref()),
            CUSTOMER_STATUSES,
        ),
        customer_id: present(params.customer_id.as_ref()).map(str::to_owned),
        search: present(params.q.as_ref()).map(str::to_owned),
        has_fallout: check.boolean("fallout", present(params.fallout.as_ref())),
        on_hold: check.boolean("held", present(params.held.as_ref())),
        captured_from: check.timestamp("capturedFrom", present(params.captured_from.as_ref())),
        captured_to: check.timestamp("capturedTo", present(params.captured_to.as_ref())),
    };
    let after = check.cursor(present(params.cursor.as_ref()));
    check.finish()?;
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let mut rows = orders::list(&mut conn, tenant, &filter, after, limit + 1)
        .await
        .map_err(internal)?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    if more {
        rows.pop();
    }
    let next_cursor = more
        .then(|| {
            rows.last().map(|last| {
                cursor_of(After {
                    captured_at: last.row.captured_at,
                    order_id: last.row.order_id,
                })
            })
        })
        .flatten();
    Ok(Json(OrderPage {
        items: rows.into_iter().map(OrderSummary::from).collect(),
        next_cursor,
    }))
}

fn not_found() -> ApiError {
    ApiError::not_found("No order with this id exists for your tenant.")
}

fn order_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| not_found())
}

/// The order page: summary, items, holds (with their release action), fallout cases (with
/// their repair actions), and the plan's tasks with their dependencies and execution.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}",
    tag = "orders",
    params(("orderId" = Uuid, Path, description = "The order id")),
    responses(
        (status = 200, description = "The order", body = OrderDetail),
        (status = 404, description = "NOT_FOUND: no such order for the caller's tenant",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    caller: Caller,
    State(state): State<ApiState>,
    Path(raw_id): Path<String>,
) -> Result<Json<OrderDetail>, ApiError> {
    let tenant = reader_tenant(&caller)?;
    let id = order_id(&raw_id)?;
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let Some((listed, order)) = orders::get(&mut conn, tenant, id).await.map_err(internal)? else {
        return Err(not_found());
    };
    let tasks = tasks::of_order(&mut conn, tenant, id)
        .await
        .map_err(internal)?;
    let cases = fallouts::of_order(&mut conn, tenant, id)
        .await
        .map_err(internal)?;
    Ok(Json(views::detail(
        OrderSummary::from(listed),
        &order,
        tasks,
        cases,
        Utc::now(),
    )))
}

/// Every event of the order on every topic, in causal order.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/timeline",
    tag = "orders",
    params(("orderId" = Uuid, Path, description = "The order id")),
    responses(
        (status = 200, description = "The order's events, in causal order", body = Timeline),
        (status = 404, description = "NOT_FOUND: no such order for the caller's tenant",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn timeline(
    caller: Caller,
    State(state): State<ApiState>,
    Path(raw_id): Path<String>,
) -> Result<Json<Timeline>, ApiError> {
    let tenant = reader_tenant(&caller)?;
    let id = order_id(&raw_id)?;
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let rows = events::of_order(&mut conn, tenant, id)
        .await
        .map_err(internal)?;
    if rows.is_empty() {
        return Err(not_found());
    }
    let labels = views::task_labels(
        &tasks::of_order(&mut conn, tenant, id)
            .await
            .map_err(internal)?,
    );
    let stamps: Vec<Stamp> = rows
        .iter()
        .map(|r| Stamp {
            event_id: r.event_id,
            causation_id: r.causation_id.clone(),
            order_version: r.order_version,
            topic: r.topic.clone(),
            partition: r.kafka_partition,
            offset: r.kafka_offset,
            occurred_at: r.occurred_at,
        })
        .collect();
    let order = causal::order(&stamps);
    let position_of: std::collections::HashMap<String, usize> = order
        .iter()
        .enumerate()
        .map(|(position, &i)| (rows[i].event_id.to_string(), position + 1))
        .collect();
    let mut slots: Vec<Option<_>> = rows.into_iter().map(Some).collect();
    let events = order
        .iter()
        .enumerate()
        .filter_map(|(position, &i)| {
            let r = slots[i].take()?;
            let subject = r
                .refs
                .get("taskId")
                .and_then(|t| t.as_str())
                .and_then(|t| labels.get(t).cloned());
            Some(TimelineEntry {
                position: position + 1,
                caused_by: r
                    .causation_id
                    .as_ref()
                    .and_then(|c| position_of.get(c).copied()),
                event_id: r.event_id,
                event_type: r.event_type,
                service: r.service,
                topic: r.topic,
                occurred_at: r.occurred_at,
                order_version: r.order_version,
                actor: ActorView {
                    kind: r.actor_kind,
                    id: r.actor_id,
                },
                reason: r.reason,
                summary: r.summary,
                subject,
                refs: r.refs,
                correlation_id: r.correlation_id,
                causation_id: r.causation_id,
                trace_id: r.trace_id,
                aggregate_type: r.aggregate_type,
                aggregate_id: r.aggregate_id,
                partition: r.kafka_partition,
                offset: r.kafka_offset,
            })
        })
        .collect();
    Ok(Json(Timeline {
        order_id: id,
        events,
    }))
}
