//! The relay: drains a service's outbox to Kafka.
//!
//! Invariants (ADR 0003):
//! - one active drainer per shard: a shard is drained only while this relay holds its
//!   session-level advisory lock, on the same connection that reads and marks the rows, so a
//!   lost connection stops the drain and frees the shard for another replica;
//! - rows of a shard are sent in id order through an idempotent, gapless producer;
//! - a row is marked published only after the broker acknowledged it, and only as part of the
//!   acknowledged prefix of its batch; a failed row is retried with backoff, never dropped;
//! - shutdown finishes the batch in hand.

use crate::{KafkaSettings, OutboxWaker, outbox::notify_channel};
use futures::future::join_all;
use rdkafka::{
    error::{KafkaError, RDKafkaErrorCode},
    message::{Header, OwnedHeaders},
    producer::{FutureProducer, FutureRecord, Producer as _},
};
use sqlx::{Connection as _, PgConnection, PgPool, postgres::PgListener};
use std::{
    collections::BTreeSet,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

/// How a relay behaves.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// The service whose outbox this is (lock keys, notification channel, metrics label).
    pub service: String,
    /// Must equal the shard count the service's [`crate::Outbox`] writes with.
    pub shards: u16,
    pub batch_size: i64,
    /// Polling fallback when no wake-up arrives.
    pub poll_interval: Duration,
    /// How often to try to take shards no replica holds.
    pub claim_interval: Duration,
    /// Published rows older than this are deleted.
    pub retention: Duration,
    pub retry_initial: Duration,
    pub retry_max: Duration,
}

impl RelaySettings {
    pub fn new(service: &str, shards: u16) -> Self {
        Self {
            service: service.to_owned(),
            shards: shards.max(1),
            batch_size: 500,
            poll_interval: Duration::from_millis(500),
            claim_interval: Duration::from_secs(5),
            retention: Duration::from_hours(24),
            retry_initial: Duration::from_millis(100),
            retry_max: Duration::from_secs(30),
        }
    }
}

/// Live relay figures: throughput, lag, owned shards.
#[derive(Debug, Default)]
pub struct RelayStats {
    running: AtomicBool,
    owned_shards: AtomicUsize,
    published: AtomicU64,
    failures: AtomicU64,
    oldest_unpublished_ms: AtomicU64,
}

impl RelayStats {
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }
    pub fn owned_shards(&self) -> usize {
        self.owned_shards.load(Ordering::Relaxed)
    }
    /// Rows published since start.
    pub fn published(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }
    /// Age of the oldest unpublished row at the last measurement (the outbox lag).
    pub fn lag(&self) -> Duration {
        Duration::from_millis(self.oldest_unpublished_ms.load(Ordering::Relaxed))
    }
}

/// Why the relay stopped.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("kafka producer: {0}")]
    Producer(#[from] KafkaError),
}

struct Row {
    id: i64,
    topic: String,
    partition_key: String,
    payload: Vec<u8>,
    headers: serde_json::Value,
}

/// Drains one service's outbox.
pub struct Relay {
    pool: PgPool,
    kafka: KafkaSettings,
    settings: RelaySettings,
    waker: Option<OutboxWaker>,
    stats: Arc<RelayStats>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// A relay for the outbox in `pool`'s database. `waker` connects it to an [`crate::Outbox`]
    /// in the same process; relays in other processes wake on `NOTIFY` or poll.
    pub fn new(
        pool: PgPool,
        kafka: KafkaSettings,
        settings: RelaySettings,
        waker: Option<OutboxWaker>,
    ) -> Self {
        Self {
            pool,
            kafka,
            settings,
            waker,
            stats: Arc::new(RelayStats::default()),
        }
    }

    pub fn stats(&self) -> Arc<RelayStats> {
        self.stats.clone()
    }

    /// Runs until `shutdown` is cancelled; finishes the batch in hand.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), RelayError> {
        let mut producer = self.producer()?;
        self.stats.running.store(true, Ordering::Relaxed);
        let mut backoff = self.settings.retry_initial;
        while !shutdown.is_cancelled() {
            match self.drain(&mut producer, &shutdown).await {
                Ok(()) => break,
                Err(error) => {
                    self.stats.owned_shards.store(0, Ordering::Relaxed);
                    tracing::warn!(service = %self.settings.service, %error, retry_in = ?backoff, "relay lost its database session; reconnecting");
                    if !sleep_or_shutdown(&shutdown, backoff).await {
                        break;
                    }
                    backoff = (backoff * 2).min(self.settings.retry_max);
                }
            }
        }
        self.stats.running.store(false, Ordering::Relaxed);
        self.stats.owned_shards.store(0, Ordering::Relaxed);
        // Deliver anything still queued in the producer before leaving.
        let _ignored = producer.flush(Duration::from_secs(10));
        tracing::info!(service = %self.settings.service, "relay stopped");
        Ok(())
    }

    fn producer(&self) -> Result<FutureProducer, KafkaError> {
        self.kafka
            .idempotent_producer(&format!(
                "{}-relay-{}",
                self.settings.service,
                std::process::id()
            ))
            .create()
    }

    /// One database session: claim shards, drain them, until shutdown (Ok) or a database
    /// error (Err, the caller reconnects; the session's locks are gone with it).
    async fn drain(
        &self,
        producer: &mut FutureProducer,
        shutdown: &CancellationToken,
    ) -> Result<(), sqlx::Error> {
        let mut conn = PgConnection::connect_with(&self.pool.connect_options()).await?;
        let mut listener = match PgListener::connect_with(&self.pool).await {
            Ok(mut listener) => match listener
                .listen(&notify_channel(&self.settings.service))
                .await
            {
                Ok(()) => Some(listener),
                Err(error) => {
                    tracing::debug!(%error, "LISTEN failed; relying on polling");
                    None
                }
            },
            Err(error) => {
                tracing::debug!(%error, "no listener connection; relying on polling");
                None
            }
        };
        let mut owned = BTreeSet::new();
        let mut last_claim: Option<Instant> = None;
        let mut last_housekeeping = Instant::now();
        let mut backoff = self.settings.retry_initial;
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            if owned.len() < usize::from(self.settings.shards)
                && last_claim.is_none_or(|at| at.elapsed() >= self.settings.claim_interval)
            {
                self.claim(&mut conn, &mut owned).await?;
                last_claim = Some(Instant::now());
            }
            if last_housekeeping.elapsed() >= Duration::from_secs(5) {
                self.housekeeping(&mut conn).await?;
                last_housekeeping = Instant::now();
            }
            if owned.is_empty() {
                // A standby: another replica drains every shard.
                if !sleep_or_shutdown(shutdown, self.settings.claim_interval).await {
                    return Ok(());
                }
                continue;
            }
            let shards: Vec<i16> = owned.iter().copied().collect();
            let rows = fetch(&mut conn, &shards, self.settings.batch_size).await?;
            if rows.is_empty() {
                self.wait_for_work(&mut listener, shutdown).await;
                continue;
            }
            let acknowledged = publish(producer, &rows).await;
            let published: Vec<i64> = rows[..acknowledged.count].iter().map(|r| r.id).collect();
            if !published.is_empty() {
                sqlx::query!(
                    "update outbox set published_at = now() where id = any($1)",
                    &published
                )
                .execute(&mut conn)
                .await?;
                self.stats
                    .published
                    .fetch_add(published.len() as u64, Ordering::Relaxed);
                metrics::counter!("oms_outbox_published_total", "service" => self.settings.service.clone())
                    .increment(published.len() as u64);
            }
            if let Some(error) = acknowledged.failure {
                let failed = &rows[acknowledged.count];
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("oms_outbox_publish_failures_total", "service" => self.settings.service.clone()).increment(1);
                tracing::warn!(service = %self.settings.service, outbox_id = failed.id, topic = %failed.topic, %error, retry_in = ?backoff, "publish failed; the row stays queued");
                sqlx::query!(
                    "update outbox set attempts = attempts + 1, last_error = $2 where id = $1",
                    failed.id,
                    error.to_string()
                )
                .execute(&mut conn)
                .await?;
                if let Some(fatal) = producer.client().fatal_error() {
                    tracing::error!(?fatal, "producer hit a fatal error; rebuilding it");
                    match self.producer() {
                        Ok(fresh) => *producer = fresh,
                        Err(error) => tracing::error!(%error, "cannot rebuild the producer yet"),
                    }
                }
                if !sleep_or_shutdown(shutdown, backoff).await {
                    return Ok(());
                }
                backoff = (backoff * 2).min(self.settings.retry_max);
            } else {
                backoff = self.settings.retry_initial;
            }
        }
    }

    /// Tries to take every shard this session does not hold yet.
    async fn claim(
        &self,
        conn: &mut PgConnection,
        owned: &mut BTreeSet<i16>,
    ) -> Result<(), sqlx::Error> {
        let namespace = lock_namespace(&self.settings.service);
        for shard in 0..i16::try_from(self.settings.shards).unwrap_or(i16::MAX) {
            if owned.contains(&shard) {
                continue;
            }
            let locked: bool = sqlx::query_scalar!(
                r#"select pg_try_advisory_lock($1, $2) as "locked!""#,
                namespace,
                i32::from(shard)
            )
            .fetch_one(&mut *conn)
            .await?;
            if locked {
                owned.insert(shard);
            }
        }
        self.stats
            .owned_shards
            .store(owned.len(), Ordering::Relaxed);
        Ok(())
    }

    /// Measures the lag and deletes published rows past retention.
    async fn housekeeping(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let oldest_ms: i64 = sqlx::query_scalar!(
            r#"select coalesce((extract(epoch from now() - min(created_at)) * 1000)::bigint, 0) as "age!"
               from outbox where published_at is null"#
        )
        .fetch_one(&mut *conn)
        .await?;
        let oldest_ms = u64::try_from(oldest_ms).unwrap_or(0);
        self.stats
            .oldest_unpublished_ms
            .store(oldest_ms, Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)] // milliseconds of lag fit an f64 exactly enough
        metrics::gauge!("oms_outbox_lag_seconds", "service" => self.settings.service.clone())
            .set(oldest_ms as f64 / 1000.0);
        let retention_secs =
            f64::from(u32::try_from(self.settings.retention.as_secs()).unwrap_or(u32::MAX));
        sqlx::query!(
            "delete from outbox where published_at < now() - make_interval(secs => $1)",
            retention_secs
        )
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn wait_for_work(&self, listener: &mut Option<PgListener>, shutdown: &CancellationToken) {
        let local = async {
            match &self.waker {
                Some(waker) => waker.woken().await,
                None => std::future::pending().await,
            }
        };
        let remote = async {
            match listener.as_mut() {
                Some(listener) => {
                    if listener.recv().await.is_err() {
                        // The listener reconnects on the next recv; poll meanwhile.
                        tokio::time::sleep(self.settings.poll_interval).await;
                    }
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = local => {}
            () = remote => {}
            () = tokio::time::sleep(self.settings.poll_interval) => {}
        }
    }
}

/// Lock namespace of a service: a stable 32-bit hash of its name.
fn lock_namespace(service: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in service.as_bytes() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(hash.to_ne_bytes())
}

async fn fetch(
    conn: &mut PgConnection,
    shards: &[i16],
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"select id, topic, partition_key, payload, headers
           from outbox
           where shard = any($1) and published_at is null
           order by id
           limit $2"#,
        shards,
        limit
    )
    .fetch_all(conn)
    .await
}

struct Acknowledged {
    /// Rows acknowledged from the start of the batch without a gap.
    count: usize,
    /// The first failure, if any.
    failure: Option<KafkaError>,
}

/// Sends every row, waits for all acknowledgements, and reports the acknowledged prefix.
async fn publish(producer: &FutureProducer, rows: &[Row]) -> Acknowledged {
    let mut deliveries = Vec::with_capacity(rows.len());
    let mut enqueue_failure = None;
    for row in rows {
        let mut headers = OwnedHeaders::new_with_capacity(10);
        if let Some(object) = row.headers.as_object() {
            for (name, value) in object {
                headers = headers.insert(Header {
                    key: name,
                    value: Some(value.as_str().unwrap_or_default()),
                });
            }
        }
        let mut record = FutureRecord::to(&row.topic)
            .key(row.partition_key.as_bytes())
            .payload(row.payload.as_slice())
            .headers(headers);
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    deliveries.push(delivery);
                    break;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    // librdkafka's queue is full: let it drain, then try the same record again.
                    record = returned;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Err((error, _)) => {
                    enqueue_failure = Some(error);
                    break;
                }
            }
        }
        if enqueue_failure.is_some() {
            break;
        }
    }
    let mut count = 0;
    let mut failure = None;
    for result in join_all(deliveries).await {
        match result {
            Ok(Ok(_)) if failure.is_none() => count += 1,
            Ok(Ok(_)) => {}
            Ok(Err((error, _))) => {
                failure.get_or_insert(error);
            }
            Err(_cancelled) => {
                failure.get_or_insert(KafkaError::Canceled);
            }
        }
    }
    Acknowledged {
        count,
        failure: failure.or(enqueue_failure),
    }
}

async fn sleep_or_shutdown(shutdown: &CancellationToken, duration: Duration) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => false,
        () = tokio::time::sleep(duration) => true,
    }
}
