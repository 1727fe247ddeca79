//! `GET /api/v1/assets` and `GET /api/v1/assets/{id}`: the caller's tenant's installed base.
//! Scope `assets:read`.

use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use oms_domain::value::{AssetId, TenantId};
use oms_domain::vocab::AssetStatus;
use oms_runtime::http::{ApiError, Caller, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{QueryCheck, present};
use super::{ASSETS_READ, ApiState};
use crate::model::AssetState;
use crate::store::history::Entry;
use crate::store::queries::{self, AssetFilter};
use crate::store::{StoreError, StoredAsset, history};

/// Query parameters of the list (all optional, combined with AND).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The customer owning the assets.
    customer_id: Option<String>,
    /// The billing account of the assets.
    account_id: Option<String>,
    /// PENDING, ACTIVE, SUSPENDED or TERMINATED.
    status: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<String>,
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
}

/// An asset as the API shows it: its state (id, tenant, product offering, status,
/// characteristics, term, references, source and last order items), version and timestamps.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    state: AssetState,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<StoredAsset> for AssetView {
    fn from(stored: StoredAsset) -> Self {
        Self {
            state: stored.state,
            version: stored.version,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}

/// One page of assets; `nextCursor` fetches the next one (absent on the last page).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetPage {
    items: Vec<AssetView>,
    next_cursor: Option<String>,
}

/// One asset with its changes, oldest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetWithHistory {
    #[serde(flatten)]
    asset: AssetView,
    history: Vec<Entry>,
}

/// The installed base of the caller's tenant, by asset id.
#[utoipa::path(
    get,
    path = "/api/v1/assets",
    tag = "assets",
    params(ListParams),
    responses((status = 200, description = "One page of assets", body = AssetPage)),
    security(("bearer" = ["assets:read"]))
)]
pub async fn list(
    caller: Caller,
    State(state): State<ApiState>,
    Query(params): Query<ListParams>,
) -> Result<Json<AssetPage>, ApiError> {
    caller.require_scope(ASSETS_READ)?;
    let tenant = tenant_of(&caller)?;
    let mut check = QueryCheck::default();
    let limit = check.limit(present(params.limit.as_ref()));
    let status = check.enumerated::<AssetStatus>(
        "status",
        present(params.status.as_ref()),
        "PENDING, ACTIVE, SUSPENDED, TERMINATED",
    );
    check.finish()?;
    let filter = AssetFilter {
        customer_id: present(params.customer_id.as_ref()).map(str::to_owned),
        account_id: present(params.account_id.as_ref()).map(str::to_owned),
        status: status.and_then(|s| serde_json::to_value(s).ok()?.as_str().map(str::to_owned)),
    };
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    let mut assets = queries::list(
        &mut conn,
        &tenant,
        &filter,
        present(params.cursor.as_ref()),
        limit + 1,
    )
    .await
    .map_err(internal)?;
    let more = i64::try_from(assets.len()).unwrap_or(i64::MAX) > limit;
    if more {
        assets.pop();
    }
    let next_cursor = more
        .then(|| assets.last().map(|a| a.state.asset_id.to_string()))
        .flatten();
    Ok(Json(AssetPage {
        items: assets.into_iter().map(AssetView::from).collect(),
        next_cursor,
    }))
}

/// One asset with its changes, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/assets/{id}",
    tag = "assets",
    params(("id" = String, Path, description = "The asset id")),
    responses((status = 200, description = "The asset and its history", body = AssetWithHistory)),
    security(("bearer" = ["assets:read"]))
)]
pub async fn get(
    caller: Caller,
    State(state): State<ApiState>,
    Path(id): Path<String>,
) -> Result<Json<AssetWithHistory>, ApiError> {
    caller.require_scope(ASSETS_READ)?;
    let tenant = tenant_of(&caller)?;
    let not_found = || ApiError::not_found(format!("No asset {id}."));
    let asset_id = AssetId::parse(&id).map_err(|_| not_found())?;
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    let Some(asset) = queries::get(&mut conn, &tenant, &asset_id)
        .await
        .map_err(internal)?
    else {
        return Err(not_found());
    };
    let history = history::list(&mut conn, &tenant, &asset_id)
        .await
        .map_err(internal)?;
    Ok(Json(AssetWithHistory {
        asset: asset.into(),
        history,
    }))
}

/// The caller's tenant as a domain value; a token with an unusable tenant sees nothing.
pub(super) fn tenant_of(caller: &Caller) -> Result<TenantId, ApiError> {
    TenantId::parse(&caller.tenant_id)
        .map_err(|_| ApiError::forbidden("INVALID_TENANT", "The caller's tenant id is not valid."))
}

pub(super) fn internal(error: impl Into<StoreError>) -> ApiError {
    ApiError::internal(error.into())
}
