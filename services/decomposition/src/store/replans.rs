//! `decomposition_replan`: one outcome per amendment request that asked for a re-plan
//! (ADR 0008 §3), written once in the consumer's transaction.

use oms_domain::value::{AmendmentRequestId, OrderId, PlanId, TenantId};
use sqlx::PgConnection;
use uuid::Uuid;

use super::StoreError;

/// What to insert: a plan or a failure.
#[derive(Debug, Clone)]
pub struct NewReplan<'a> {
    pub request_id: AmendmentRequestId,
    pub order_id: OrderId,
    pub tenant_id: &'a TenantId,
    pub previous_plan_id: PlanId,
    pub rules_version: i32,
    pub plan: Option<(PlanId, &'a str)>,
    pub input_json: &'a str,
    pub failure: Option<(&'a str, &'a str)>,
    pub source_event_id: Uuid,
    pub event_id: Uuid,
}

pub async fn insert(conn: &mut PgConnection, new: &NewReplan<'_>) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into decomposition_replan
               (request_id, order_id, tenant_id, previous_plan_id, rules_version, plan_id,
                plan_json, input_json, failure_code, failure_message, source_event_id, event_id)
           values ($1, $2, $3, $4, $5, $6, $7::text::json, $8::text::json, $9, $10, $11, $12)"#,
        new.request_id.as_uuid(),
        new.order_id.as_uuid(),
        new.tenant_id.as_str(),
        new.previous_plan_id.as_uuid(),
        new.rules_version,
        new.plan.map(|(id, _)| id.as_uuid()),
        new.plan.map(|(_, json)| json),
        new.input_json,
        new.failure.map(|(code, _)| code),
        new.failure.map(|(_, message)| message),
        new.source_event_id,
        new.event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the request was already handled.
pub async fn exists(
    conn: &mut PgConnection,
    request_id: AmendmentRequestId,
) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar!(
        r#"select exists (select 1 from decomposition_replan where request_id = $1) as "found!""#,
        request_id.as_uuid()
    )
    .fetch_one(conn)
    .await?)
}

/// The order's most recent plan: its latest successful re-plan, else its first plan, with
/// the rules version every plan of the order uses.
pub async fn current_plan(
    conn: &mut PgConnection,
    order_id: OrderId,
) -> Result<Option<(PlanId, i32)>, StoreError> {
    let row = sqlx::query!(
        r#"select plan_id as "plan_id!", rules_version as "rules_version!" from (
               select plan_id, rules_version, created_at from decomposition_replan
                where order_id = $1 and plan_id is not null
               union all
               select plan_id, rules_version, created_at from decomposition_plan
                where order_id = $1
           ) plans order by created_at desc limit 1"#,
        order_id.as_uuid()
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (PlanId::from_uuid(r.plan_id), r.rules_version)))
}
