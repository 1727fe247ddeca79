//! `decomposition_plan`: the plan of each decomposed order, written once (a trigger refuses
//! updates). `plan_json` holds the planner's canonical bytes verbatim (PostgreSQL's `json`
//! keeps the text as given), so "byte-identical" can be checked on what is stored, and
//! `input_json` the planner input, so the plan can be recomputed and compared at any time.

use chrono::{DateTime, Utc};
use oms_domain::value::{OrderId, TenantId};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{StoreError, to_i32, to_u32};
use crate::planner::DecompositionPlan;

/// A plan to insert.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    pub tenant_id: &'a TenantId,
    pub plan: &'a DecompositionPlan,
    /// `plan.to_canonical_json()` as text.
    pub plan_json: &'a str,
    /// The canonical planner input as text.
    pub input_json: &'a str,
    pub release_event_id: Uuid,
    pub event_id: Uuid,
}

/// A stored plan.
#[derive(Debug, Clone)]
pub struct StoredPlan {
    pub tenant_id: String,
    pub rules_label: String,
    pub plan: DecompositionPlan,
    /// The stored canonical JSON, exactly as written.
    pub plan_json: String,
    pub input_json: String,
    pub release_event_id: Uuid,
    pub event_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(order_id = %new.plan.order_id, plan_id = %new.plan.plan_id), err)]
pub async fn insert(conn: &mut PgConnection, new: &NewPlan<'_>) -> Result<(), StoreError> {
    let plan = new.plan;
    sqlx::query!(
        r#"insert into decomposition_plan
               (order_id, tenant_id, plan_id, rules_version, rules_label, input_hash, plan_hash,
                plan_json, input_json, task_count, release_event_id, event_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8::text::json, $9::text::json, $10, $11, $12)"#,
        plan.order_id.as_uuid(),
        new.tenant_id.as_str(),
        plan.plan_id.as_uuid(),
        to_i32("rules_version", plan.rules_version.number)?,
        plan.rules_version.label(),
        plan.input_hash,
        plan.plan_hash,
        new.plan_json,
        new.input_json,
        to_i32("task_count", plan.tasks.len())?,
        new.release_event_id,
        new.event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The plan of `order_id` in `tenant`, if any (another tenant's plan is "none").
pub async fn find(
    conn: &mut PgConnection,
    tenant: &str,
    order_id: OrderId,
) -> Result<Option<StoredPlan>, StoreError> {
    let row = sqlx::query!(
        r#"select tenant_id, rules_version, rules_label, plan_json::text as "plan_json!",
                  input_json::text as "input_json!", release_event_id, event_id, created_at
             from decomposition_plan where tenant_id = $1 and order_id = $2"#,
        tenant,
        order_id.as_uuid(),
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let plan: DecompositionPlan = serde_json::from_str(&row.plan_json)
        .map_err(|error| StoreError::corrupt("plan_json", error))?;
    if plan.rules_version.number != to_u32("rules_version", row.rules_version)? {
        return Err(StoreError::corrupt(
            "rules_version",
            "differs from the stored plan's rules version",
        ));
    }
    Ok(Some(StoredPlan {
        tenant_id: row.tenant_id,
        rules_label: row.rules_label,
        plan,
        plan_json: row.plan_json,
        input_json: row.input_json,
        release_event_id: row.release_event_id,
        event_id: row.event_id,
        created_at: row.created_at,
    }))
}
