//! `decomposition_failure`: the classified failure of an order that could not be decomposed,
//! written once with the `OrderDecompositionFailed` it published (a trigger refuses updates).

use chrono::{DateTime, Utc};
use oms_domain::value::{OrderId, OrderItemId, TenantId};
use oms_domain::vocab::DecompositionFailureCode;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{StoreError, to_i32, to_u32};
use crate::planner::DecompositionFailure;

/// A failure to insert.
#[derive(Debug, Clone)]
pub struct NewFailure<'a> {
    pub order_id: OrderId,
    pub tenant_id: &'a TenantId,
    pub fallout_id: Uuid,
    pub failure: &'a DecompositionFailure,
    /// The rules version decomposition ran with, when it got that far.
    pub rules_version: Option<u32>,
    pub input_hash: &'a str,
    pub release_event_id: Uuid,
    pub event_id: Uuid,
}

/// A recorded failure.
#[derive(Debug, Clone)]
pub struct StoredFailure {
    pub fallout_id: Uuid,
    pub failure: DecompositionFailure,
    pub rules_version: Option<u32>,
    pub input_hash: String,
    pub event_id: Uuid,
    pub created_at: DateTime<Utc>,
}

#[tracing::instrument(skip_all, fields(order_id = %new.order_id, code = new.failure.code.as_str()), err)]
pub async fn insert(conn: &mut PgConnection, new: &NewFailure<'_>) -> Result<(), StoreError> {
    let rules_version = new
        .rules_version
        .map(|v| to_i32("rules_version", v))
        .transpose()?;
    sqlx::query!(
        r#"insert into decomposition_failure
               (order_id, tenant_id, fallout_id, code, item_id, message, remediation,
                rules_version, input_hash, release_event_id, event_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#,
        new.order_id.as_uuid(),
        new.tenant_id.as_str(),
        new.fallout_id,
        new.failure.code.as_str(),
        new.failure.item_id.map(|i| i.as_uuid()),
        new.failure.message,
        new.failure.remediation,
        rules_version,
        new.input_hash,
        new.release_event_id,
        new.event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The failure recorded for `order_id` in `tenant`, if any.
pub async fn find(
    conn: &mut PgConnection,
    tenant: &str,
    order_id: OrderId,
) -> Result<Option<StoredFailure>, StoreError> {
    let row = sqlx::query!(
        r#"select fallout_id, code, item_id, message, remediation, rules_version, input_hash,
                  event_id, created_at
             from decomposition_failure where tenant_id = $1 and order_id = $2"#,
        tenant,
        order_id.as_uuid(),
    )
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let code = DecompositionFailureCode::ALL
        .into_iter()
        .find(|c| c.as_str() == row.code)
        .ok_or_else(|| StoreError::corrupt("code", format!("unknown code {}", row.code)))?;
    Ok(Some(StoredFailure {
        fallout_id: row.fallout_id,
        failure: DecompositionFailure::new(
            code,
            row.item_id.map(OrderItemId::from_uuid),
            row.message,
            row.remediation,
        ),
        rules_version: row
            .rules_version
            .map(|v| to_u32("rules_version", v))
            .transpose()?,
        input_hash: row.input_hash,
        event_id: row.event_id,
        created_at: row.created_at,
    }))
}
