//! The `orders` and `order_items` tables: the aggregate as JSONB plus the header and item
//! columns queries filter on, written together. Updates are optimistic:
//! `where order_id = $1 and version = $loaded`, zero rows meaning someone else won.

use chrono::{DateTime, Datelike as _, Utc};
use oms_domain::Order;
use oms_domain::value::{OrderId, OrderNumber, TenantId};
use sqlx::PgConnection;

use super::{StoreError, wire};

/// The queryable header columns of an order.
struct HeaderColumns {
    customer_id: String,
    account_id: String,
    billing_account_id: String,
    quote_id: Option<String>,
    quote_revision: Option<i32>,
    external_order_ref: Option<String>,
}

impl HeaderColumns {
    /// From the typed content once validated, else from the intake as received (a rejected
    /// order keeps its quote reference, so the revision stays converted, but not its
    /// external reference, which a corrected retry may reuse).
    fn of(order: &Order) -> Self {
        if let Some(content) = &order.content {
            let header = &content.header;
            let quote = header.source.quote.as_ref();
            return Self {
                customer_id: header.parties.customer_id.to_string(),
                account_id: header.parties.account_id.to_string(),
                billing_account_id: header.parties.billing_account_id.to_string(),
                quote_id: quote.map(|q| q.quote_id.to_string()),
                quote_revision: quote.and_then(|q| i32::try_from(q.revision).ok()),
                external_order_ref: header
                    .source
                    .external_order_ref
                    .as_ref()
                    .map(ToString::to_string),
            };
        }
        let intake = &order.intake;
        let quote = intake
            .quote
            .as_ref()
            .and_then(|q| Some((q.quote_id.clone(), i32::try_from(q.revision).ok()?)));
        Self {
            customer_id: intake.customer.customer_id.clone(),
            account_id: intake.customer.account_id.clone(),
            billing_account_id: intake.customer.billing_account_id.clone(),
            quote_id: quote.as_ref().map(|(id, _)| id.clone()),
            quote_revision: quote.map(|(_, revision)| revision),
            external_order_ref: None,
        }
    }
}

fn version(order: &Order) -> i64 {
    i64::try_from(order.version).unwrap_or(i64::MAX)
}

fn aggregate(order: &Order) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(order).map_err(|e| StoreError::corrupt(format!("order {}", order.id), e))
}

/// Allocates the next order number `O-<year>-<8 digits>` for an order captured at `at`.
pub async fn next_order_number(
    conn: &mut PgConnection,
    at: DateTime<Utc>,
) -> Result<OrderNumber, StoreError> {
    let sequence = sqlx::query_scalar!(r#"select nextval('order_number_seq') as "n!""#)
        .fetch_one(conn)
        .await?;
    let sequence = u32::try_from(sequence)
        .map_err(|e| StoreError::corrupt("order_number_seq", e.to_string()))?;
    OrderNumber::from_parts(at.year(), sequence)
        .map_err(|e| StoreError::corrupt("order number", e.to_string()))
}

/// Inserts a new order (version 1 or later if automatic commands already ran).
#[tracing::instrument(skip_all, fields(order_id = %order.id), err)]
pub async fn insert(conn: &mut PgConnection, order: &Order) -> Result<(), StoreError> {
    let h = HeaderColumns::of(order);
    sqlx::query!(
        r#"insert into orders (order_id, tenant_id, order_number, state, capture_mode,
               customer_id, account_id, billing_account_id, quote_id, quote_revision,
               external_order_ref, version, aggregate, created_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"#,
        order.id.as_uuid(),
        order.tenant.as_str(),
        order.number.as_str(),
        wire(&order.state),
        wire(&order.capture_mode),
        h.customer_id,
        h.account_id,
        h.billing_account_id,
        h.quote_id,
        h.quote_revision,
        h.external_order_ref,
        version(order),
        aggregate(order)?,
        order.created_at,
        order.updated_at,
    )
    .execute(&mut *conn)
    .await?;
    sync_items(conn, order).await
}

/// Writes `order` over the stored one if that still has `expected_version`. A lost race is an
/// expected outcome under concurrent facts (the caller reloads), so it is not logged as an error.
#[tracing::instrument(skip_all, fields(order_id = %order.id, expected_version), err(level = "debug"))]
pub async fn update(
    conn: &mut PgConnection,
    order: &Order,
    expected_version: u64,
) -> Result<(), StoreError> {
    let h = HeaderColumns::of(order);
    let expected = i64::try_from(expected_version).unwrap_or(i64::MAX);
    let updated = sqlx::query!(
        r#"update orders
              set state = $3, customer_id = $4, account_id = $5, billing_account_id = $6,
                  quote_id = $7, quote_revision = $8, external_order_ref = $9,
                  version = $10, aggregate = $11, updated_at = $12
            where order_id = $1 and version = $2"#,
        order.id.as_uuid(),
        expected,
        wire(&order.state),
        h.customer_id,
        h.account_id,
        h.billing_account_id,
        h.quote_id,
        h.quote_revision,
        h.external_order_ref,
        version(order),
        aggregate(order)?,
        order.updated_at,
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::VersionConflict {
            order_id: order.id,
            expected: expected_version,
        });
    }
    sync_items(conn, order).await
}

/// Keeps `order_items` in step with the aggregate's items.
async fn sync_items(conn: &mut PgConnection, order: &Order) -> Result<(), StoreError> {
    for item in order.items() {
        sqlx::query!(
            r#"insert into order_items (item_id, order_id, tenant_id, line_number,
                   client_item_ref, parent_item_id, action, product_offering_id, quantity,
                   target_asset_id, actual_asset_id, state, fulfillment_state, updated_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
               on conflict (item_id) do update
                  set actual_asset_id = excluded.actual_asset_id, state = excluded.state,
                      fulfillment_state = excluded.fulfillment_state,
                      updated_at = excluded.updated_at"#,
            item.id.as_uuid(),
            order.id.as_uuid(),
            order.tenant.as_str(),
            i32::try_from(item.line_number.get()).unwrap_or(i32::MAX),
            item.client_item_ref.as_str(),
            item.parent_id.map(|p| p.as_uuid()),
            wire(&item.action),
            item.product.offering_id.as_str(),
            i64::from(item.quantity.get()),
            item.target_asset_id.as_ref().map(|a| a.as_str().to_owned()),
            item.actual_asset_id.as_ref().map(|a| a.as_str().to_owned()),
            wire(&item.state),
            wire(&item.fulfillment_state),
            order.updated_at,
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Reads an aggregate row back into the domain.
fn decode(
    order_id: uuid::Uuid,
    version: i64,
    aggregate: serde_json::Value,
) -> Result<Order, StoreError> {
    let order: Order = serde_json::from_value(aggregate)
        .map_err(|e| StoreError::corrupt(format!("order {order_id}"), e))?;
    if i64::try_from(order.version).ok() != Some(version) {
        return Err(StoreError::corrupt(
            format!("order {order_id}"),
            format!(
                "aggregate version {} != row version {version}",
                order.version
            ),
        ));
    }
    Ok(order)
}

/// The order with `order_id`, whatever its tenant (consumers check the fact's tenant).
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn load(conn: &mut PgConnection, order_id: OrderId) -> Result<Option<Order>, StoreError> {
    let row = sqlx::query!(
        "select order_id, version, aggregate from orders where order_id = $1",
        order_id.as_uuid()
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| decode(r.order_id, r.version, r.aggregate))
        .transpose()
}

/// The order with `order_id` if it belongs to `tenant` (another tenant's order is `None`).
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn load_for_tenant(
    conn: &mut PgConnection,
    tenant: &TenantId,
    order_id: OrderId,
) -> Result<Option<Order>, StoreError> {
    let row = sqlx::query!(
        "select order_id, version, aggregate from orders where order_id = $1 and tenant_id = $2",
        order_id.as_uuid(),
        tenant.as_str()
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| decode(r.order_id, r.version, r.aggregate))
        .transpose()
}

/// The order that converted this tenant's quote revision, if any.
pub async fn converted_quote(
    conn: &mut PgConnection,
    tenant: &TenantId,
    quote_id: &str,
    revision: i64,
) -> Result<Option<OrderId>, StoreError> {
    let Ok(revision) = i32::try_from(revision) else {
        return Ok(None);
    };
    let id = sqlx::query_scalar!(
        "select order_id from orders where tenant_id = $1 and quote_id = $2 and quote_revision = $3",
        tenant.as_str(),
        quote_id,
        revision
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(OrderId::from_uuid))
}

/// The order of this tenant that uses `external_order_ref`, if any.
pub async fn with_external_ref(
    conn: &mut PgConnection,
    tenant: &TenantId,
    external_order_ref: &str,
) -> Result<Option<OrderId>, StoreError> {
    let id = sqlx::query_scalar!(
        "select order_id from orders where tenant_id = $1 and external_order_ref = $2",
        tenant.as_str(),
        external_order_ref
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.map(OrderId::from_uuid))
}
