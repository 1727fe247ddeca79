//! The order search behind `GET /api/v1/orders`: tenant-scoped filters on the header
//! columns, newest first, limit/offset paging with the total count.

use chrono::{DateTime, Utc};
use oms_domain::Order;
use oms_domain::value::TenantId;
use sqlx::PgConnection;

use super::StoreError;

/// Filters; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub customer_id: Option<String>,
    pub account_id: Option<String>,
    /// Wire spelling, e.g. `IN_PROGRESS`.
    pub state: Option<String>,
    pub quote_id: Option<String>,
    pub external_order_ref: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct Page {
    pub orders: Vec<Order>,
    pub total: i64,
}

pub async fn search(
    conn: &mut PgConnection,
    tenant: &TenantId,
    filter: &OrderFilter,
    limit: i64,
    offset: i64,
) -> Result<Page, StoreError> {
    let rows = sqlx::query!(
        r#"select order_id, version, aggregate, count(*) over () as "total!"
             from orders
            where tenant_id = $1
              and ($2::text is null or customer_id = $2)
              and ($3::text is null or account_id = $3)
              and ($4::text is null or state = $4)
              and ($5::text is null or quote_id = $5)
              and ($6::text is null or external_order_ref = $6)
              and ($7::timestamptz is null or created_at >= $7)
              and ($8::timestamptz is null or created_at < $8)
            order by created_at desc, order_id
            limit $9 offset $10"#,
        tenant.as_str(),
        filter.customer_id,
        filter.account_id,
        filter.state,
        filter.quote_id,
        filter.external_order_ref,
        filter.created_from,
        filter.created_to,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let orders = rows
        .into_iter()
        .map(|r| {
            serde_json::from_value::<Order>(r.aggregate)
                .map_err(|e| StoreError::corrupt(format!("order {}", r.order_id), e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page { orders, total })
}
