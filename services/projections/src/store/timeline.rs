//! `timeline_event` (every event of every topic, once) and `order_activity` (per order: how
//! many events, first and last occurredAt: greatest/least/sum, so commutative). Each write
//! also announces the change on `oms_projections_changed` (delivered at commit) for the
//! dashboard's live updates.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::StoreError;

/// PostgreSQL channel announcing `<tenant> <order id>` for every event applied.
pub const CHANGED_CHANNEL: &str = "oms_projections_changed";

/// One timeline row.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub event_id: Uuid,
    pub tenant_id: String,
    pub order_id: Uuid,
    pub topic: String,
    pub service: String,
    pub event_type: String,
    pub event_version: i32,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub order_version: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    pub trace_id: Option<String>,
    pub actor_kind: String,
    pub actor_id: String,
    pub reason: Option<String>,
    pub summary: String,
    pub refs: Map<String, Value>,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
}

/// Records `event` and the order's activity; announces the change at commit.
pub async fn record(conn: &mut PgConnection, event: &EventRow) -> Result<(), StoreError> {
    let inserted = sqlx::query!(
        r#"insert into timeline_event (event_id, tenant_id, order_id, topic, service, event_type,
                                       event_version, aggregate_type, aggregate_id, order_version,
                                       occurred_at, correlation_id, causation_id, trace_id,
                                       actor_kind, actor_id, reason, summary, refs,
                                       kafka_partition, kafka_offset)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21)
           on conflict (event_id) do nothing"#,
        event.event_id,
        event.tenant_id,
        event.order_id,
        event.topic,
        event.service,
        event.event_type,
        event.event_version,
        event.aggregate_type,
        event.aggregate_id,
        event.order_version,
        event.occurred_at,
        event.correlation_id,
        event.causation_id,
        event.trace_id,
        event.actor_kind,
        event.actor_id,
        event.reason,
        event.summary,
        Json(&event.refs) as _,
        event.kafka_partition,
        event.kafka_offset,
    )
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(()); // the same event under another offset: already counted
    }
    sqlx::query!(
        r#"insert into order_activity (order_id, tenant_id, event_count, first_event_at,
                                       last_event_at)
           values ($1, $2, 1, $3, $3)
           on conflict (order_id) do update set
               event_count = order_activity.event_count + 1,
               first_event_at = least(order_activity.first_event_at, excluded.first_event_at),
               last_event_at = greatest(order_activity.last_event_at, excluded.last_event_at)"#,
        event.order_id,
        event.tenant_id,
        event.occurred_at,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "select pg_notify($1, $2)",
        CHANGED_CHANNEL,
        format!("{} {}", event.tenant_id, event.order_id),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every event of the tenant's order `order_id` (unordered: see `crate::causal`).
pub async fn of_order(
    conn: &mut PgConnection,
    tenant: &str,
    order_id: Uuid,
) -> Result<Vec<EventRow>, StoreError> {
    let rows = sqlx::query!(
        r#"select event_id, tenant_id, order_id, topic, service, event_type, event_version,
                  aggregate_type, aggregate_id, order_version, occurred_at, correlation_id,
                  causation_id, trace_id, actor_kind, actor_id, reason, summary,
                  refs as "refs: Json<Map<String, Value>>", kafka_partition, kafka_offset
             from timeline_event
            where tenant_id = $1 and order_id = $2"#,
        tenant,
        order_id,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| EventRow {
            event_id: r.event_id,
            tenant_id: r.tenant_id,
            order_id: r.order_id,
            topic: r.topic,
            service: r.service,
            event_type: r.event_type,
            event_version: r.event_version,
            aggregate_type: r.aggregate_type,
            aggregate_id: r.aggregate_id,
            order_version: r.order_version,
            occurred_at: r.occurred_at,
            correlation_id: r.correlation_id,
            causation_id: r.causation_id,
            trace_id: r.trace_id,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            reason: r.reason,
            summary: r.summary,
            refs: r.refs.0,
            kafka_partition: r.kafka_partition,
            kafka_offset: r.kafka_offset,
        })
        .collect())
}
