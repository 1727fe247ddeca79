//! Append-only evidence of every change: `order_events` (each domain event, with the id it
//! was published under), `order_state_history` (each state change) and `order_audit_log`
//! (each decided command). Written in the command's transaction; never updated.

use chrono::{DateTime, Utc};
use oms_domain::events::DomainEvent as _;
use oms_domain::lifecycle::OrderState;
use oms_domain::meta::ActorKind;
use oms_domain::value::{OrderId, TenantId};
use oms_domain::{OrderEvent, TransitionMeta};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{StoreError, wire};

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn actor_kind(kind: ActorKind) -> String {
    wire(&kind)
}

/// Stores one domain event under the envelope id it is published with.
pub async fn insert_event(
    conn: &mut PgConnection,
    event: &OrderEvent,
    event_id: Uuid,
) -> Result<(), StoreError> {
    let base = event.base();
    let payload = serde_json::to_value(event)
        .map_err(|e| StoreError::corrupt(format!("event of order {}", base.order_id), e))?;
    sqlx::query!(
        r#"insert into order_events (order_id, order_version, tenant_id, event_id, event_type,
               occurred_at, payload)
           values ($1, $2, $3, $4, $5, $6, $7)"#,
        base.order_id.as_uuid(),
        version(base.order_version),
        base.tenant_id.as_str(),
        event_id,
        event.event_type(),
        base.meta.at,
        payload,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One state change caused by `event` (`from` is `None` for the creation).
pub async fn insert_state_change(
    conn: &mut PgConnection,
    event: &OrderEvent,
    from: Option<OrderState>,
    to: OrderState,
) -> Result<(), StoreError> {
    let base = event.base();
    let meta = &base.meta;
    sqlx::query!(
        r#"insert into order_state_history (order_id, tenant_id, from_state, to_state, event_type,
               actor_kind, actor_id, reason, at, correlation_id, causation_id, order_version)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"#,
        base.order_id.as_uuid(),
        base.tenant_id.as_str(),
        from.map(|s| wire(&s)),
        wire(&to),
        event.event_type(),
        actor_kind(meta.actor.kind()),
        meta.actor.id(),
        meta.reason.as_ref().map(|r| r.as_str().to_owned()),
        meta.at,
        meta.correlation_id.as_str(),
        meta.causation_id.as_ref().map(|c| c.as_str().to_owned()),
        version(base.order_version),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One decided command and what it did.
#[derive(Debug)]
pub struct AuditEntry<'a> {
    pub order_id: OrderId,
    pub tenant: &'a TenantId,
    /// The command's trigger name, e.g. `RECORD_ITEM_COMPLETED`.
    pub command: String,
    pub meta: &'a TransitionMeta,
    pub before: Option<(OrderState, u64)>,
    pub after: (OrderState, u64),
    pub event_types: Vec<String>,
}

pub async fn insert_audit(
    conn: &mut PgConnection,
    entry: &AuditEntry<'_>,
) -> Result<(), StoreError> {
    let meta = entry.meta;
    sqlx::query!(
        r#"insert into order_audit_log (order_id, tenant_id, command, actor_kind, actor_id, reason,
               correlation_id, causation_id, before_state, after_state, before_version,
               after_version, event_types, at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"#,
        entry.order_id.as_uuid(),
        entry.tenant.as_str(),
        entry.command,
        actor_kind(meta.actor.kind()),
        meta.actor.id(),
        meta.reason.as_ref().map(|r| r.as_str().to_owned()),
        meta.correlation_id.as_str(),
        meta.causation_id.as_ref().map(|c| c.as_str().to_owned()),
        entry.before.map(|(s, _)| wire(&s)),
        wire(&entry.after.0),
        version(entry.before.map_or(0, |(_, v)| v)),
        version(entry.after.1),
        &entry.event_types,
        meta.at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A state change as the history endpoint shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub from_state: Option<String>,
    pub to_state: String,
    pub event_type: String,
    pub actor: ActorView,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    pub order_version: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorView {
    pub kind: String,
    pub id: String,
}

/// A decided command as the history endpoint shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandRecord {
    pub command: String,
    pub actor: ActorView,
    pub reason: Option<String>,
    pub before_state: Option<String>,
    pub after_state: String,
    pub event_types: Vec<String>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// An event as the history endpoint shows it (type, version, when; the payload stays in
/// the database and on the topic).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    pub event_id: Uuid,
    pub event_type: String,
    pub order_version: i64,
    pub occurred_at: DateTime<Utc>,
}

pub async fn transitions(
    conn: &mut PgConnection,
    order_id: OrderId,
) -> Result<Vec<Transition>, StoreError> {
    let rows = sqlx::query!(
        r#"select from_state, to_state, event_type, actor_kind, actor_id, reason, at,
                  correlation_id, causation_id, order_version
             from order_state_history where order_id = $1 order by id"#,
        order_id.as_uuid()
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Transition {
            from_state: r.from_state,
            to_state: r.to_state,
            event_type: r.event_type,
            actor: ActorView {
                kind: r.actor_kind,
                id: r.actor_id,
            },
            reason: r.reason,
            at: r.at,
            correlation_id: r.correlation_id,
            causation_id: r.causation_id,
            order_version: r.order_version,
        })
        .collect())
}

pub async fn commands(
    conn: &mut PgConnection,
    order_id: OrderId,
) -> Result<Vec<CommandRecord>, StoreError> {
    let rows = sqlx::query!(
        r#"select command, actor_kind, actor_id, reason, before_state, after_state, event_types,
                  correlation_id, causation_id, at
             from order_audit_log where order_id = $1 order by id"#,
        order_id.as_uuid()
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CommandRecord {
            command: r.command,
            actor: ActorView {
                kind: r.actor_kind,
                id: r.actor_id,
            },
            reason: r.reason,
            before_state: r.before_state,
            after_state: r.after_state,
            event_types: r.event_types,
            correlation_id: r.correlation_id,
            causation_id: r.causation_id,
            at: r.at,
        })
        .collect())
}

pub async fn events(
    conn: &mut PgConnection,
    order_id: OrderId,
) -> Result<Vec<EventRecord>, StoreError> {
    let rows = sqlx::query!(
        r#"select event_id, event_type, order_version, occurred_at
             from order_events where order_id = $1 order by order_version"#,
        order_id.as_uuid()
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| EventRecord {
            event_id: r.event_id,
            event_type: r.event_type,
            order_version: r.order_version,
            occurred_at: r.occurred_at,
        })
        .collect())
}
