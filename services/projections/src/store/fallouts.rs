//! `fallout_case`: the fallout cases of orders as order-capture records them. A case is OPEN
//! while the order carries it and CLOSED by the event that removed it. Read as the fallout
//! queue (open cases of a tenant, oldest first) and per order.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::StoreError;

/// A case as raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    pub fallout_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub category: String,
    pub code: String,
    pub item_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub message: String,
    pub remediation: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
}

/// Ids of the order's open cases.
pub async fn open_ids(conn: &mut PgConnection, order_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        "select fallout_id from fallout_case where order_id = $1 and status = 'OPEN' order by fallout_id",
        order_id,
    )
    .fetch_all(conn)
    .await?)
}

/// Records `case` as open (again, when a cancellation that had suspended it was rejected).
pub async fn open(conn: &mut PgConnection, case: &Raised) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into fallout_case (fallout_id, order_id, tenant_id, category, code, item_id,
                                     task_id, message, remediation, raised_at, raised_by, status)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'OPEN')
           on conflict (fallout_id) do update set
               status = 'OPEN', closed_at = null, closed_by = null, closed_with = null"#,
        case.fallout_id,
        case.order_id,
        case.tenant_id,
        case.category,
        case.code,
        case.item_id,
        case.task_id,
        case.message,
        case.remediation,
        case.raised_at,
        case.raised_by,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes case `fallout_id` at `at`, by `by`, with `with` (a resolution or an event type).
pub async fn close(
    conn: &mut PgConnection,
    fallout_id: Uuid,
    at: DateTime<Utc>,
    by: &str,
    with: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"update fallout_case set status = 'CLOSED', closed_at = $2, closed_by = $3, closed_with = $4
            where fallout_id = $1 and status = 'OPEN'"#,
        fallout_id,
        at,
        by,
        with,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A case with the order and task it concerns, as the queue and the order page show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub fallout_id: Uuid,
    pub order_id: Uuid,
    pub order_number: Option<String>,
    pub order_state: Option<String>,
    pub customer_id: Option<String>,
    pub category: String,
    pub code: String,
    pub item_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub task_type: Option<String>,
    pub target_system: Option<String>,
    pub message: String,
    pub remediation: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
    pub status: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub closed_with: Option<String>,
}

/// Filters of the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub category: Option<String>,
    pub code: Option<String>,
}

/// The tenant's open cases, oldest first.
pub async fn queue(
    conn: &mut PgConnection,
    tenant: &str,
    filter: &QueueFilter,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    Ok(sqlx::query_as!(
        CaseRow,
        r#"select f.fallout_id, f.order_id, v.order_number as "order_number?",
                  v.state as "order_state?", v.customer_id as "customer_id?", f.category, f.code,
                  f.item_id, f.task_id, t.task_type as "task_type?",
                  t.target_system as "target_system?", f.message, f.remediation, f.raised_at,
                  f.raised_by, f.status, f.closed_at, f.closed_by, f.closed_with
             from fallout_case f
             left join order_view v on v.order_id = f.order_id
             left join order_task t on t.task_id = f.task_id
            where f.tenant_id = $1 and f.status = 'OPEN'
              and ($2::text is null or f.category = $2)
              and ($3::text is null or f.code = $3)
            order by f.raised_at, f.fallout_id
            limit $4"#,
        tenant,
        filter.category.as_deref(),
        filter.code.as_deref(),
        limit,
    )
    .fetch_all(conn)
    .await?)
}

/// Every case of the tenant's order `order_id`, oldest first.
pub async fn of_order(
    conn: &mut PgConnection,
    tenant: &str,
    order_id: Uuid,
) -> Result<Vec<CaseRow>, StoreError> {
    Ok(sqlx::query_as!(
        CaseRow,
        r#"select f.fallout_id, f.order_id, v.order_number as "order_number?",
                  v.state as "order_state?", v.customer_id as "customer_id?", f.category, f.code,
                  f.item_id, f.task_id, t.task_type as "task_type?",
                  t.target_system as "target_system?", f.message, f.remediation, f.raised_at,
                  f.raised_by, f.status, f.closed_at, f.closed_by, f.closed_with
             from fallout_case f
             left join order_view v on v.order_id = f.order_id
             left join order_task t on t.task_id = f.task_id
            where f.tenant_id = $1 and f.order_id = $2
            order by f.raised_at, f.fallout_id"#,
        tenant,
        order_id,
    )
    .fetch_all(conn)
    .await?)
}
