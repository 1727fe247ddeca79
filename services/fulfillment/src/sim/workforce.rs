//! Simulated field-force scheduling: appointments and technician visits, one row per
//! applied request in `sim_workforce_appointment`. A visit is asynchronous by default: it is
//! accepted at once and reported done through the callback later.

use super::ledger::{Ledger, NewRecord, SimRecord, address_line};
use crate::model::TargetSystem;
use sqlx::PgPool;

#[derive(Debug, Clone, Copy, Default)]
pub struct WorkforceLedger;

impl Ledger for WorkforceLedger {
    fn system(&self) -> TargetSystem {
        TargetSystem::WorkforceScheduling
    }

    async fn find(&self, pool: &PgPool, key: &str) -> sqlx::Result<Option<SimRecord>> {
        sqlx::query_as!(
            SimRecord,
            r#"update sim_workforce_appointment set calls = calls + 1 where idempotency_key = $1
               returning idempotency_key, task_id, status, external_ref"#,
            key,
        )
        .fetch_optional(pool)
        .await
    }

    async fn insert(
        &self,
        pool: &PgPool,
        record: &NewRecord<'_>,
    ) -> sqlx::Result<Option<SimRecord>> {
        let r = record.request;
        sqlx::query_as!(
            SimRecord,
            r#"insert into sim_workforce_appointment
                   (idempotency_key, task_id, order_id, task_type, status, external_ref,
                    received_at, complete_at, completed_at, visit_address)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               on conflict (idempotency_key) do nothing
               returning idempotency_key, task_id, status, external_ref"#,
            r.idempotency_key,
            r.task_id,
            r.order_id,
            r.task_type,
            record.status,
            record.external_ref,
            record.received_at,
            record.complete_at,
            record.completed_at,
            address_line(record.request),
        )
        .fetch_optional(pool)
        .await
    }

    async fn complete_due(&self, pool: &PgPool) -> sqlx::Result<u64> {
        let done = sqlx::query!(
            r#"update sim_workforce_appointment set status = 'COMPLETED', completed_at = clock_timestamp()
               where status = 'ACCEPTED' and complete_at <= now()"#
        )
        .execute(pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn pending_callbacks(&self, pool: &PgPool, limit: i64) -> sqlx::Result<Vec<SimRecord>> {
        sqlx::query_as!(
            SimRecord,
            r#"select idempotency_key, task_id, status, external_ref from sim_workforce_appointment
               where status = 'COMPLETED' and complete_at is not null
                 and callback_delivered_at is null
               order by id limit $1"#,
            limit,
        )
        .fetch_all(pool)
        .await
    }

    async fn mark_delivered(&self, pool: &PgPool, key: &str) -> sqlx::Result<()> {
        sqlx::query!(
            "update sim_workforce_appointment set callback_delivered_at = clock_timestamp() where idempotency_key = $1",
            key,
        )
        .execute(pool)
        .await?;
        Ok(())
    }
}
