//! `compensation_plan` (one per cancellation request) and `plan_amendment` (one per
//! amendment that needs a re-plan): the durable state of a change request in fulfillment
//! (ADR 0008). Callers hold the order row's lock.

use super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub const ASSESSING: &str = "ASSESSING";
pub const PROPOSED: &str = "PROPOSED";
pub const EXECUTING: &str = "EXECUTING";
pub const COMPLETED: &str = "COMPLETED";
pub const DISCARDED: &str = "DISCARDED";

#[derive(Debug, Clone)]
pub struct CompensationPlanRow {
    pub compensation_plan_id: Uuid,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub status: String,
    pub scope_item_ids: Vec<Uuid>,
    pub force_manual_review: bool,
    pub feasibility: Option<String>,
    pub assessment: Option<serde_json::Value>,
    pub cancelling_item_ids: Vec<Uuid>,
    pub correlation_id: String,
    pub created_at: DateTime<Utc>,
    pub assessed_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Records a cancellation request (ASSESSING); `false` if it was recorded before.
#[allow(clippy::too_many_arguments)]
pub async fn insert_compensation_plan(
    conn: &mut PgConnection,
    request_id: Uuid,
    order_id: Uuid,
    tenant_id: &str,
    scope_item_ids: &[Uuid],
    force_manual_review: bool,
    correlation_id: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        r#"insert into compensation_plan
               (compensation_plan_id, order_id, tenant_id, scope_item_ids, force_manual_review,
                correlation_id)
           values ($1, $2, $3, $4, $5, $6) on conflict do nothing"#,
        request_id,
        order_id,
        tenant_id,
        scope_item_ids,
        force_manual_review,
        correlation_id,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn compensation_plan(
    conn: &mut PgConnection,
    request_id: Uuid,
) -> Result<Option<CompensationPlanRow>, StoreError> {
    Ok(sqlx::query_as!(
        CompensationPlanRow,
        r#"select compensation_plan_id, order_id, tenant_id, status, scope_item_ids,
                  force_manual_review, feasibility, assessment, cancelling_item_ids,
                  correlation_id, created_at, assessed_at, started_at, finished_at
           from compensation_plan where compensation_plan_id = $1"#,
        request_id,
    )
    .fetch_optional(conn)
    .await?)
}

/// The compensation plans of an order, oldest first (views).
pub async fn compensation_plans_of(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Vec<CompensationPlanRow>, StoreError> {
    Ok(sqlx::query_as!(
        CompensationPlanRow,
        r#"select compensation_plan_id, order_id, tenant_id, status, scope_item_ids,
                  force_manual_review, feasibility, assessment, cancelling_item_ids,
                  correlation_id, created_at, assessed_at, started_at, finished_at
           from compensation_plan where order_id = $1 order by created_at"#,
        order_id,
    )
    .fetch_all(conn)
    .await?)
}

/// The order's plan in `status`, if any (one change at a time, so at most one).
pub async fn open_compensation_plan(
    conn: &mut PgConnection,
    order_id: Uuid,
    statuses: &[&str],
) -> Result<Option<CompensationPlanRow>, StoreError> {
    let statuses: Vec<String> = statuses.iter().map(|s| (*s).to_owned()).collect();
    Ok(sqlx::query_as!(
        CompensationPlanRow,
        r#"select compensation_plan_id, order_id, tenant_id, status, scope_item_ids,
                  force_manual_review, feasibility, assessment, cancelling_item_ids,
                  correlation_id, created_at, assessed_at, started_at, finished_at
           from compensation_plan where order_id = $1 and status = any($2)
           order by created_at desc limit 1"#,
        order_id,
        &statuses,
    )
    .fetch_optional(conn)
    .await?)
}

/// Orders with a request still being assessed (the engine's sweep retries them).
pub async fn orders_assessing(
    conn: &mut PgConnection,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        r#"select order_id from compensation_plan where status = 'ASSESSING'
           order by created_at limit $1"#,
        limit,
    )
    .fetch_all(conn)
    .await?)
}

/// ASSESSING -> PROPOSED with the assessment; `false` if another transaction assessed first.
pub async fn mark_proposed(
    conn: &mut PgConnection,
    request_id: Uuid,
    feasibility: &str,
    assessment: &serde_json::Value,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update compensation_plan
           set status = 'PROPOSED', feasibility = $2, assessment = $3, assessed_at = now(),
               version = version + 1
           where compensation_plan_id = $1 and status = 'ASSESSING'"#,
        request_id,
        feasibility,
        assessment,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// PROPOSED -> EXECUTING with the items order-capture decided to cancel; `false` if the
/// plan had left PROPOSED already (a redelivered decision).
pub async fn mark_executing(
    conn: &mut PgConnection,
    request_id: Uuid,
    cancelling_item_ids: &[Uuid],
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update compensation_plan
           set status = 'EXECUTING', cancelling_item_ids = $2, started_at = now(),
               version = version + 1
           where compensation_plan_id = $1 and status = 'PROPOSED'"#,
        request_id,
        cancelling_item_ids,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Ends the plan (`COMPLETED` from EXECUTING, `DISCARDED` from any open state); `false` if it
/// had ended already.
pub async fn finish_compensation_plan(
    conn: &mut PgConnection,
    request_id: Uuid,
    status: &str,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update compensation_plan
           set status = $2, finished_at = now(), version = version + 1
           where compensation_plan_id = $1
             and status in ('ASSESSING', 'PROPOSED', 'EXECUTING')
             and ($2 <> 'COMPLETED' or status = 'EXECUTING')"#,
        request_id,
        status,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

#[derive(Debug, Clone)]
pub struct PlanAmendmentRow {
    pub request_id: Uuid,
    pub order_id: Uuid,
    pub status: String,
    pub previous_plan_id: Option<Uuid>,
    pub new_plan_id: Option<Uuid>,
    pub diff: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub async fn insert_plan_amendment(
    conn: &mut PgConnection,
    request_id: Uuid,
    order_id: Uuid,
    tenant_id: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        r#"insert into plan_amendment (request_id, order_id, tenant_id)
           values ($1, $2, $3) on conflict do nothing"#,
        request_id,
        order_id,
        tenant_id,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

pub async fn plan_amendment(
    conn: &mut PgConnection,
    request_id: Uuid,
) -> Result<Option<PlanAmendmentRow>, StoreError> {
    Ok(sqlx::query_as!(
        PlanAmendmentRow,
        r#"select request_id, order_id, status, previous_plan_id, new_plan_id, diff, created_at,
                  decided_at
           from plan_amendment where request_id = $1"#,
        request_id,
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn plan_amendments_of(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Vec<PlanAmendmentRow>, StoreError> {
    Ok(sqlx::query_as!(
        PlanAmendmentRow,
        r#"select request_id, order_id, status, previous_plan_id, new_plan_id, diff, created_at,
                  decided_at
           from plan_amendment where order_id = $1 order by created_at"#,
        order_id,
    )
    .fetch_all(conn)
    .await?)
}

/// PENDING -> `status` with the diff; `false` if it had been decided already.
pub async fn decide_plan_amendment(
    conn: &mut PgConnection,
    request_id: Uuid,
    status: &str,
    previous_plan_id: Option<Uuid>,
    new_plan_id: Option<Uuid>,
    diff: Option<&serde_json::Value>,
) -> Result<bool, StoreError> {
    let updated = sqlx::query!(
        r#"update plan_amendment
           set status = $2, previous_plan_id = $3, new_plan_id = $4, diff = $5,
               decided_at = now()
           where request_id = $1 and status = 'PENDING'"#,
        request_id,
        status,
        previous_plan_id,
        new_plan_id,
        diff,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// The plan the order's latest applied amendment moved it to, if any.
pub async fn amended_plan(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    Ok(sqlx::query_scalar!(
        r#"select new_plan_id as "plan_id!" from plan_amendment
           where order_id = $1 and status = 'APPLIED' and new_plan_id is not null
           order by decided_at desc limit 1"#,
        order_id,
    )
    .fetch_optional(conn)
    .await?)
}

/// A decomposition outcome that arrived before its amendment request (migration 0005).
#[derive(Debug, Clone)]
pub struct EarlyReplan {
    /// The `OrderRedecomposed`, or `None` when decomposition could not re-plan.
    pub replan: Option<serde_json::Value>,
    pub event_id: Uuid,
}

/// Keeps an outcome until its request arrives; `false` if one was kept already.
pub async fn park_early_replan(
    conn: &mut PgConnection,
    request_id: Uuid,
    order_id: Uuid,
    tenant_id: &str,
    replan: Option<&serde_json::Value>,
    event_id: Uuid,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "insert into early_replan (request_id, order_id, tenant_id, replan, event_id) \
         values ($1, $2, $3, $4, $5) on conflict do nothing",
    )
    .bind(request_id)
    .bind(order_id)
    .bind(tenant_id)
    .bind(replan)
    .bind(event_id)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Takes (deletes and returns) the outcome kept for `request_id`, if any.
pub async fn take_early_replan(
    conn: &mut PgConnection,
    request_id: Uuid,
) -> Result<Option<EarlyReplan>, StoreError> {
    let row: Option<(Option<serde_json::Value>, Uuid)> =
        sqlx::query_as("delete from early_replan where request_id = $1 returning replan, event_id")
            .bind(request_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(replan, event_id)| EarlyReplan { replan, event_id }))
}
