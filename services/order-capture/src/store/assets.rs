//! The asset snapshot projection (from `oms.asset.events.v1`) and the asset concurrency
//! guard (`asset_in_flight`: one in-flight order per tenant + asset, 004 §20).

use chrono::{DateTime, Utc};
use oms_domain::capture::AssetSnapshot;
use oms_domain::events::InstalledAsset;
use oms_domain::value::{AccountId, AssetId, CustomerId, OrderId, ProductOfferingId, TenantId};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{StoreError, from_wire, wire};

/// Snapshots of the named assets of `tenant`, with the order currently changing each.
/// Assets the projection does not know are absent (the capture rule says ASSET_NOT_FOUND).
pub async fn snapshots(
    conn: &mut PgConnection,
    tenant: &TenantId,
    asset_ids: &[String],
) -> Result<Vec<AssetSnapshot>, StoreError> {
    if asset_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"select s.asset_id, s.customer_id, s.account_id, s.status, s.product_offering_id,
                  f.order_id as "in_flight_order_id?"
             from asset_snapshot s
             left join asset_in_flight f on f.tenant_id = s.tenant_id and f.asset_id = s.asset_id
            where s.tenant_id = $1 and s.asset_id = any($2)"#,
        tenant.as_str(),
        asset_ids
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let bad = |e: &dyn std::fmt::Display| {
                StoreError::corrupt(format!("asset snapshot {}", r.asset_id), e.to_string())
            };
            Ok(AssetSnapshot {
                asset_id: AssetId::parse(&r.asset_id).map_err(|e| bad(&e))?,
                tenant_id: tenant.clone(),
                customer_id: CustomerId::parse(&r.customer_id).map_err(|e| bad(&e))?,
                account_id: AccountId::parse(&r.account_id).map_err(|e| bad(&e))?,
                status: from_wire(&r.status).ok_or_else(|| bad(&"unknown status"))?,
                in_flight_order_id: r.in_flight_order_id.map(OrderId::from_uuid),
                product_offering_id: ProductOfferingId::parse(&r.product_offering_id).ok(),
            })
        })
        .collect()
}

/// Replaces the snapshot of `asset_id` with the asset as an event reports it, unless a
/// later event was already applied.
#[tracing::instrument(skip_all, fields(asset_id = %asset_id), err)]
pub async fn upsert_snapshot(
    conn: &mut PgConnection,
    tenant: &TenantId,
    asset_id: &AssetId,
    asset: &InstalledAsset,
    event_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into asset_snapshot (tenant_id, asset_id, customer_id, account_id,
               billing_account_id, status, product_offering_id, last_event_id, last_event_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           on conflict (tenant_id, asset_id) do update
              set customer_id = excluded.customer_id, account_id = excluded.account_id,
                  billing_account_id = excluded.billing_account_id, status = excluded.status,
                  product_offering_id = excluded.product_offering_id,
                  last_event_id = excluded.last_event_id, last_event_at = excluded.last_event_at,
                  updated_at = now()
            where asset_snapshot.last_event_at <= excluded.last_event_at"#,
        tenant.as_str(),
        asset_id.as_str(),
        asset.customer_id.as_str(),
        asset.account_id.as_str(),
        asset.billing_account_id.as_str(),
        wire(&asset.status),
        asset.product.offering_id.as_str(),
        event_id,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the assets as changed by `order_id`. Fails with the constraint
/// [`super::constraint::ASSET_IN_FLIGHT`] when another order holds one of them.
pub async fn reserve_in_flight(
    conn: &mut PgConnection,
    tenant: &TenantId,
    order_id: OrderId,
    asset_ids: &[String],
) -> Result<(), StoreError> {
    for asset_id in asset_ids {
        sqlx::query!(
            "insert into asset_in_flight (tenant_id, asset_id, order_id) values ($1, $2, $3)",
            tenant.as_str(),
            asset_id,
            order_id.as_uuid()
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Frees the assets of an order that reached a terminal state.
pub async fn release_in_flight(
    conn: &mut PgConnection,
    order_id: OrderId,
) -> Result<(), StoreError> {
    sqlx::query!(
        "delete from asset_in_flight where order_id = $1",
        order_id.as_uuid()
    )
    .execute(conn)
    .await?;
    Ok(())
}
