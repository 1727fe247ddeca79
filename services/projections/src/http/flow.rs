//! Flow: stuck orders, throughput per minute, and every consumer group's lag.

use axum::extract::{Query, State};
use chrono::{DateTime, Duration as TimeDelta, DurationRound as _, Utc};
use oms_runtime::http::{ApiError, Caller, Json};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::params::{DEFAULT_LIMIT, MAX_LIMIT, QueryCheck, present};
use super::views::CustomerStatusView;
use super::{ApiState, internal, reader_tenant};
use crate::lag::{LagReport, Watched};
use crate::store::flow;
use crate::stuck::{self, OpenTask};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StuckParams {
    /// At most this many orders, 1 to 200 (default 50).
    limit: Option<String>,
}

/// An order that has not moved for longer than its state allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StuckOrder {
    pub order_id: Uuid,
    pub order_number: String,
    pub customer_id: String,
    /// The state it is stuck in.
    pub state: String,
    pub customer_status: CustomerStatusView,
    pub state_entered_at: DateTime<Utc>,
    /// The last event about the order, on any topic.
    pub last_event_at: DateTime<Utc>,
    pub idle_seconds: i64,
    pub threshold_seconds: i64,
    /// What the order waits for.
    pub waiting_for: String,
    /// The holds, tasks or fallout cases behind it.
    pub details: Vec<String>,
}

/// Stuck orders, longest idle first, with the thresholds that apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StuckOrders {
    /// Seconds without an event after which an order counts as stuck, per state.
    pub thresholds: BTreeMap<String, i64>,
    pub items: Vec<StuckOrder>,
}

/// Orders that have not moved for longer than their state's threshold
/// (`projections.stuck_after_seconds`), with where they are stuck.
#[utoipa::path(
    get,
    path = "/api/v1/stuck-orders",
    tag = "operations",
    params(StuckParams),
    responses((status = 200, description = "Stuck orders", body = StuckOrders)),
    security(("bearer" = []))
)]
pub async fn stuck(
    caller: Caller,
    State(state): State<ApiState>,
    Query(params): Query<StuckParams>,
) -> Result<Json<StuckOrders>, ApiError> {
    let tenant = reader_tenant(&caller)?;
    let mut check = QueryCheck::default();
    let limit = check.limit(present(params.limit.as_ref()), DEFAULT_LIMIT, MAX_LIMIT);
    check.finish()?;
    let thresholds: Vec<_> = state
        .settings
        .projections
        .stuck_thresholds()
        .into_iter()
        .collect();
    let now = Utc::now();
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let idle = flow::idle(&mut conn, tenant, &thresholds, now, limit)
        .await
        .map_err(internal)?;
    let ids: Vec<Uuid> = idle.iter().map(|o| o.order_id).collect();
    let mut open: HashMap<Uuid, Vec<OpenTask>> = HashMap::new();
    for (order_id, task_type, target_system, status) in
        flow::open_tasks(&mut conn, &ids).await.map_err(internal)?
    {
        open.entry(order_id).or_default().push(OpenTask {
            task_type,
            target_system,
            status,
        });
    }
    let items = idle
        .into_iter()
        .map(|order| {
            let (waiting_for, details) = stuck::waiting_for(
                &order.aggregate,
                open.get(&order.order_id).map_or(&[][..], Vec::as_slice),
            );
            StuckOrder {
                order_id: order.order_id,
                order_number: order.order_number,
                customer_id: order.customer_id,
                customer_status: CustomerStatusView::of(&order.customer_status),
                state: order.state,
                state_entered_at: order.state_entered_at,
                last_event_at: order.last_event_at,
                idle_seconds: (now - order.last_event_at).num_seconds().max(0),
                threshold_seconds: i64::try_from(order.threshold.as_secs()).unwrap_or(i64::MAX),
                waiting_for,
                details,
            }
        })
        .collect();
    Ok(Json(StuckOrders {
        thresholds: thresholds
            .into_iter()
            .map(|(s, d)| (s, i64::try_from(d.as_secs()).unwrap_or(i64::MAX)))
            .collect(),
        items,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThroughputParams {
    /// How many minutes back, 1 to 1440 (default 60).
    minutes: Option<String>,
}

/// Counts of one minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MinuteCounts {
    /// Start of the minute.
    pub minute: DateTime<Utc>,
    pub captured: i64,
    pub completed: i64,
    /// Orders that fell out (an order counts once per minute).
    pub fallen_out: i64,
}

/// Orders captured, completed and fallen out per minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Throughput {
    pub window_minutes: i64,
    /// Every minute of the window, oldest first (zeros included).
    pub minutes: Vec<MinuteCounts>,
    pub captured: i64,
    pub completed: i64,
    pub fallen_out: i64,
}

/// Orders captured, completed and fallen out per minute over the last `minutes` minutes, by the
/// events' occurredAt.
#[utoipa::path(
    get,
    path = "/api/v1/flow/throughput",
    tag = "operations",
    params(ThroughputParams),
    responses((status = 200, description = "Per-minute counts", body = Throughput)),
    security(("bearer" = []))
)]
pub async fn throughput(
    caller: Caller,
    State(state): State<ApiState>,
    Query(params): Query<ThroughputParams>,
) -> Result<Json<Throughput>, ApiError> {
    let tenant = reader_tenant(&caller)?;
    let mut check = QueryCheck::default();
    let window = check.limit(present(params.minutes.as_ref()), 60, 1440);
    check.finish()?;
    let now = Utc::now()
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap_or_else(|_| Utc::now());
    let since = now - TimeDelta::minutes(window - 1);
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let counted: BTreeMap<DateTime<Utc>, flow::Minute> = flow::throughput(&mut conn, tenant, since)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|m| (m.minute, m))
        .collect();
    let minutes: Vec<MinuteCounts> = (0..window)
        .map(|i| {
            let minute = since + TimeDelta::minutes(i);
            let m = counted.get(&minute);
            MinuteCounts {
                minute,
                captured: m.map_or(0, |m| m.captured),
                completed: m.map_or(0, |m| m.completed),
                fallen_out: m.map_or(0, |m| m.fallen_out),
            }
        })
        .collect();
    Ok(Json(Throughput {
        window_minutes: window,
        captured: minutes.iter().map(|m| m.captured).sum(),
        completed: minutes.iter().map(|m| m.completed).sum(),
        fallen_out: minutes.iter().map(|m| m.fallen_out).sum(),
        minutes,
    }))
}

/// Lag of every consumer group, and which generation the projection consumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LagView {
    /// The read model's generation (incremented by every rebuild).
    pub generation: i64,
    /// The projection's consumer group for that generation.
    pub projection_group: String,
    #[serde(flatten)]
    pub report: LagReport,
}

/// Consumer lag per group and partition (high watermark minus committed offset) of every OMS
/// consumer group.
#[utoipa::path(
    get,
    path = "/api/v1/flow/lag",
    tag = "operations",
    responses(
        (status = 200, description = "Lag of every consumer group", body = LagView),
        (status = 403, description = "MISSING_SCOPE: needs `operator`",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn lag(caller: Caller, State(state): State<ApiState>) -> Result<Json<LagView>, ApiError> {
    caller.require_operator()?;
    let (generation, group) = state.projector.generation_and_group();
    let mut watched: Watched = state
        .settings
        .projections
        .lag_groups
        .iter()
        .map(|(group, topics)| (group.clone(), group.clone(), topics.clone()))
        .collect();
    watched.push((
        crate::SERVICE.to_owned(),
        state.settings.projections.group(generation),
        crate::CONSUMED_TOPICS
            .iter()
            .map(|t| (*t).to_owned())
            .collect(),
    ));
    let report = state.lag.report(watched).await;
    Ok(Json(LagView {
        generation,
        projection_group: group,
        report,
    }))
}
