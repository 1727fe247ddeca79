//! API idempotency records (001 §8.4, 002 §11): scope = tenant + command + key.
//!
//! [`reserve`] inserts the record at the start of the capture transaction. A concurrent
//! request with the same key blocks on the primary key until that transaction ends: after a
//! commit it finds the stored response ([`Reservation::Existing`]); after a rollback its own
//! insert goes through and it captures. So any number of concurrent duplicates create one
//! order, and every one of them answers with the stored response.

use oms_domain::value::{OrderId, TenantId};
use sqlx::PgConnection;

use super::StoreError;

/// A stored, completed record.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub request_hash: String,
    pub order_id: Option<OrderId>,
    pub status: u16,
    pub body: serde_json::Value,
}

#[derive(Debug)]
pub enum Reservation {
    /// The key is ours; complete it with [`complete`] before committing.
    Reserved,
    /// Another request already completed this key.
    Existing(StoredResponse),
}

#[tracing::instrument(skip_all, fields(tenant = %tenant, command), err)]
pub async fn reserve(
    conn: &mut PgConnection,
    tenant: &TenantId,
    command: &str,
    key: &str,
    request_hash: &str,
) -> Result<Reservation, StoreError> {
    let inserted = sqlx::query!(
        r#"insert into idempotency_records (tenant_id, command, idempotency_key, request_hash)
           values ($1, $2, $3, $4)
           on conflict (tenant_id, command, idempotency_key) do nothing"#,
        tenant.as_str(),
        command,
        key,
        request_hash
    )
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Reservation::Reserved);
    }
    let row = sqlx::query!(
        r#"select request_hash, order_id, response_status, response_body
             from idempotency_records
            where tenant_id = $1 and command = $2 and idempotency_key = $3"#,
        tenant.as_str(),
        command,
        key
    )
    .fetch_one(&mut *conn)
    .await?;
    let (Some(status), Some(body)) = (row.response_status, row.response_body) else {
        return Err(StoreError::corrupt(
            "idempotency record",
            "a committed record has no response",
        ));
    };
    Ok(Reservation::Existing(StoredResponse {
        request_hash: row.request_hash,
        order_id: row.order_id.map(OrderId::from_uuid),
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}

/// Stores the response of a reserved key (same transaction as the capture).
pub async fn complete(
    conn: &mut PgConnection,
    tenant: &TenantId,
    command: &str,
    key: &str,
    order_id: OrderId,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"update idempotency_records
              set order_id = $4, response_status = $5, response_body = $6
            where tenant_id = $1 and command = $2 and idempotency_key = $3"#,
        tenant.as_str(),
        command,
        key,
        order_id.as_uuid(),
        i16::try_from(status).unwrap_or(500),
        body
    )
    .execute(conn)
    .await?;
    Ok(())
}
