//! The simulated systems' own records, read straight from their tables: what the "external"
//! systems applied, independent of fulfillment's task rows.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SimRecord {
    pub idempotency_key: String,
    pub task_id: Uuid,
    pub status: String,
    pub calls: i32,
    pub received_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub callback_delivered_at: Option<DateTime<Utc>>,
}

/// Every record of every simulated system, oldest first.
pub async fn sim_records(pool: &PgPool) -> Vec<SimRecord> {
    let mut sql = String::new();
    for table in oms_fulfillment::sim::ledger::Ledger::ALL.map(|ledger| ledger.table()) {
        if !sql.is_empty() {
            sql.push_str(" union all ");
        }
        sql.push_str("select idempotency_key, task_id, status, calls, received_at, completed_at, callback_delivered_at from ");
        sql.push_str(table);
    }
    sql.push_str(" order by received_at");
    sqlx::query_as(&sql)
        .fetch_all(pool)
        .await
        .expect("simulator records")
}
