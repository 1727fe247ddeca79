//! `fulfillment_audit`: append-only record of operator actions, accepted or refused, with
//! actor, reason and evidence. An accepted action's row commits with its effects; a refused
//! one is written on its own after the action's transaction rolled back.

use super::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// One operator action to record.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub tenant_id: &'a str,
    pub order_id: Uuid,
    pub task_id: Option<Uuid>,
    pub item_id: Option<Uuid>,
    /// RETRY_TASK, COMPLETE_TASK or WAIVE_ITEM.
    pub action: &'a str,
    pub actor: &'a str,
    pub reason: &'a str,
    pub evidence: Option<&'a serde_json::Value>,
    pub correlation_id: Option<&'a str>,
}

#[tracing::instrument(skip_all, fields(action = entry.action, outcome = outcome), err)]
pub async fn record(
    conn: &mut PgConnection,
    entry: &AuditEntry<'_>,
    outcome: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into fulfillment_audit
               (tenant_id, order_id, task_id, item_id, action, actor, reason, evidence, outcome,
                correlation_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"#,
        entry.tenant_id,
        entry.order_id,
        entry.task_id,
        entry.item_id,
        entry.action,
        entry.actor,
        entry.reason,
        entry.evidence,
        outcome,
        entry.correlation_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub action: String,
    pub task_id: Option<Uuid>,
    pub item_id: Option<Uuid>,
    pub actor: String,
    pub reason: String,
    #[schema(value_type = Option<Object>)]
    pub evidence: Option<serde_json::Value>,
    pub outcome: String,
    pub at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, err)]
pub async fn of_order(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as!(
        AuditRow,
        r#"select action, task_id, item_id, actor, reason, evidence, outcome, at
           from fulfillment_audit where order_id = $1 order by id"#,
        order_id,
    )
    .fetch_all(conn)
    .await?)
}
