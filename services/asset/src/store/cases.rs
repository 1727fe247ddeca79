//! `inconsistency_case`: durable records of fulfilled items the installed base could not take.
//! Opened by the consumer (one per order item at most), listed and resolved by operators.
//! Resolving records who decided what; it never changes the asset (a repair of the installed
//! base is a new order).

use chrono::{DateTime, Utc};
use oms_domain::value::TenantId;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::StoreError;
use super::text::to_text;
use crate::lifecycle::Inconsistency;
use crate::model::FulfilledChange;

/// A case as the operator API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Case {
    pub id: Uuid,
    pub asset_id: String,
    pub order_id: Uuid,
    pub item_id: Uuid,
    pub attempted_action: String,
    pub asset_effect: String,
    pub expected_status: Option<String>,
    pub actual_status: Option<String>,
    pub reason_code: String,
    pub description: String,
    pub status: String,
    /// The `AssetInconsistencyDetected` event that reported it.
    pub event_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
}

/// Opens case `id` for `change`, refused as `inconsistency`.
#[tracing::instrument(skip_all, fields(case_id = %id, code = %inconsistency.code), err)]
pub async fn open(
    conn: &mut PgConnection,
    id: Uuid,
    change: &FulfilledChange,
    inconsistency: &Inconsistency,
    event_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into inconsistency_case
               (id, tenant_id, asset_id, order_id, item_id, attempted_action, asset_effect,
                expected_status, actual_status, reason_code, description, event_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"#,
        id,
        change.tenant_id.as_str(),
        change.asset_id.as_str(),
        change.order_id.as_uuid(),
        change.item_id.as_uuid(),
        to_text(&change.item.action)?,
        to_text(&change.effect)?,
        inconsistency
            .expected_status
            .as_ref()
            .map(to_text)
            .transpose()?,
        inconsistency
            .actual_status
            .as_ref()
            .map(to_text)
            .transpose()?,
        inconsistency.code.as_str(),
        inconsistency.description,
        event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The tenant's cases in `status` (all when `None`), oldest first, after case `after`.
#[tracing::instrument(skip_all, err)]
pub async fn list(
    conn: &mut PgConnection,
    tenant: &TenantId,
    status: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Case>, StoreError> {
    let cases = sqlx::query_as!(
        Case,
        r#"select id, asset_id, order_id, item_id, attempted_action, asset_effect,
                  expected_status, actual_status, reason_code, description, status, event_id,
                  created_at, resolved_at, resolved_by, resolution
             from inconsistency_case
            where tenant_id = $1
              and ($2::text is null or status = $2)
              and ($3::uuid is null or id > $3)
            order by id
            limit $4"#,
        tenant.as_str(),
        status,
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(cases)
}

/// What resolving a case did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Resolved(Box<Case>),
    NotFound,
    AlreadyResolved,
}

/// Marks the tenant's OPEN case `id` RESOLVED by `by` with `resolution`.
#[tracing::instrument(skip_all, fields(case_id = %id), err)]
pub async fn resolve(
    conn: &mut PgConnection,
    tenant: &TenantId,
    id: Uuid,
    by: &str,
    resolution: &str,
) -> Result<Resolved, StoreError> {
    let resolved = sqlx::query_as!(
        Case,
        r#"update inconsistency_case
              set status = 'RESOLVED', resolved_at = now(), resolved_by = $3, resolution = $4
            where tenant_id = $1 and id = $2 and status = 'OPEN'
        returning id, asset_id, order_id, item_id, attempted_action, asset_effect,
                  expected_status, actual_status, reason_code, description, status, event_id,
                  created_at, resolved_at, resolved_by, resolution"#,
        tenant.as_str(),
        id,
        by,
        resolution,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(case) = resolved {
        return Ok(Resolved::Resolved(Box::new(case)));
    }
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from inconsistency_case where tenant_id = $1 and id = $2) as "exists!""#,
        tenant.as_str(),
        id,
    )
    .fetch_one(conn)
    .await?;
    Ok(if exists {
        Resolved::AlreadyResolved
    } else {
        Resolved::NotFound
    })
}
