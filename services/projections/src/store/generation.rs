//! The read model's generation, the rebuild, and the canonical dump.
//!
//! A rebuild is one transaction: lock the generation row FOR UPDATE (it waits for the handler
//! transactions in flight, which hold it FOR SHARE), truncate the read model, forget the
//! projection consumer's inbox rows and dead letters, increment the generation, and announce
//! it on `oms_projections_generation`. A consumer of the old generation that tries to apply
//! another record afterwards finds a newer generation and rolls back; the service then starts
//! the consumer of the new generation, in a new group that reads every topic from the start.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::StoreError;

/// PostgreSQL channel announcing a new generation (its number).
pub const GENERATION_CHANNEL: &str = "oms_projections_generation";

/// The tables of the read model, each with the order its canonical dump uses.
pub const READ_MODEL: &[(&str, &str)] = &[
    ("order_view", "order_id"),
    ("order_activity", "order_id"),
    ("order_task", "task_id"),
    ("fallout_case", "fallout_id"),
    ("timeline_event", "event_id"),
];

/// The current generation and when and by whom it was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    pub generation: i64,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
}

pub async fn current(pool: &PgPool) -> Result<Generation, StoreError> {
    let row = sqlx::query!(
        "select generation, started_at, started_by from projection_generation where singleton"
    )
    .fetch_one(pool)
    .await?;
    Ok(Generation {
        generation: row.generation,
        started_at: row.started_at,
        started_by: row.started_by,
    })
}

/// The current generation, the row locked FOR SHARE until the caller's transaction ends (a
/// rebuild waits for it, and it waits for a rebuild).
pub async fn share(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar!(
        "select generation from projection_generation where singleton for share"
    )
    .fetch_one(conn)
    .await?)
}

/// Drops the read model and starts generation + 1 (see the module docs); returns it.
pub async fn rebuild(pool: &PgPool, consumer: &str, by: &str) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query_scalar!("select generation from projection_generation where singleton for update")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query!("truncate order_view, order_activity, order_task, fallout_case, timeline_event")
        .execute(&mut *tx)
        .await?;
    sqlx::query!("delete from inbox where consumer = $1", consumer)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("delete from dead_letter where consumer = $1", consumer)
        .execute(&mut *tx)
        .await?;
    let generation = sqlx::query_scalar!(
        r#"update projection_generation
              set generation = generation + 1, started_at = now(), started_by = $1
            where singleton
        returning generation"#,
        by,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "select pg_notify($1, $2)",
        GENERATION_CHANNEL,
        generation.to_string()
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(generation)
}

/// The whole read model as text lines `<table>\t<row as JSON>`, tables in [`READ_MODEL`]
/// order and rows in key order: two read models are the same exactly when their dumps are
/// byte-identical. Nothing is left out: the read model holds no processing times.
pub async fn dump(conn: &mut PgConnection) -> Result<Vec<String>, StoreError> {
    let mut lines = Vec::new();
    for (table, key) in READ_MODEL {
        // Table and key names are the constants above, never input.
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "select to_jsonb(t)::text from {table} t order by {key}"
        ))
        .fetch_all(&mut *conn)
        .await?;
        lines.extend(rows.into_iter().map(|row| format!("{table}\t{row}")));
    }
    Ok(lines)
}
