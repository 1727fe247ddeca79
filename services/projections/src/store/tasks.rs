//! `order_task`: the plan's tasks (from `OrderDecomposed`) and their execution (from the
//! fulfillment topic). The two writers own disjoint columns and both upsert, so the row is the
//! same whichever topic the consumer read first.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;

/// A task as the plan describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub task_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub plan_id: Uuid,
    pub task_type: String,
    pub target_system: String,
    pub item_ids: Vec<Uuid>,
    pub depends_on: Vec<Uuid>,
    pub reversibility: String,
    pub external_effect_level: String,
}

/// Writes the plan columns of a task.
pub async fn plan(conn: &mut PgConnection, task: &Planned) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into order_task (task_id, order_id, tenant_id, plan_id, task_type, target_system,
                                   item_ids, depends_on, reversibility, external_effect_level)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict (task_id) do update set
               plan_id = excluded.plan_id, task_type = excluded.task_type,
               target_system = excluded.target_system, item_ids = excluded.item_ids,
               depends_on = excluded.depends_on, reversibility = excluded.reversibility,
               external_effect_level = excluded.external_effect_level"#,
        task.task_id,
        task.order_id,
        task.tenant_id,
        task.plan_id,
        task.task_type,
        task.target_system,
        Json(&task.item_ids) as _,
        Json(&task.depends_on) as _,
        task.reversibility,
        task.external_effect_level,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What one fulfillment event says about a task; `None` fields keep their value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub task_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub status: &'static str,
    pub attempt: Option<i32>,
    pub error: Option<(String, String)>,
    pub external_ref: Option<String>,
    pub fallout_id: Option<Uuid>,
    /// A start: `started_at` keeps the first one.
    pub started: bool,
    pub at: DateTime<Utc>,
}

/// Writes the execution columns of a task.
pub async fn progress(conn: &mut PgConnection, p: &Progress) -> Result<(), StoreError> {
    let (code, message) = p.error.clone().unzip();
    sqlx::query!(
        r#"insert into order_task (task_id, order_id, tenant_id, status, attempt, last_error_code,
                                   last_error_message, external_ref, fallout_id, started_at,
                                   status_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, case when $10::bool then $11::timestamptz end, $11)
           on conflict (task_id) do update set
               status = excluded.status,
               attempt = coalesce(excluded.attempt, order_task.attempt),
               last_error_code = coalesce(excluded.last_error_code, order_task.last_error_code),
               last_error_message = coalesce(excluded.last_error_message,
                                             order_task.last_error_message),
               external_ref = coalesce(excluded.external_ref, order_task.external_ref),
               fallout_id = coalesce(excluded.fallout_id, order_task.fallout_id),
               started_at = coalesce(order_task.started_at, excluded.started_at),
               status_at = excluded.status_at"#,
        p.task_id,
        p.order_id,
        p.tenant_id,
        p.status,
        p.attempt,
        code,
        message,
        p.external_ref,
        p.fallout_id,
        p.started,
        p.at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the tasks of order `order_id` that fell out with case `fallout_id` as resolved (the
/// engine runs them again, or an operator completed or waived them).
pub async fn resolve_fallout(
    conn: &mut PgConnection,
    order_id: Uuid,
    fallout_id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"update order_task set status = 'RESOLVED', status_at = $3
            where order_id = $1 and fallout_id = $2 and status = 'FALLOUT'"#,
        order_id,
        fallout_id,
        at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A task as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    pub task_id: Uuid,
    pub plan_id: Option<Uuid>,
    pub task_type: Option<String>,
    pub target_system: Option<String>,
    pub item_ids: Vec<Uuid>,
    pub depends_on: Vec<Uuid>,
    pub reversibility: Option<String>,
    pub external_effect_level: Option<String>,
    pub status: Option<String>,
    pub attempt: Option<i32>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub external_ref: Option<String>,
    pub fallout_id: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub status_at: Option<DateTime<Utc>>,
}

/// Every task of the tenant's order `order_id`, in task-id order.
pub async fn of_order(
    conn: &mut PgConnection,
    tenant: &str,
    order_id: Uuid,
) -> Result<Vec<TaskRow>, StoreError> {
    let rows = sqlx::query!(
        r#"select task_id, plan_id, task_type, target_system,
                  item_ids as "item_ids: Json<Vec<Uuid>>",
                  depends_on as "depends_on: Json<Vec<Uuid>>",
                  reversibility, external_effect_level, status, attempt, last_error_code,
                  last_error_message, external_ref, fallout_id, started_at, status_at
             from order_task
            where tenant_id = $1 and order_id = $2
            order by task_id"#,
        tenant,
        order_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TaskRow {
            task_id: r.task_id,
            plan_id: r.plan_id,
            task_type: r.task_type,
            target_system: r.target_system,
            item_ids: r.item_ids.map(|j| j.0).unwrap_or_default(),
            depends_on: r.depends_on.map(|j| j.0).unwrap_or_default(),
            reversibility: r.reversibility,
            external_effect_level: r.external_effect_level,
            status: r.status,
            attempt: r.attempt,
            last_error_code: r.last_error_code,
            last_error_message: r.last_error_message,
            external_ref: r.external_ref,
            fallout_id: r.fallout_id,
            started_at: r.started_at,
            status_at: r.status_at,
        })
        .collect())
}
