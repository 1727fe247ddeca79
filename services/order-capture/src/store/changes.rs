//! `cancellation_requests`, `amendment_requests` and `order_relations` (ADR 0008): the
//! durable record of every change request (accepted or refused, with the assessment it was
//! decided on) and of every relation between orders.

use chrono::{DateTime, Utc};
use oms_domain::value::{OrderId, TenantId};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::StoreError;

/// Which table: cancellation or amendment requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Cancellation,
    Amendment,
}

/// A request to record.
#[derive(Debug)]
pub struct NewRequest<'a> {
    pub kind: Kind,
    pub request_id: Uuid,
    pub tenant: &'a TenantId,
    pub order_id: OrderId,
    pub reason_code: &'a str,
    pub reason: Option<&'a str>,
    pub requested_by: &'a str,
    /// The scope (cancellation) or the changes (amendment).
    pub body: serde_json::Value,
    pub force_manual_review: bool,
    pub status: &'a str,
    pub assessment: serde_json::Value,
    pub assessment_version: &'a str,
    pub outcome: Option<serde_json::Value>,
    pub correlation_id: &'a str,
}

pub async fn insert(conn: &mut PgConnection, new: &NewRequest<'_>) -> Result<(), StoreError> {
    match new.kind {
        Kind::Cancellation => {
            sqlx::query!(
                r#"insert into cancellation_requests
                       (request_id, tenant_id, order_id, reason_code, reason, requested_by, scope,
                        force_manual_review, status, assessment, assessment_version, outcome,
                        correlation_id)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"#,
                new.request_id,
                new.tenant.as_str(),
                new.order_id.as_uuid(),
                new.reason_code,
                new.reason,
                new.requested_by,
                new.body,
                new.force_manual_review,
                new.status,
                new.assessment,
                new.assessment_version,
                new.outcome,
                new.correlation_id,
            )
            .execute(conn)
            .await?;
        }
        Kind::Amendment => {
            sqlx::query!(
                r#"insert into amendment_requests
                       (request_id, tenant_id, order_id, reason_code, reason, requested_by, changes,
                        status, assessment, assessment_version, outcome, correlation_id)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"#,
                new.request_id,
                new.tenant.as_str(),
                new.order_id.as_uuid(),
                new.reason_code,
                new.reason,
                new.requested_by,
                new.body,
                new.status,
                new.assessment,
                new.assessment_version,
                new.outcome,
                new.correlation_id,
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// Moves a request to `status` (with what decided it); a request id of another kind or
/// that does not exist changes nothing.
pub async fn set_status(
    conn: &mut PgConnection,
    kind: Kind,
    request_id: Uuid,
    status: &str,
    outcome: Option<&serde_json::Value>,
) -> Result<(), StoreError> {
    match kind {
        Kind::Cancellation => {
            sqlx::query!(
                r#"update cancellation_requests
                   set status = $2, outcome = coalesce($3, outcome), updated_at = now()
                   where request_id = $1"#,
                request_id,
                status,
                outcome,
            )
            .execute(conn)
            .await?;
        }
        Kind::Amendment => {
            sqlx::query!(
                r#"update amendment_requests
                   set status = $2, outcome = coalesce($3, outcome), updated_at = now()
                   where request_id = $1"#,
                request_id,
                status,
                outcome,
            )
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// A stored request, as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRequest {
    pub request_id: Uuid,
    pub order_id: Uuid,
    pub reason_code: String,
    pub reason: Option<String>,
    pub requested_by: String,
    /// The scope (cancellation) or the changes (amendment).
    pub request: serde_json::Value,
    pub force_manual_review: bool,
    pub status: String,
    pub assessment: serde_json::Value,
    pub assessment_version: String,
    pub outcome: Option<serde_json::Value>,
    pub correlation_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn find(
    conn: &mut PgConnection,
    kind: Kind,
    tenant: &TenantId,
    order_id: OrderId,
    request_id: Uuid,
) -> Result<Option<StoredRequest>, StoreError> {
    Ok(match kind {
        Kind::Cancellation => {
            sqlx::query_as!(
                StoredRequest,
                r#"select request_id, order_id, reason_code, reason, requested_by,
                      scope as "request!", force_manual_review, status, assessment,
                      assessment_version, outcome, correlation_id, created_at, updated_at
                 from cancellation_requests
                where tenant_id = $1 and order_id = $2 and request_id = $3"#,
                tenant.as_str(),
                order_id.as_uuid(),
                request_id,
            )
            .fetch_optional(conn)
            .await?
        }
        Kind::Amendment => {
            sqlx::query_as!(
                StoredRequest,
                r#"select request_id, order_id, reason_code, reason, requested_by,
                      changes as "request!", false as "force_manual_review!", status, assessment,
                      assessment_version, outcome, correlation_id, created_at, updated_at
                 from amendment_requests
                where tenant_id = $1 and order_id = $2 and request_id = $3"#,
                tenant.as_str(),
                order_id.as_uuid(),
                request_id,
            )
            .fetch_optional(conn)
            .await?
        }
    })
}

/// Every request of the order, oldest first.
pub async fn of_order(
    conn: &mut PgConnection,
    kind: Kind,
    tenant: &TenantId,
    order_id: OrderId,
) -> Result<Vec<StoredRequest>, StoreError> {
    Ok(match kind {
        Kind::Cancellation => {
            sqlx::query_as!(
                StoredRequest,
                r#"select request_id, order_id, reason_code, reason, requested_by,
                      scope as "request!", force_manual_review, status, assessment,
                      assessment_version, outcome, correlation_id, created_at, updated_at
                 from cancellation_requests
                where tenant_id = $1 and order_id = $2 order by created_at"#,
                tenant.as_str(),
                order_id.as_uuid(),
            )
            .fetch_all(conn)
            .await?
        }
        Kind::Amendment => {
            sqlx::query_as!(
                StoredRequest,
                r#"select request_id, order_id, reason_code, reason, requested_by,
                      changes as "request!", false as "force_manual_review!", status, assessment,
                      assessment_version, outcome, correlation_id, created_at, updated_at
                 from amendment_requests
                where tenant_id = $1 and order_id = $2 order by created_at"#,
                tenant.as_str(),
                order_id.as_uuid(),
            )
            .fetch_all(conn)
            .await?
        }
    })
}

/// Records that `source` relates to `target` (idempotent).
pub async fn relate(
    conn: &mut PgConnection,
    tenant: &TenantId,
    source: OrderId,
    target: OrderId,
    relation_type: &str,
    created_by: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into order_relations
               (tenant_id, source_order_id, target_order_id, relation_type, created_by)
           values ($1, $2, $3, $4, $5) on conflict do nothing"#,
        tenant.as_str(),
        source.as_uuid(),
        target.as_uuid(),
        relation_type,
        created_by,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A relation seen from one order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedOrder {
    pub order_id: Uuid,
    pub order_number: Option<String>,
    pub state: Option<String>,
    pub relation_type: String,
    /// OUTGOING: this order states the relation (it supplements the other); INCOMING: the
    /// other order states it about this one.
    pub direction: &'static str,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

pub async fn related(
    conn: &mut PgConnection,
    tenant: &TenantId,
    order_id: OrderId,
) -> Result<Vec<RelatedOrder>, StoreError> {
    let rows = sqlx::query!(
        r#"select r.source_order_id, r.target_order_id, r.relation_type, r.created_at,
                  r.created_by, o.order_number as "order_number?", o.state as "state?"
             from order_relations r
             left join orders o
               on o.tenant_id = r.tenant_id
              and o.order_id = case when r.source_order_id = $2 then r.target_order_id
                                    else r.source_order_id end
            where r.tenant_id = $1 and (r.source_order_id = $2 or r.target_order_id = $2)
            order by r.created_at"#,
        tenant.as_str(),
        order_id.as_uuid(),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let outgoing = r.source_order_id == order_id.as_uuid();
            RelatedOrder {
                order_id: if outgoing {
                    r.target_order_id
                } else {
                    r.source_order_id
                },
                order_number: r.order_number,
                state: r.state,
                relation_type: r.relation_type,
                direction: if outgoing { "OUTGOING" } else { "INCOMING" },
                created_at: r.created_at,
                created_by: r.created_by,
            }
        })
        .collect())
}
