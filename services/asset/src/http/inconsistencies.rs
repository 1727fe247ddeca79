//! Operator routes for inconsistency cases of the caller's tenant: list them (by status,
//! oldest first) and resolve one with a recorded resolution. Scope `operator`.

use axum::extract::{Path, Query, State};
use oms_runtime::http::{ApiError, Caller, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiState;
use super::assets::{internal, tenant_of};
use super::params::{QueryCheck, present};
use crate::store::cases::{self, Case, Resolved};

/// Longest resolution text kept.
const MAX_RESOLUTION: usize = 1000;

/// Filters and paging of the case list (all optional).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// OPEN or RESOLVED.
    status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<String>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum CaseStatus {
    Open,
    Resolved,
}

impl CaseStatus {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Resolved => "RESOLVED",
        }
    }
}

/// One page of cases, oldest first; `nextCursor` fetches the next one.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CasePage {
    items: Vec<Case>,
    next_cursor: Option<Uuid>,
}

/// `POST .../resolve` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resolution {
    /// What the operator did about the case, 1 to 1000 characters.
    #[schema(example = "Asset re-created by hand in the inventory; order item confirmed.")]
    resolution: String,
}

/// Inconsistency cases of the caller's tenant, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/asset-inconsistencies",
    tag = "operations",
    params(ListParams),
    responses((status = 200, description = "One page of cases", body = CasePage)),
    security(("bearer" = ["operator"]))
)]
pub async fn list(
    caller: Caller,
    State(state): State<ApiState>,
    Query(params): Query<ListParams>,
) -> Result<Json<CasePage>, ApiError> {
    let tenant = tenant_of(&caller)?;
    let mut check = QueryCheck::default();
    let limit = check.limit(present(params.limit.as_ref()));
    let status =
        check.enumerated::<CaseStatus>("status", present(params.status.as_ref()), "OPEN, RESOLVED");
    let cursor = present(params.cursor.as_ref()).and_then(|raw| {
        let parsed = Uuid::parse_str(raw).ok();
        if parsed.is_none() {
            check.violation(
                "cursor",
                "INVALID_VALUE",
                "must be a cursor from a previous page",
            );
        }
        parsed
    });
    check.finish()?;
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    let mut items = cases::list(
        &mut conn,
        &tenant,
        status.map(CaseStatus::as_str),
        cursor,
        limit + 1,
    )
    .await
    .map_err(internal)?;
    let more = i64::try_from(items.len()).unwrap_or(i64::MAX) > limit;
    if more {
        items.pop();
    }
    let next_cursor = more.then(|| items.last().map(|case| case.id)).flatten();
    Ok(Json(CasePage { items, next_cursor }))
}

/// Resolves an open case with the operator's resolution.
#[utoipa::path(
    post,
    path = "/api/v1/asset-inconsistencies/{id}/resolve",
    tag = "operations",
    params(("id" = String, Path, description = "The case id")),
    request_body = Resolution,
    responses(
        (status = 200, description = "The resolved case", body = Case),
        (status = 409, description = "CASE_ALREADY_RESOLVED", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: the resolution is empty or too long",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
pub async fn resolve(
    caller: Caller,
    State(state): State<ApiState>,
    Path(id): Path<String>,
    Json(body): Json<Resolution>,
) -> Result<Json<Case>, ApiError> {
    let tenant = tenant_of(&caller)?;
    let not_found = || ApiError::not_found(format!("No inconsistency case {id}."));
    let case_id = Uuid::parse_str(&id).map_err(|_| not_found())?;
    let resolution = body.resolution.trim();
    if resolution.is_empty() || resolution.chars().count() > MAX_RESOLUTION {
        return Err(ApiError::validation(vec![
            oms_runtime::http::Violation::new(
                "resolution",
                "INVALID_VALUE",
                format!("must be 1 to {MAX_RESOLUTION} characters"),
            ),
        ]));
    }
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    match cases::resolve(&mut conn, &tenant, case_id, &caller.subject, resolution)
        .await
        .map_err(internal)?
    {
        Resolved::Resolved(case) => {
            tracing::info!(case_id = %case_id, operator = %caller.subject, "inconsistency case resolved");
            Ok(Json(*case))
        }
        Resolved::NotFound => Err(not_found()),
        Resolved::AlreadyResolved => Err(ApiError::conflict(
            "CASE_ALREADY_RESOLVED",
            format!("Inconsistency case {id} is already resolved."),
        )),
    }
}
