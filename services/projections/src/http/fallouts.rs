//! The fallout queue: the tenant's open cases, oldest first, each with its age, category,
//! reason code, remediation and the operator actions that repair it.

use axum::extract::{Query, State};
use chrono::Utc;
use oms_runtime::http::{ApiError, Caller, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{DEFAULT_LIMIT, MAX_LIMIT, QueryCheck, present};
use super::views::FalloutView;
use super::{ApiState, internal, reader_tenant};
use crate::store::fallouts::{self, QueueFilter};

const CATEGORIES: &[&str] = &[
    "DECOMPOSITION",
    "FULFILLMENT",
    "ITEM_FAILURE",
    "COMPENSATION",
    "MANUAL",
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// DECOMPOSITION, FULFILLMENT, ITEM_FAILURE, COMPENSATION or MANUAL.
    category: Option<String>,
    /// A reason code, e.g. SIMULATED_REJECTION.
    code: Option<String>,
    /// At most this many cases, 1 to 200 (default 50).
    limit: Option<String>,
}

/// Open fallout cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FalloutQueue {
    pub items: Vec<FalloutView>,
}

/// The open fallout cases of the caller's tenant, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/fallouts",
    tag = "operations",
    params(QueueParams),
    responses(
        (status = 200, description = "Open cases with their repair actions", body = FalloutQueue),
        (status = 400, description = "INVALID_QUERY", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn queue(
    caller: Caller,
    State(state): State<ApiState>,
    Query(params): Query<QueueParams>,
) -> Result<Json<FalloutQueue>, ApiError> {
    let tenant = reader_tenant(&caller)?;
    let mut check = QueryCheck::default();
    let limit = check.limit(present(params.limit.as_ref()), DEFAULT_LIMIT, MAX_LIMIT);
    let filter = QueueFilter {
        category: check.one_of("category", present(params.category.as_ref()), CATEGORIES),
        code: present(params.code.as_ref()).map(str::to_owned),
    };
    check.finish()?;
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let now = Utc::now();
    let items = fallouts::queue(&mut conn, tenant, &filter, limit)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|case| FalloutView::of(case, now))
        .collect();
    Ok(Json(FalloutQueue { items }))
}
