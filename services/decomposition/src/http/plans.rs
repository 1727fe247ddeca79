//! `GET /api/v1/plans/{orderId}`: the plan decomposition made for an order of the caller's
//! tenant (tasks with their dependencies, rules version, input and plan hashes), or the
//! failure it recorded (code, item, message, remediation). Scope `orders:read`. An order of
//! another tenant, an unknown order and a malformed id are the same 404, so nothing leaks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use oms_domain::value::{OrderId, OrderItemId};
use oms_domain::vocab::DecompositionFailureCode;
use oms_runtime::http::auth::scopes;
use oms_runtime::http::{ApiError, Caller, Json, Problem};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApiState, internal};
use crate::planner::DecompositionPlan;
use crate::store::failures::{self, StoredFailure};
use crate::store::plans::{self, StoredPlan};

/// The answer: a plan or a failure, told apart by `status`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PlanResponse {
    Decomposed(PlanView),
    Failed(FailureView),
}

/// A decomposed order: the stored plan, as the planner built it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    /// `DECOMPOSED`.
    status: &'static str,
    /// `v<number>+<12 hex>`, as `OrderDecomposed` carries it.
    rules_label: String,
    decomposed_at: DateTime<Utc>,
    /// The `OrderDecomposed` published for it.
    event_id: Uuid,
    /// planId, orderId, rulesVersion {number, contentHash}, inputHash, planHash, items, tasks.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    plan: DecompositionPlan,
}

/// An order that could not be decomposed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailureView {
    #[schema(value_type = String, format = Uuid)]
    order_id: OrderId,
    /// `FAILED`.
    status: &'static str,
    /// The rules version number decomposition ran with, when it got that far.
    rules_version: Option<u32>,
    input_hash: String,
    failed_at: DateTime<Utc>,
    /// The `OrderDecompositionFailed` published for it.
    event_id: Uuid,
    failure: FailureDetail,
}

/// Why decomposition failed, and what fixes it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct FailureDetail {
    fallout_id: Uuid,
    /// A stable failure code, e.g. NO_RULE_FOR_OFFERING.
    #[schema(value_type = String)]
    code: DecompositionFailureCode,
    #[schema(value_type = Option<String>, format = Uuid)]
    item_id: Option<OrderItemId>,
    message: String,
    remediation: String,
    /// Always false for a recorded failure: each needs a data or catalog fix first.
    retryable: bool,
}

/// The plan decomposition made for an order, or the failure it recorded.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{order_id}",
    tag = "plans",
    params(("order_id" = String, Path, description = "The order id")),
    responses(
        (status = 200, description = "The plan (`status` DECOMPOSED) or the failure (`status` FAILED)",
            body = PlanResponse),
        (status = 404, description = "PLAN_NOT_FOUND: nothing recorded for that order in your tenant",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:read"]))
)]
pub async fn get(
    caller: Caller,
    State(state): State<ApiState>,
    Path(order_id): Path<String>,
) -> Result<Json<PlanResponse>, ApiError> {
    caller.require_scope(scopes::ORDERS_READ)?;
    let not_found = || -> ApiError {
        Problem::new(StatusCode::NOT_FOUND, "PLAN_NOT_FOUND")
            .detail(format!(
                "No plan or decomposition failure is recorded for order {order_id} in your tenant."
            ))
            .into()
    };
    let Ok(id) = OrderId::parse(&order_id) else {
        return Err(not_found());
    };
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    if let Some(stored) = plans::find(&mut conn, &caller.tenant_id, id)
        .await
        .map_err(internal)?
    {
        return Ok(Json(PlanResponse::Decomposed(plan_view(stored))));
    }
    if let Some(stored) = failures::find(&mut conn, &caller.tenant_id, id)
        .await
        .map_err(internal)?
    {
        return Ok(Json(PlanResponse::Failed(failure_view(id, stored))));
    }
    Err(not_found())
}

fn plan_view(stored: StoredPlan) -> PlanView {
    PlanView {
        status: "DECOMPOSED",
        rules_label: stored.rules_label,
        decomposed_at: stored.created_at,
        event_id: stored.event_id,
        plan: stored.plan,
    }
}

fn failure_view(order_id: OrderId, stored: StoredFailure) -> FailureView {
    FailureView {
        order_id,
        status: "FAILED",
        rules_version: stored.rules_version,
        input_hash: stored.input_hash,
        failed_at: stored.created_at,
        event_id: stored.event_id,
        failure: FailureDetail {
            fallout_id: stored.fallout_id,
            code: stored.failure.code,
            item_id: stored.failure.item_id,
            retryable: stored.failure.is_retryable(),
            message: stored.failure.message,
            remediation: stored.failure.remediation,
        },
    }
}
