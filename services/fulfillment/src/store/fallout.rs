//! `fallout_case`: durable cases opened when a task exhausts its retries or fails
//! permanently. At most one case per task is open (a unique partial index); an operator
//! action resolves it with a resolution, never by deleting it.

use super::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FalloutRow {
    pub fallout_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub task_id: Uuid,
    pub item_ids: Vec<Uuid>,
    pub code: String,
    pub message: String,
    pub remediation: Option<String>,
    pub status: String,
    pub resolution: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
}

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewFallout<'a> {
    pub fallout_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: &'a str,
    pub task_id: Uuid,
    pub item_ids: &'a [Uuid],
    pub code: &'a str,
    pub message: &'a str,
    pub remediation: Option<&'a str>,
}

#[tracing::instrument(skip_all, fields(fallout_id = %case.fallout_id, task_id = %case.task_id), err)]
pub async fn open(conn: &mut PgConnection, case: &NewFallout<'_>) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into fallout_case
               (fallout_id, order_id, tenant_id, task_id, item_ids, code, message, remediation)
           values ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        case.fallout_id,
        case.order_id,
        case.tenant_id,
        case.task_id,
        case.item_ids,
        case.code,
        case.message,
        case.remediation,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Resolves the open case of `task_id`, if any; returns it.
#[tracing::instrument(skip_all, fields(task_id = %task_id, resolution = resolution), err)]
pub async fn resolve_open(
    conn: &mut PgConnection,
    task_id: Uuid,
    resolution: &str,
    resolved_by: &str,
) -> Result<Option<FalloutRow>, StoreError> {
    Ok(sqlx::query_as!(
        FalloutRow,
        r#"update fallout_case
           set status = 'RESOLVED', resolution = $2, resolved_at = now(), resolved_by = $3
           where task_id = $1 and status = 'OPEN'
           returning fallout_id, order_id, tenant_id, task_id, item_ids, code, message,
                     remediation, status, resolution, raised_at, resolved_at, resolved_by"#,
        task_id,
        resolution,
        resolved_by,
    )
    .fetch_optional(conn)
    .await?)
}

/// The tenant's cases with `status` (OPEN or RESOLVED; any when `None`), oldest first.
#[tracing::instrument(skip_all, err)]
pub async fn list(
    conn: &mut PgConnection,
    tenant_id: &str,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<FalloutRow>, StoreError> {
    Ok(sqlx::query_as!(
        FalloutRow,
        r#"select fallout_id, order_id, tenant_id, task_id, item_ids, code, message, remediation,
                  status, resolution, raised_at, resolved_at, resolved_by
           from fallout_case
           where tenant_id = $1 and ($2::text is null or status = $2)
           order by raised_at, fallout_id
           limit $3"#,
        tenant_id,
        status,
        limit,
    )
    .fetch_all(conn)
    .await?)
}

#[tracing::instrument(skip_all, err)]
pub async fn of_order(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Vec<FalloutRow>, StoreError> {
    Ok(sqlx::query_as!(
        FalloutRow,
        r#"select fallout_id, order_id, tenant_id, task_id, item_ids, code, message, remediation,
                  status, resolution, raised_at, resolved_at, resolved_by
           from fallout_case where order_id = $1 order by raised_at, fallout_id"#,
        order_id,
    )
    .fetch_all(conn)
    .await?)
}
