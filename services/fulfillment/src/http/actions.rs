//! Operator routes: retry a task, complete it with evidence, waive an item. The bodies carry
//! the reason (and evidence or policy reference); the actor is the token's subject.

use super::ApiState;
use crate::operator::{Acting, Evidence};
use crate::views::{ItemView, TaskView};
use axum::extract::{Path, State};
use oms_runtime::http::{ApiError, Caller, CorrelationId, Json};
use serde::Deserialize;
use uuid::Uuid;

fn acting(caller: &Caller, correlation: &CorrelationId) -> Result<Acting, ApiError> {
    caller.require_operator()?;
    Ok(Acting {
        tenant_id: caller.tenant_id.clone(),
        subject: caller.subject.clone(),
        correlation_id: Some(correlation.as_str().to_owned()),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RetryBody {
    /// Why the task is retried (what was fixed).
    reason: String,
}

/// Retries a failed task.
#[utoipa::path(
    post,
    path = "/api/v1/fulfillment/{order_id}/tasks/{task_id}/retry",
    tag = "operations",
    params(("order_id" = Uuid, Path, description = "The order id"),
           ("task_id" = Uuid, Path, description = "The task id")),
    request_body = RetryBody,
    responses(
        (status = 200, description = "The Task after the action", body = TaskView),
        (status = 409, description = "The action does not apply to the current state (the code says why)",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: a field of the body is not valid",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %order_id, task_id = %task_id), err)]
pub(super) async fn retry(
    caller: Caller,
    correlation: CorrelationId,
    State(state): State<ApiState>,
    Path((order_id, task_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<RetryBody>,
) -> Result<Json<TaskView>, ApiError> {
    let acting = acting(&caller, &correlation)?;
    Ok(Json(
        state
            .operator
            .retry_task(&acting, order_id, task_id, &body.reason)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CompleteBody {
    reason: String,
    evidence: Evidence,
}

/// Completes a task by hand, with evidence that the work was done.
#[utoipa::path(
    post,
    path = "/api/v1/fulfillment/{order_id}/tasks/{task_id}/complete",
    tag = "operations",
    params(("order_id" = Uuid, Path, description = "The order id"),
           ("task_id" = Uuid, Path, description = "The task id")),
    request_body = CompleteBody,
    responses(
        (status = 200, description = "The Task after the action", body = TaskView),
        (status = 409, description = "The action does not apply to the current state (the code says why)",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: a field of the body is not valid",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %order_id, task_id = %task_id), err)]
pub(super) async fn complete(
    caller: Caller,
    correlation: CorrelationId,
    State(state): State<ApiState>,
    Path((order_id, task_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<CompleteBody>,
) -> Result<Json<TaskView>, ApiError> {
    let acting = acting(&caller, &correlation)?;
    Ok(Json(
        state
            .operator
            .complete_task(&acting, order_id, task_id, &body.reason, &body.evidence)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct WaiveBody {
    reason: String,
    /// The policy that allows waiving the item.
    policy_ref: String,
}

/// Waives an item under a policy.
#[utoipa::path(
    post,
    path = "/api/v1/fulfillment/{order_id}/items/{item_id}/waive",
    tag = "operations",
    params(("order_id" = Uuid, Path, description = "The order id"),
           ("item_id" = Uuid, Path, description = "The item id")),
    request_body = WaiveBody,
    responses(
        (status = 200, description = "The Item after the action", body = ItemView),
        (status = 409, description = "The action does not apply to the current state (the code says why)",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: a field of the body is not valid",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %order_id, item_id = %item_id), err)]
pub(super) async fn waive(
    caller: Caller,
    correlation: CorrelationId,
    State(state): State<ApiState>,
    Path((order_id, item_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<WaiveBody>,
) -> Result<Json<ItemView>, ApiError> {
    let acting = acting(&caller, &correlation)?;
    Ok(Json(
        state
            .operator
            .waive_item(&acting, order_id, item_id, &body.reason, &body.policy_ref)
            .await?,
    ))
}
