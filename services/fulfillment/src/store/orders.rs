//! `fulfillment_order` (one row per order: its release and which plan started) and
//! `fulfillment_plan` (plans received from decomposition).
//!
//! Invariant: `started_plan_id` is written once, to the released plan, by whichever handler
//! completes the (plan, release) pair while holding the order row's lock.

use super::StoreError;
use chrono::{DateTime, Utc};
use oms_domain::order::OrderContent;
use sqlx::PgConnection;
use uuid::Uuid;

/// An order as fulfillment knows it.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub order_id: Uuid,
    pub tenant_id: String,
    pub correlation_id: String,
    pub order_number: Option<String>,
    pub released_plan_id: Option<Uuid>,
    pub content: Option<serde_json::Value>,
    pub released_at: Option<DateTime<Utc>>,
    pub started_plan_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    /// Order-capture closed (failed-closed) or cancelled the order: nothing more runs.
    pub closed_at: Option<DateTime<Utc>>,
    /// The change request (cancellation or amendment) pausing execution, if any.
    pub frozen_by: Option<Uuid>,
    pub frozen_reason: Option<String>,
    /// An amendment's proposed content, in force once its re-plan is applied.
    pub pending_content: Option<serde_json::Value>,
}

impl OrderRow {
    /// The released order content (item context, parties, address).
    pub fn content(&self) -> Result<Option<OrderContent>, StoreError> {
        self.content
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| StoreError::corrupt("order content", e))
    }
}

/// Creates the order's row unless it exists.
#[tracing::instrument(skip_all, err)]
pub async fn ensure(
    conn: &mut PgConnection,
    order_id: Uuid,
    tenant_id: &str,
    correlation_id: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into fulfillment_order (order_id, tenant_id, correlation_id)
           values ($1, $2, $3) on conflict (order_id) do nothing"#,
        order_id,
        tenant_id,
        correlation_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The order row, locked for the rest of the transaction.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn lock(conn: &mut PgConnection, order_id: Uuid) -> Result<Option<OrderRow>, StoreError> {
    Ok(sqlx::query_as!(
        OrderRow,
        r#"select order_id, tenant_id, correlation_id, order_number, released_plan_id, content,
                  released_at, started_plan_id, started_at, closed_at, frozen_by, frozen_reason,
                  pending_content
           from fulfillment_order where order_id = $1 for update"#,
        order_id,
    )
    .fetch_optional(conn)
    .await?)
}

/// The order row of `tenant_id`, unlocked; `None` for an unknown order or another tenant's.
#[tracing::instrument(skip_all, err)]
pub async fn find(
    conn: &mut PgConnection,
    tenant_id: &str,
    order_id: Uuid,
) -> Result<Option<OrderRow>, StoreError> {
    Ok(sqlx::query_as!(
        OrderRow,
        r#"select order_id, tenant_id, correlation_id, order_number, released_plan_id, content,
                  released_at, started_plan_id, started_at, closed_at, frozen_by, frozen_reason,
                  pending_content
           from fulfillment_order where order_id = $1 and tenant_id = $2"#,
        order_id,
        tenant_id,
    )
    .fetch_optional(conn)
    .await?)
}

/// Stores a plan's header; `false` when it was stored before (a redelivered plan).
#[tracing::instrument(skip_all, err)]
pub async fn insert_plan(
    conn: &mut PgConnection,
    plan_id: Uuid,
    order_id: Uuid,
    tenant_id: &str,
    rules_version: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        r#"insert into fulfillment_plan (plan_id, order_id, tenant_id, rules_version)
           values ($1, $2, $3, $4) on conflict (plan_id) do nothing"#,
        plan_id,
        order_id,
        tenant_id,
        rules_version,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// A stored plan of the order: its rules version.
#[tracing::instrument(skip_all, err)]
pub async fn plan_rules_version(
    conn: &mut PgConnection,
    order_id: Uuid,
    plan_id: Uuid,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar!(
        "select rules_version from fulfillment_plan where plan_id = $1 and order_id = $2",
        plan_id,
        order_id,
    )
    .fetch_optional(conn)
    .await?)
}

/// Records order-capture's release of `plan_id` with the order content.
#[tracing::instrument(skip_all, fields(order_id = %order_id, plan_id = %plan_id), err)]
pub async fn record_release(
    conn: &mut PgConnection,
    order_id: Uuid,
    plan_id: Uuid,
    order_number: &str,
    content: &OrderContent,
) -> Result<(), StoreError> {
    let content =
        serde_json::to_value(content).map_err(|e| StoreError::corrupt("order content", e))?;
    sqlx::query!(
        r#"update fulfillment_order
           set released_plan_id = $2, order_number = $3, content = $4, released_at = now(),
               version = version + 1
           where order_id = $1 and started_plan_id is null"#,
        order_id,
        plan_id,
        order_number,
        content,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the released plan started (the caller holds the order row's lock).
#[tracing::instrument(skip_all, fields(order_id = %order_id, plan_id = %plan_id), err)]
pub async fn mark_started(
    conn: &mut PgConnection,
    order_id: Uuid,
    plan_id: Uuid,
) -> Result<(), StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_order
           set started_plan_id = $2, started_at = now(), version = version + 1
           where order_id = $1 and started_plan_id is null and released_plan_id = $2"#,
        order_id,
        plan_id,
    )
    .execute(conn)
    .await?;
    if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale {
            entity: "order",
            id: order_id.to_string(),
        })
    }
}

/// Marks the order closed by `event_type` (once); returns whether it was open.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn mark_closed(
    conn: &mut PgConnection,
    order_id: Uuid,
    event_type: &str,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_order
           set closed_at = now(), closed_by_event = $2, version = version + 1
           where order_id = $1 and closed_at is null"#,
        order_id,
        event_type,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Closed orders that still have tasks waiting, retrying or fallen out (left behind by a
/// call that was in flight when the order closed).
#[tracing::instrument(skip_all, err)]
pub async fn closed_with_open_tasks(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        r#"select distinct o.order_id from fulfillment_order o
           join fulfillment_task t on t.order_id = o.order_id
           where o.closed_at is not null
             and t.state in ('PENDING', 'READY', 'RETRY_SCHEDULED', 'FALLOUT')
           limit $1"#,
        limit,
    )
    .fetch_all(conn)
    .await?)
}

/// The rows of `order_ids` (released content, correlation id), unlocked, for dispatching
/// and for building item facts.
#[tracing::instrument(skip_all, err)]
pub async fn contexts(
    conn: &mut PgConnection,
    order_ids: &[Uuid],
) -> Result<Vec<OrderRow>, StoreError> {
    Ok(sqlx::query_as!(
        OrderRow,
        r#"select order_id, tenant_id, correlation_id, order_number, released_plan_id, content,
                  released_at, started_plan_id, started_at, closed_at, frozen_by, frozen_reason,
                  pending_content
           from fulfillment_order where order_id = any($1)"#,
        order_ids,
    )
    .fetch_all(conn)
    .await?)
}

/// Pauses the order's execution tasks for change request `request_id` (`reason`:
/// CANCELLATION or AMENDMENT). A pause by another request is kept (one change at a time).
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn freeze(
    conn: &mut PgConnection,
    order_id: Uuid,
    request_id: Uuid,
    reason: &str,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_order set frozen_by = $2, frozen_reason = $3, version = version + 1
           where order_id = $1 and (frozen_by is null or frozen_by = $2)"#,
        order_id,
        request_id,
        reason,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Ends the pause of `request_id` (no-op when another request or none holds it).
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn unfreeze(
    conn: &mut PgConnection,
    order_id: Uuid,
    request_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"update fulfillment_order
           set frozen_by = null, frozen_reason = null, pending_content = null,
               version = version + 1
           where order_id = $1 and frozen_by = $2"#,
        order_id,
        request_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps an amendment's proposed content until its re-plan is applied.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn set_pending_content(
    conn: &mut PgConnection,
    order_id: Uuid,
    content: &OrderContent,
) -> Result<(), StoreError> {
    let content =
        serde_json::to_value(content).map_err(|e| StoreError::corrupt("order content", e))?;
    sqlx::query!(
        "update fulfillment_order set pending_content = $2 where order_id = $1",
        order_id,
        content,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the order content downstream requests are built from (an amendment in force).
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn set_content(
    conn: &mut PgConnection,
    order_id: Uuid,
    content: &OrderContent,
) -> Result<(), StoreError> {
    let content =
        serde_json::to_value(content).map_err(|e| StoreError::corrupt("order content", e))?;
    sqlx::query!(
        "update fulfillment_order set content = $2, version = version + 1 where order_id = $1 and content is not null",
        order_id,
        content,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a (possibly started) order onto re-planned `plan_id`: the release and the start
/// point to it from now on (the caller moved the kept tasks).
#[tracing::instrument(skip_all, fields(order_id = %order_id, plan_id = %plan_id), err)]
pub async fn move_to_plan(
    conn: &mut PgConnection,
    order_id: Uuid,
    plan_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"update fulfillment_order
           set released_plan_id = case when released_plan_id is null then null else $2::uuid end,
               started_plan_id = case when started_plan_id is null then null else $2::uuid end,
               version = version + 1
           where order_id = $1"#,
        order_id,
        plan_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}
