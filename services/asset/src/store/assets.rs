//! The `asset` table: the current state of each asset. Rows are read `for update` by the
//! consumer before a change and written with an optimistic version check, so two writers can
//! never both move an asset from the same version.

use chrono::{DateTime, NaiveDate, Utc};
use oms_domain::events::InstalledAsset;
use oms_domain::order::{PriceSnapshot, ProductSnapshot, ServiceAddress};
use oms_domain::value::{
    AccountId, AssetId, BillingAccountId, CustomerId, OrderId, OrderItemId, ProductOfferingId,
    ProductSpecRef, Quantity, TenantId,
};
use oms_domain::vocab::AssetStatus;
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::StoreError;
use super::text::{parse_enum, to_text};
use crate::model::AssetState;

/// An asset as stored: its state plus the row's version and timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAsset {
    pub state: AssetState,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One `asset` row as PostgreSQL returns it.
#[derive(Debug)]
pub(super) struct AssetRow {
    pub tenant_id: String,
    pub asset_id: String,
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub offering_id: String,
    pub offering_version: Option<i64>,
    pub offering_name: Option<String>,
    pub product_spec_ref: Option<String>,
    pub quantity: i64,
    pub status: String,
    pub configuration: Json<BTreeMap<String, String>>,
    pub service_address: Option<Json<ServiceAddress>>,
    pub price_snapshot: Json<PriceSnapshot>,
    pub activation_date: Option<NaiveDate>,
    pub term_months: Option<i32>,
    pub term_start_date: Option<NaiveDate>,
    pub term_end_date: Option<NaiveDate>,
    pub renewal_count: i32,
    pub terminated_on: Option<NaiveDate>,
    pub service_refs: Json<Vec<String>>,
    pub resource_refs: Json<Vec<String>>,
    pub source_order_id: Uuid,
    pub source_item_id: Uuid,
    pub last_order_id: Uuid,
    pub last_item_id: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<AssetRow> for StoredAsset {
    type Error = StoreError;

    fn try_from(row: AssetRow) -> Result<Self, StoreError> {
        let corrupt = |column: &'static str| {
            move |error: oms_domain::ValueError| StoreError::Corrupt {
                column,
                detail: error.to_string(),
            }
        };
        let count = |column: &'static str, value: i64| {
            u32::try_from(value).map_err(|_| StoreError::Corrupt {
                column,
                detail: format!("{value} is out of range"),
            })
        };
        let installed = InstalledAsset {
            customer_id: CustomerId::parse(&row.customer_id).map_err(corrupt("customer_id"))?,
            account_id: AccountId::parse(&row.account_id).map_err(corrupt("account_id"))?,
            billing_account_id: BillingAccountId::parse(&row.billing_account_id)
                .map_err(corrupt("billing_account_id"))?,
            product: ProductSnapshot {
                offering_id: ProductOfferingId::parse(&row.offering_id)
                    .map_err(corrupt("offering_id"))?,
                offering_version: row
                    .offering_version
                    .map(|v| count("offering_version", v))
                    .transpose()?,
                offering_name: row.offering_name,
                spec_ref: row
                    .product_spec_ref
                    .as_deref()
                    .map(ProductSpecRef::parse)
                    .transpose()
                    .map_err(corrupt("product_spec_ref"))?,
            },
            quantity: Quantity::parse(row.quantity).map_err(corrupt("quantity"))?,
            status: parse_enum::<AssetStatus>("status", &row.status)?,
            configuration: row.configuration.0,
            service_address: row.service_address.map(|a| a.0),
            price: row.price_snapshot.0,
            activation_date: row.activation_date,
            term_months: row
                .term_months
                .map(|m| count("term_months", i64::from(m)))
                .transpose()?,
            term_end_date: row.term_end_date,
        };
        let state = AssetState {
            asset_id: AssetId::parse(&row.asset_id).map_err(corrupt("asset_id"))?,
            tenant_id: TenantId::parse(&row.tenant_id).map_err(corrupt("tenant_id"))?,
            installed,
            term_start_date: row.term_start_date,
            renewal_count: count("renewal_count", i64::from(row.renewal_count))?,
            terminated_on: row.terminated_on,
            service_refs: row.service_refs.0,
            resource_refs: row.resource_refs.0,
            source_order_id: OrderId::from_uuid(row.source_order_id),
            source_item_id: OrderItemId::from_uuid(row.source_item_id),
            last_order_id: OrderId::from_uuid(row.last_order_id),
            last_item_id: OrderItemId::from_uuid(row.last_item_id),
        };
        Ok(Self {
            state,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The asset, locked until the caller's transaction ends; `None` when the tenant has none
/// with that id.
#[tracing::instrument(skip_all, fields(asset_id = %asset_id), err)]
pub async fn load_for_update(
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
            where tenant_id = $1 and asset_id = $2
              for update"#,
        tenant.as_str(),
        asset_id.as_str(),
    )
    .fetch_optional(conn)
    .await?;
    row.map(StoredAsset::try_from).transpose()
}

/// Inserts a new asset at version 1. A concurrent insert of the same id is a
/// [`StoreError::VersionConflict`] (expected version 0), which the consumer retries.
#[tracing::instrument(skip_all, fields(asset_id = %asset.asset_id), err)]
pub async fn insert(conn: &mut PgConnection, asset: &AssetState) -> Result<(), StoreError> {
    let a = &asset.installed;
    let inserted = sqlx::query!(
        r#"insert into asset
               (tenant_id, asset_id, customer_id, account_id, billing_account_id, offering_id,
                offering_version, offering_name, product_spec_ref, quantity, status,
                configuration, service_address, price_snapshot, activation_date, term_months,
                term_start_date, term_end_date, renewal_count, terminated_on, service_refs,
                resource_refs, source_order_id, source_item_id, last_order_id, last_item_id,
                version)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24, $25, $26, 1)"#,
        asset.tenant_id.as_str(),
        asset.asset_id.as_str(),
        a.customer_id.as_str(),
        a.account_id.as_str(),
        a.billing_account_id.as_str(),
        a.product.offering_id.as_str(),
        a.product.offering_version.map(i64::from),
        a.product.offering_name.as_deref(),
        a.product.spec_ref.as_ref().map(ProductSpecRef::as_str),
        i64::from(a.quantity),
        to_text(&a.status)?,
        Json(&a.configuration) as _,
        a.service_address.as_ref().map(Json) as _,
        Json(&a.price) as _,
        a.activation_date,
        a.term_months.map(i32_of).transpose()?,
        asset.term_start_date,
        a.term_end_date,
        i32_of(asset.renewal_count)?,
        asset.terminated_on,
        Json(&asset.service_refs) as _,
        Json(&asset.resource_refs) as _,
        asset.source_order_id.as_uuid(),
        asset.source_item_id.as_uuid(),
        asset.last_order_id.as_uuid(),
        asset.last_item_id.as_uuid(),
    )
    .execute(conn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // Another item created the same asset id concurrently: retrying sees it and refuses.
        Err(error) if violates(&error, "asset_pkey") => Err(StoreError::VersionConflict {
            asset_id: asset.asset_id.to_string(),
            expected: 0,
        }),
        Err(error) => Err(error.into()),
    }
}

/// Writes `asset` over version `expected`, moving it to `expected + 1`. Fails with
/// [`StoreError::VersionConflict`] when the row is not at `expected` any more.
#[tracing::instrument(skip_all, fields(asset_id = %asset.asset_id, expected), err)]
pub async fn update(
    conn: &mut PgConnection,
    asset: &AssetState,
    expected: i64,
) -> Result<i64, StoreError> {
    let a = &asset.installed;
    let updated = sqlx::query!(
        r#"update asset
              set billing_account_id = $3, offering_id = $4, offering_version = $5,
                  offering_name = $6, product_spec_ref = $7, quantity = $8, status = $9,
                  configuration = $10, service_address = $11, price_snapshot = $12,
                  term_months = $13, term_start_date = $14, term_end_date = $15,
                  renewal_count = $16, terminated_on = $17, service_refs = $18,
                  resource_refs = $19, last_order_id = $20, last_item_id = $21,
                  version = version + 1, updated_at = now()
            where tenant_id = $1 and asset_id = $2 and version = $22"#,
        asset.tenant_id.as_str(),
        asset.asset_id.as_str(),
        a.billing_account_id.as_str(),
        a.product.offering_id.as_str(),
        a.product.offering_version.map(i64::from),
        a.product.offering_name.as_deref(),
        a.product.spec_ref.as_ref().map(ProductSpecRef::as_str),
        i64::from(a.quantity),
        to_text(&a.status)?,
        Json(&a.configuration) as _,
        a.service_address.as_ref().map(Json) as _,
        Json(&a.price) as _,
        a.term_months.map(i32_of).transpose()?,
        asset.term_start_date,
        a.term_end_date,
        i32_of(asset.renewal_count)?,
        asset.terminated_on,
        Json(&asset.service_refs) as _,
        Json(&asset.resource_refs) as _,
        asset.last_order_id.as_uuid(),
        asset.last_item_id.as_uuid(),
        expected,
    )
    .execute(conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::VersionConflict {
            asset_id: asset.asset_id.to_string(),
            expected,
        });
    }
    Ok(expected + 1)
}

fn i32_of(value: u32) -> Result<i32, StoreError> {
    i32::try_from(value).map_err(|_| StoreError::OutOfRange {
        value: value.into(),
    })
}

/// Whether `error` violates the constraint named `constraint`.
fn violates(error: &sqlx::Error, constraint: &str) -> bool {
    error
        .as_database_error()
        .and_then(sqlx::error::DatabaseError::constraint)
        == Some(constraint)
}
