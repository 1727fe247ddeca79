//! The transactional outbox: events are written in the same database transaction as the state
//! change they describe, already encoded, and published later by the relay.
//!
//! Invariants: nothing here talks to Kafka; a row is written only inside the caller's
//! transaction; every row has a shard derived from its key by a hash that is stable across
//! processes and releases, so one aggregate's rows always land in the same shard.

use crate::{Codec, CodecError, EventContract, TopicNaming};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;

/// Why an event could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("outbox insert failed: {0}")]
    Database(#[from] sqlx::Error),
}

/// Wakes relays after a commit: the relay in this process directly, relays in other processes
/// through PostgreSQL `NOTIFY` sent after the commit (see ADR 0003 for why not inside it).
#[derive(Debug, Clone)]
pub struct OutboxWaker {
    local: Arc<Notify>,
    remote: Arc<Notify>,
}

impl OutboxWaker {
    /// Signals that committed outbox rows are waiting. Cheap; coalesces bursts.
    pub fn wake(&self) {
        self.local.notify_one();
        self.remote.notify_one();
    }

    /// Resolves when [`wake`](Self::wake) was called since the last time this resolved.
    pub async fn woken(&self) {
        self.local.notified().await;
    }
}

/// The PostgreSQL notification channel of a service's outbox.
pub fn notify_channel(service: &str) -> String {
    format!(
        "oms_outbox_{}",
        service.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    )
}

/// Appends encoded events to the service's `outbox` table.
#[derive(Debug, Clone)]
pub struct Outbox {
    codec: Arc<Codec>,
    naming: TopicNaming,
    shards: u16,
    waker: OutboxWaker,
}

impl Outbox {
    /// An outbox for `service` with `shards` relay shards. Spawns the task that forwards
    /// wake-ups as `NOTIFY` on `pool`, so it must be called inside a Tokio runtime.
    pub fn new(
        codec: Arc<Codec>,
        naming: TopicNaming,
        pool: PgPool,
        service: &str,
        shards: u16,
    ) -> Self {
        let waker = OutboxWaker {
            local: Arc::new(Notify::new()),
            remote: Arc::new(Notify::new()),
        };
        tokio::spawn(forward_notifications(
            pool,
            notify_channel(service),
            waker.remote.clone(),
        ));
        Self {
            codec,
            naming,
            shards: shards.max(1),
            waker,
        }
    }

    pub fn codec(&self) -> &Arc<Codec> {
        &self.codec
    }

    pub fn naming(&self) -> &TopicNaming {
        &self.naming
    }

    /// Registers every schema of family `C` for this environment's topic (call at start-up).
    pub async fn register<C: EventContract>(&self) -> Result<Vec<(String, u32)>, CodecError> {
        self.codec.register::<C>(&self.naming.name(C::TOPIC)).await
    }

    pub fn shards(&self) -> u16 {
        self.shards
    }

    pub fn waker(&self) -> OutboxWaker {
        self.waker.clone()
    }

    /// Encodes `event` and inserts it in the caller's transaction.
    #[tracing::instrument(skip_all, fields(event_type = event.envelope().event_type, aggregate_id = event.key()), err)]
    pub async fn append<C: EventContract>(
        &self,
        conn: &mut PgConnection,
        event: &C,
    ) -> Result<(), OutboxError> {
        let topic = self.naming.name(C::TOPIC);
        let payload = event.encode(&self.codec, &topic).await?;
        let envelope = event.envelope();
        let headers = serde_json::to_value(envelope.to_headers()).unwrap_or_default();
        sqlx::query!(
            r#"insert into outbox
                   (event_id, topic, partition_key, shard, event_type, aggregate_type, aggregate_id,
                    tenant_id, payload, headers)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"#,
            envelope.event_id,
            topic,
            event.key(),
            shard_of(event.key(), self.shards),
            envelope.event_type,
            envelope.aggregate_type,
            envelope.aggregate_id,
            envelope.tenant_id,
            payload,
            headers,
        )
        .execute(conn)
        .await?;
        metrics::counter!("oms_outbox_appended_total", "topic" => C::TOPIC).increment(1);
        Ok(())
    }

    /// Commits `tx` and wakes the relays. Use this instead of `tx.commit()` when the
    /// transaction appended events.
    pub async fn commit(&self, tx: Transaction<'_, Postgres>) -> Result<(), sqlx::Error> {
        tx.commit().await?;
        self.waker.wake();
        Ok(())
    }
}

/// The shard of a key: FNV-1a (32 bit) modulo the shard count. Stable by construction, unlike
/// `std`'s hasher, because rows written by one release are drained by the next.
pub fn shard_of(key: &str, shards: u16) -> i16 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.as_bytes() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    // shards <= u16::MAX and the remainder < shards, and we cap shards at i16::MAX below.
    let shards = u32::from(shards.clamp(1, i16::MAX.unsigned_abs()));
    i16::try_from(hash % shards).unwrap_or(0)
}

async fn forward_notifications(pool: PgPool, channel: String, pending: Arc<Notify>) {
    loop {
        pending.notified().await;
        // Best effort: a lost notification only delays publishing until the relay's next poll.
        if let Err(error) = sqlx::query("select pg_notify($1, '')")
            .bind(&channel)
            .execute(&pool)
            .await
        {
            tracing::debug!(%error, "outbox notify failed; relays will poll");
            if pool.is_closed() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_in_range() {
        // Pinned values: changing the hash would move in-flight rows between shards.
        assert_eq!(shard_of("order-1", 8), shard_of("order-1", 8));
        assert_eq!(shard_of("", 8), i16::try_from(0x811c_9dc5_u32 % 8).unwrap());
        for key in ["a", "b", "order-42", "0190c3f0-0000-7000-8000-000000000000"] {
            let shard = shard_of(key, 8);
            assert!((0..8).contains(&shard), "{key} -> {shard}");
        }
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("anything", 0), 0, "zero shards behaves as one");
    }

    #[test]
    fn keys_spread_over_shards() {
        let mut seen = [0u32; 8];
        for i in 0..800 {
            seen[usize::try_from(shard_of(&format!("order-{i}"), 8)).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "uneven spread: {seen:?}");
    }

    #[test]
    fn channel_names_are_identifiers() {
        assert_eq!(notify_channel("order-capture"), "oms_outbox_order_capture");
    }
}
