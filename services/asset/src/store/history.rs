//! `asset_history`: one row per change of an asset, with the order item that caused it, the
//! asset event published for it and the state before and after. Append-only (a trigger refuses
//! updates and deletes); the API shows it with the asset.

use chrono::{DateTime, Utc};
use oms_domain::value::{AssetId, OrderId, OrderItemId, TenantId};
use oms_domain::vocab::ItemAction;
use serde::Serialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;
use super::text::to_text;
use crate::model::AssetState;

/// A change to record.
#[derive(Debug)]
pub struct NewEntry<'a> {
    /// The asset's version after the change.
    pub version: i64,
    pub event_type: &'static str,
    pub event_id: Uuid,
    pub action: ItemAction,
    pub order_id: OrderId,
    pub item_id: OrderItemId,
    pub before: Option<&'a AssetState>,
    pub after: &'a AssetState,
}

/// A recorded change, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub version: i64,
    pub event_type: String,
    pub event_id: Uuid,
    pub action: String,
    pub order_id: Uuid,
    pub item_id: Uuid,
    /// The asset before the change (absent for the change that created it).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The asset after the change.
    #[schema(value_type = Object)]
    pub after: serde_json::Value,
    pub at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(asset_id = %entry.after.asset_id, version = entry.version), err)]
pub async fn append(conn: &mut PgConnection, entry: &NewEntry<'_>) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into asset_history
               (tenant_id, asset_id, version, event_type, event_id, action, order_id, item_id,
                before, after)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"#,
        entry.after.tenant_id.as_str(),
        entry.after.asset_id.as_str(),
        entry.version,
        entry.event_type,
        entry.event_id,
        to_text(&entry.action)?,
        entry.order_id.as_uuid(),
        entry.item_id.as_uuid(),
        entry.before.map(Json) as _,
        Json(entry.after) as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The asset's changes, oldest first.
#[tracing::instrument(skip_all, fields(asset_id = %asset_id), err)]
pub async fn list(
    conn: &mut PgConnection,
    tenant: &TenantId,
    asset_id: &AssetId,
) -> Result<Vec<Entry>, StoreError> {
    let entries = sqlx::query_as!(
        Entry,
        r#"select version, event_type, event_id, action, order_id, item_id, before,
                  after, at
             from asset_history
            where tenant_id = $1 and asset_id = $2
            order by version"#,
        tenant.as_str(),
        asset_id.as_str(),
    )
    .fetch_all(conn)
    .await?;
    Ok(entries)
}

/// The state before the change order item (`order_id`, `item_id`) made to the asset, if the
/// item changed it: `Some(None)` for the creation, `None` when the item changed nothing.
#[tracing::instrument(skip_all, fields(asset_id = %asset_id), err)]
pub async fn before_change_of(
    conn: &mut PgConnection,
    tenant: &TenantId,
    asset_id: &AssetId,
    order_id: OrderId,
    item_id: OrderItemId,
) -> Result<Option<Option<AssetState>>, StoreError> {
    let row = sqlx::query!(
        r#"select before from asset_history
            where tenant_id = $1 and asset_id = $2 and order_id = $3 and item_id = $4
              and event_type <> 'AssetReverted'
            order by version limit 1"#,
        tenant.as_str(),
        asset_id.as_str(),
        order_id.as_uuid(),
        item_id.as_uuid(),
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        r.before
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| StoreError::Corrupt {
                column: "asset_history.before",
                detail: e.to_string(),
            })
    })
    .transpose()
}
