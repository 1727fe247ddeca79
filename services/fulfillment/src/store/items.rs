//! `fulfillment_item`: the order items of a started plan and their result.
//!
//! Invariant: an item leaves IN_PROGRESS once, to FULFILLED or WAIVED, through [`finish`],
//! whose row count decides whether the caller emits the item's fact. Callers lock the item
//! rows ([`lock`]) before they look at the item's tasks, so two tasks of one item finishing
//! concurrently cannot both miss (or both see) the item's completion.

use super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub const IN_PROGRESS: &str = "IN_PROGRESS";
pub const FULFILLED: &str = "FULFILLED";
pub const WAIVED: &str = "WAIVED";
pub const CANCELLING: &str = "CANCELLING";
pub const CANCELLED: &str = "CANCELLED";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub item_id: Uuid,
    pub status: String,
    pub asset_effect: Option<String>,
    pub asset_id: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Creates the items of a started plan.
#[tracing::instrument(skip_all, err)]
pub async fn insert_all(
    conn: &mut PgConnection,
    order_id: Uuid,
    tenant_id: &str,
    item_ids: &[Uuid],
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into fulfillment_item (order_id, item_id, tenant_id)
           select $1, item_id, $3 from unnest($2::uuid[]) as i(item_id)
           on conflict (order_id, item_id) do nothing"#,
        order_id,
        item_ids,
        tenant_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks items of an order (in item id order) and returns them.
#[tracing::instrument(skip_all, err)]
pub async fn lock(
    conn: &mut PgConnection,
    order_id: Uuid,
    item_ids: &[Uuid],
) -> Result<Vec<ItemRow>, StoreError> {
    Ok(sqlx::query_as!(
        ItemRow,
        r#"select item_id, status, asset_effect, asset_id, finished_at
           from fulfillment_item where order_id = $1 and item_id = any($2)
           order by item_id for update"#,
        order_id,
        item_ids,
    )
    .fetch_all(conn)
    .await?)
}

#[tracing::instrument(skip_all, err)]
pub async fn of_order(conn: &mut PgConnection, order_id: Uuid) -> Result<Vec<ItemRow>, StoreError> {
    Ok(sqlx::query_as!(
        ItemRow,
        r#"select item_id, status, asset_effect, asset_id, finished_at
           from fulfillment_item where order_id = $1 order by item_id"#,
        order_id,
    )
    .fetch_all(conn)
    .await?)
}

/// Cancels the IN_PROGRESS items among `item_ids`; returns how many.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn cancel(
    conn: &mut PgConnection,
    order_id: Uuid,
    item_ids: &[Uuid],
) -> Result<u64, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_item set status = 'CANCELLED', finished_at = now()
           where order_id = $1 and item_id = any($2) and status = 'IN_PROGRESS'"#,
        order_id,
        item_ids,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected())
}

/// Moves an IN_PROGRESS item to `status`; `false` when it had already finished.
#[tracing::instrument(skip_all, err)]
pub async fn finish(
    conn: &mut PgConnection,
    order_id: Uuid,
    item_id: Uuid,
    status: &str,
    asset_effect: Option<&str>,
    asset_id: Option<&str>,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_item
           set status = $3, asset_effect = $4, asset_id = $5, finished_at = now()
           where order_id = $1 and item_id = $2 and status = 'IN_PROGRESS'"#,
        order_id,
        item_id,
        status,
        asset_effect,
        asset_id,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// What the tasks of an item in the started plan add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemProgress {
    pub tasks: i64,
    pub succeeded: i64,
    /// The item's installed-base effect as the plan states it, if it does.
    pub asset_effect: Option<String>,
    /// Service and resource references of the item's tasks, in completion order.
    pub service_refs: Vec<String>,
    pub resource_refs: Vec<String>,
}

impl ItemProgress {
    pub fn all_succeeded(&self) -> bool {
        self.tasks > 0 && self.succeeded == self.tasks
    }
}

#[tracing::instrument(skip_all, err)]
pub async fn progress(
    conn: &mut PgConnection,
    order_id: Uuid,
    item_id: Uuid,
) -> Result<ItemProgress, StoreError> {
    let rows = sqlx::query!(
        r#"select t.state, t.service_refs, t.resource_refs, t.item_asset_effect
           from fulfillment_task t
           join fulfillment_order o on o.order_id = t.order_id and o.started_plan_id = t.plan_id
           where t.order_id = $1 and $2 = any(t.item_ids) and t.purpose = 'EXECUTION'
           order by t.completed_at nulls last, t.task_id"#,
        order_id,
        item_id,
    )
    .fetch_all(conn)
    .await?;
    let mut progress = ItemProgress::default();
    for row in rows {
        progress.tasks += 1;
        if row.state == "SUCCEEDED" {
            progress.succeeded += 1;
        }
        if progress.asset_effect.is_none() {
            progress.asset_effect = row.item_asset_effect;
        }
        progress.service_refs.extend(row.service_refs);
        progress.resource_refs.extend(row.resource_refs);
    }
    Ok(progress)
}

/// Moves the items among `item_ids` that are IN_PROGRESS or FULFILLED to CANCELLING (a
/// cancellation decided to undo them); returns how many.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn begin_cancel(
    conn: &mut PgConnection,
    order_id: Uuid,
    item_ids: &[Uuid],
) -> Result<u64, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_item set status = 'CANCELLING'
           where order_id = $1 and item_id = any($2) and status in ('IN_PROGRESS', 'FULFILLED')"#,
        order_id,
        item_ids,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected())
}

/// Moves a CANCELLING item to CANCELLED; `false` when it was not CANCELLING (done before).
#[tracing::instrument(skip_all, err)]
pub async fn finish_cancel(
    conn: &mut PgConnection,
    order_id: Uuid,
    item_id: Uuid,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update fulfillment_item set status = 'CANCELLED', finished_at = now()
           where order_id = $1 and item_id = $2 and status = 'CANCELLING'"#,
        order_id,
        item_id,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}
