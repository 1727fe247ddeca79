//! Read routes: an order's fulfillment and the fallout queue, scoped to the caller's tenant.

use super::{ApiState, require_reader};
use crate::store::{self, fallout::FalloutRow};
use crate::views::{self, FulfillmentView};
use axum::extract::{Path, Query, State};
use oms_runtime::http::{ApiError, Caller, Json, Violation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An order's fulfillment: plan, items, tasks with their state, fallout cases, operator audit,
/// change requests.
#[utoipa::path(
    get,
    path = "/api/v1/fulfillment/{order_id}",
    tag = "fulfillment",
    params(("order_id" = Uuid, Path, description = "The order id")),
    responses((status = 200, description = "The order's fulfillment", body = FulfillmentView)),
    security(("bearer" = ["orders:read"]), ("bearer" = ["operator"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub(super) async fn fulfillment(
    caller: Caller,
    State(state): State<ApiState>,
    Path(order_id): Path<Uuid>,
) -> Result<Json<FulfillmentView>, ApiError> {
    require_reader(&caller)?;
    let mut conn = state.pool.acquire().await.map_err(ApiError::internal)?;
    views::fulfillment(&mut conn, &caller.tenant_id, order_id)
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .ok_or_else(|| {
            super::not_found(format!(
                "No fulfillment for order {order_id} in this tenant."
            ))
        })
}

/// Filters of the fallout queue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct FalloutQuery {
    /// OPEN or RESOLVED (default: both).
    status: Option<String>,
    /// How many, 1 to 1000 (default 100; larger values are clamped).
    limit: Option<i64>,
}

/// Fallout cases of the caller's tenant, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct FalloutList {
    fallouts: Vec<FalloutRow>,
}

/// The fallout queue of the caller's tenant.
#[utoipa::path(
    get,
    path = "/api/v1/fallouts",
    tag = "operations",
    params(FalloutQuery),
    responses(
        (status = 200, description = "Fallout cases", body = FalloutList),
        (status = 422, description = "VALIDATION_FAILED: `status` is not OPEN or RESOLVED",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
#[tracing::instrument(skip_all, err)]
pub(super) async fn fallouts(
    caller: Caller,
    State(state): State<ApiState>,
    Query(query): Query<FalloutQuery>,
) -> Result<Json<FalloutList>, ApiError> {
    caller.require_operator()?;
    let status = match query.status.as_deref() {
        None => None,
        Some(s @ ("OPEN" | "RESOLVED")) => Some(s),
        Some(other) => {
            return Err(ApiError::validation(vec![Violation::new(
                "status",
                "INVALID_VALUE",
                format!("status must be OPEN or RESOLVED, not {other}"),
            )]));
        }
    };
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let mut conn = state.pool.acquire().await.map_err(ApiError::internal)?;
    let fallouts = store::fallout::list(&mut conn, &caller.tenant_id, status, limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(FalloutList { fallouts }))
}
