//! The API's reads of the installed base, always within one tenant: one asset by id, and a
//! filtered page of assets in asset-id order (keyset paging: `after` is the last id seen).

use oms_domain::order::{PriceSnapshot, ServiceAddress};
use oms_domain::value::{AssetId, TenantId};
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::BTreeMap;

use super::StoreError;
use super::assets::{AssetRow, StoredAsset};

/// Optional filters of the asset list; all given ones must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetFilter {
    pub customer_id: Option<String>,
    pub account_id: Option<String>,
    /// Stored spelling, e.g. `ACTIVE`.
    pub status: Option<String>,
}

/// The tenant's asset `asset_id`, if it has one.
#[tracing::instrument(skip_all, fields(asset_id = %asset_id), err)]
pub async fn get(
    conn: &mut PgConnection,
    tenant: &TenantId,
    asset_id: &AssetId,
) -> Result<Option<StoredAsset>, StoreError> {
    let row = sqlx::query_as!(
        AssetRow,
        r#"select tenant_id, asset_id, customer_id, account_id, billing_account_id, offering_id,
                  offering_version, offering_name, product_spec_ref, quantity, status,
                  configuration as "configuration: Json<BTreeMap<String, String>>",
                  service_address as "service_address: Json<ServiceAddress>",
                  price_snapshot as "price_snapshot: Json<PriceSnapshot>",
                  activation_date, term_months, term_start_date, term_end_date, renewal_count,
                  terminated_on,
                  service_refs as "service_refs: Json<Vec<String>>",
                  resource_refs as "resource_refs: Json<Vec<String>>",
                  source_order_id, source_item_id, last_order_id, last_item_id, version,
                  created_at, updated_at
             from asset
            where tenant_id = $1 and asset_id = $2"#,
        tenant.as_str(),
        asset_id.as_str(),
    )
    .fetch_optional(conn)
    .await?;
    row.map(StoredAsset::try_from).transpose()
}

/// Up to `limit` of the tenant's assets matching `filter`, with ids after `after`.
#[tracing::instrument(skip_all, err)]
pub async fn list(
    conn: &mut PgConnection,
    tenant: &TenantId,
    filter: &AssetFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<StoredAsset>, StoreError> {
    let rows = sqlx::query_as!(
        AssetRow,
        r#"select tenant_id, asset_id, customer_id, account_id, billing_account_id, offering_id,
                  offering_version, offering_name, product_spec_ref, quantity, status,
                  configuration as "configuration: Json<BTreeMap<String, String>>",
                  service_address as "service_address: Json<ServiceAddress>",
                  price_snapshot as "price_snapshot: Json<PriceSnapshot>",
                  activation_date, term_months, term_start_date, term_end_date, renewal_count,
                  terminated_on,
                  service_refs as "service_refs: Json<Vec<String>>",
                  resource_refs as "resource_refs: Json<Vec<String>>",
                  source_order_id, source_item_id, last_order_id, last_item_id, version,
                  created_at, updated_at
             from asset
            where tenant_id = $1
              and ($2::text is null or customer_id = $2)
              and ($3::text is null or account_id = $3)
              and ($4::text is null or status = $4)
              and ($5::text is null or asset_id > $5)
            order by asset_id
            limit $6"#,
        tenant.as_str(),
        filter.customer_id.as_deref(),
        filter.account_id.as_deref(),
        filter.status.as_deref(),
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(StoredAsset::try_from).collect()
}
