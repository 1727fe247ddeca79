//! Flow reads: orders captured, completed and fallen out per minute (from the timeline), and
//! orders that have not moved for longer than their state's threshold. Both take "now" from
//! the caller: time enters at read time only, never into the read model.

use chrono::{DateTime, Utc};
use oms_domain::Order;
use sqlx::PgConnection;
use sqlx::types::Json;
use std::time::Duration;
use uuid::Uuid;

use super::StoreError;

/// Counts of one minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minute {
    pub minute: DateTime<Utc>,
    pub captured: i64,
    pub completed: i64,
    pub fallen_out: i64,
}

/// The tenant's minutes since `since` that saw a capture, completion or fallout, oldest first.
/// Fallen out counts orders (an order with two cases in a minute counts once).
pub async fn throughput(
    conn: &mut PgConnection,
    tenant: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Minute>, StoreError> {
    let rows = sqlx::query!(
        r#"select date_trunc('minute', occurred_at) as "minute!",
                  count(*) filter (where event_type = 'OrderCaptured') as "captured!",
                  count(*) filter (where event_type = 'OrderCompleted') as "completed!",
                  count(distinct order_id) filter (where event_type = 'OrderFalloutRaised')
                      as "fallen_out!"
             from timeline_event
            where tenant_id = $1 and occurred_at >= $2
              and event_type in ('OrderCaptured', 'OrderCompleted', 'OrderFalloutRaised')
            group by 1
            order by 1"#,
        tenant,
        since,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Minute {
            minute: r.minute,
            captured: r.captured,
            completed: r.completed,
            fallen_out: r.fallen_out,
        })
        .collect())
}

/// An order idle for longer than its state allows.
#[derive(Debug, Clone)]
pub struct Idle {
    pub order_id: Uuid,
    pub order_number: String,
    pub customer_id: String,
    pub state: String,
    pub customer_status: String,
    pub state_entered_at: DateTime<Utc>,
    pub last_event_at: DateTime<Utc>,
    pub threshold: Duration,
    pub aggregate: Order,
}

/// The tenant's orders whose last event (on any topic) is older than `now` minus their
/// state's threshold, longest idle first. States without a threshold are never listed.
pub async fn idle(
    conn: &mut PgConnection,
    tenant: &str,
    thresholds: &[(String, Duration)],
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Idle>, StoreError> {
    let states: Vec<String> = thresholds.iter().map(|(s, _)| s.clone()).collect();
    let seconds: Vec<f64> = thresholds.iter().map(|(_, d)| d.as_secs_f64()).collect();
    let rows = sqlx::query!(
        r#"select v.order_id, v.order_number, v.customer_id, v.state, v.customer_status,
                  v.state_entered_at, a.last_event_at, t.seconds as "seconds!",
                  v.aggregate as "aggregate: Json<Order>"
             from order_view v
             join order_activity a on a.order_id = v.order_id
             join unnest($2::text[], $3::float8[]) as t(state, seconds) on t.state = v.state
            where v.tenant_id = $1
              and a.last_event_at < $4::timestamptz - make_interval(secs => t.seconds)
            order by a.last_event_at, v.order_id
            limit $5"#,
        tenant,
        &states,
        &seconds,
        now,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Idle {
            order_id: r.order_id,
            order_number: r.order_number,
            customer_id: r.customer_id,
            state: r.state,
            customer_status: r.customer_status,
            state_entered_at: r.state_entered_at,
            last_event_at: r.last_event_at,
            threshold: Duration::from_secs_f64(r.seconds.max(0.0)),
            aggregate: r.aggregate.0,
        })
        .collect())
}

/// Unfinished tasks of `orders`: (order id, task type, target system, status).
pub async fn open_tasks(
    conn: &mut PgConnection,
    orders: &[Uuid],
) -> Result<Vec<(Uuid, String, String, String)>, StoreError> {
    let rows = sqlx::query!(
        r#"select order_id, coalesce(task_type, 'task') as "task_type!",
                  coalesce(target_system, '?') as "target_system!",
                  coalesce(status, 'PLANNED') as "status!"
             from order_task
            where order_id = any($1) and coalesce(status, 'PLANNED') <> 'SUCCEEDED'
            order by order_id, task_type, task_id"#,
        orders,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.order_id, r.task_type, r.target_system, r.status))
        .collect())
}
