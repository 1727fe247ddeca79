//! The inbox consumer: reads a service's topics in one consumer group and applies each record
//! effectively once through the [`Router`].
//!
//! Invariants:
//! - records of one partition are applied strictly in order by one worker; partitions run in
//!   parallel;
//! - a record's offset is stored only after its transaction committed (or after it was
//!   dead-lettered), so a crash redelivers, and the inbox absorbs the redelivery;
//! - a transient failure retries the same record with capped exponential backoff and never
//!   skips it; poison and permanent failures are dead-lettered and the partition moves on;
//! - on shutdown each worker finishes the record in hand, stored offsets are committed, and the
//!   consumer leaves the group.

use crate::{
    DeadLetterSink, KafkaSettings,
    envelope::header,
    router::{BatchOutcome, Outcome, Record, Router},
};
use rdkafka::{
    ClientContext, Message as _,
    consumer::{
        BaseConsumer, CommitMode, Consumer as _, ConsumerContext, Rebalance, StreamConsumer,
    },
    message::{Headers as _, OwnedMessage},
    producer::FutureProducer,
};
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::sync::mpsc;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use uuid::Uuid;

/// How a consumer behaves.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// Consumer group id: one group per service.
    pub group: String,
    pub client_id: String,
    /// Where dead letters go, e.g. `oms.order-capture.dlq.v1` (the router's topic prefix applies).
    pub dead_letter_topic: String,
    pub retry_initial: Duration,
    pub retry_max: Duration,
    /// Records buffered per partition worker.
    pub queue_per_partition: usize,
    /// Most records of one partition applied in one transaction (1 disables batching).
    pub max_batch: usize,
}

impl ConsumerSettings {
    pub fn new(group: &str, dead_letter_topic: &str) -> Self {
        Self {
            group: group.to_owned(),
            client_id: format!("{group}-{}", std::process::id()),
            dead_letter_topic: dead_letter_topic.to_owned(),
            retry_initial: Duration::from_millis(100),
            retry_max: Duration::from_secs(30),
            queue_per_partition: 256,
            max_batch: 100,
        }
    }
}

/// Live facts about a running consumer, for readiness checks and tests.
#[derive(Debug, Default)]
pub struct ConsumerStatus {
    running: AtomicBool,
    assigned: AtomicUsize,
    processed: AtomicU64,
    dead_lettered: AtomicU64,
}

impl ConsumerStatus {
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Relaxed)
    }
    pub fn assigned_partitions(&self) -> usize {
        self.assigned.load(Ordering::Relaxed)
    }
    pub fn processed(&self) -> u64 {
        self.processed.load(Ordering::Relaxed)
    }
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.load(Ordering::Relaxed)
    }
}

type PartitionKey = (String, i32);

/// Tracks which partitions this member owns, so workers drop records of revoked partitions
/// (their new owner will be redelivered them from the committed offset).
struct RebalanceContext {
    owned: Arc<Mutex<HashSet<PartitionKey>>>,
    status: Arc<ConsumerStatus>,
}

impl ClientContext for RebalanceContext {}

impl ConsumerContext for RebalanceContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance {
            let mut owned = self
                .owned
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for element in list.elements() {
                owned.remove(&(element.topic().to_owned(), element.partition()));
            }
            self.status.assigned.store(owned.len(), Ordering::Relaxed);
            tracing::info!(partitions = list.count(), "partitions revoked");
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(list) => {
                let mut owned = self
                    .owned
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                for element in list.elements() {
                    owned.insert((element.topic().to_owned(), element.partition()));
                }
                self.status.assigned.store(owned.len(), Ordering::Relaxed);
                tracing::info!(partitions = list.count(), "partitions assigned");
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(error) => tracing::warn!(%error, "rebalance error"),
        }
    }
}

/// Why the consumer could not run.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
}

/// A consumer group member applying records through a [`Router`].
pub struct InboxConsumer {
    router: Arc<Router>,
    kafka: KafkaSettings,
    settings: ConsumerSettings,
    status: Arc<ConsumerStatus>,
}

impl std::fmt::Debug for InboxConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxConsumer")
            .field("router", &self.router)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

struct Shared {
    router: Arc<Router>,
    consumer: Arc<StreamConsumer<RebalanceContext>>,
    dead_letters: DeadLetterSink,
    settings: ConsumerSettings,
    owned: Arc<Mutex<HashSet<PartitionKey>>>,
    status: Arc<ConsumerStatus>,
    shutdown: CancellationToken,
}

impl InboxConsumer {
    pub fn new(router: Arc<Router>, kafka: KafkaSettings, settings: ConsumerSettings) -> Self {
        Self {
            router,
            kafka,
            settings,
            status: Arc::new(ConsumerStatus::default()),
        }
    }

    pub fn status(&self) -> Arc<ConsumerStatus> {
        self.status.clone()
    }

    /// Consumes until `shutdown` is cancelled, then finishes the records in hand and returns.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), ConsumerError> {
        let owned = Arc::new(Mutex::new(HashSet::new()));
        let context = RebalanceContext {
            owned: owned.clone(),
            status: self.status.clone(),
        };
        let consumer: StreamConsumer<RebalanceContext> = self
            .kafka
            .consumer(&self.settings.group, &self.settings.client_id)
            .create_with_context(context)?;
        let topics = self.router.topics();
        consumer.subscribe(&topics)?;
        let producer: FutureProducer = self
            .kafka
            .idempotent_producer(&format!("{}-dlq", self.settings.client_id))
            .create()?;
        let shared = Arc::new(Shared {
            router: self.router.clone(),
            consumer: Arc::new(consumer),
            dead_letters: DeadLetterSink::new(
                self.router.pool().clone(),
                producer,
                self.router.naming().name(&self.settings.dead_letter_topic),
            ),
            settings: self.settings.clone(),
            owned,
            status: self.status.clone(),
            shutdown: shutdown.clone(),
        });
        self.status.running.store(true, Ordering::Relaxed);
        tracing::info!(group = %self.settings.group, ?topics, "consumer started");

        let workers = TaskTracker::new();
        let mut queues: HashMap<PartitionKey, mpsc::Sender<OwnedMessage>> = HashMap::new();
        let mut watchdog = tokio::time::interval(Duration::from_secs(1));
        let mut unassigned_since = Some(std::time::Instant::now());
        loop {
            let message = tokio::select! {
                () = shutdown.cancelled() => break,
                message = shared.consumer.recv() => message,
                _ = watchdog.tick() => {
                    if let Some(limit) = self.kafka.rejoin_unassigned_after {
                        unassigned_since = rejoin_if_unassigned(&shared, &topics, limit, unassigned_since)?;
                    }
                    continue;
                }
            };
            let message = match message {
                Ok(message) => message.detach(),
                Err(error) => {
                    tracing::warn!(%error, "consumer error");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let key = (message.topic().to_owned(), message.partition());
            let mut message = Some(message);
            while let Some(pending) = message.take() {
                let queue = queues.entry(key.clone()).or_insert_with(|| {
                    let (tx, rx) = mpsc::channel(shared.settings.queue_per_partition);
                    workers.spawn(partition_worker(shared.clone(), rx));
                    tx
                });
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    sent = queue.send(pending) => if let Err(returned) = sent {
                        // The worker stopped (it only does so on shutdown); start a new one.
                        queues.remove(&key);
                        message = Some(returned.0);
                    },
                }
            }
        }

        drop(queues);
        workers.close();
        workers.wait().await;
        if let Err(error) = shared.consumer.commit_consumer_state(CommitMode::Sync) {
            tracing::debug!(%error, "final offset commit");
        }
        shared.consumer.unsubscribe();
        self.status.running.store(false, Ordering::Relaxed);
        tracing::info!(group = %self.settings.group, "consumer stopped");
        Ok(())
    }
}

/// The watchdog of [`KafkaSettings::rejoin_unassigned_after`]: when the member has owned no
/// partition for `limit`, it leaves the group and joins again (a new member id), which makes
/// the coordinator run a fresh rebalance. Returns since when the member is unassigned.
fn rejoin_if_unassigned(
    shared: &Shared,
    topics: &[&str],
    limit: Duration,
    since: Option<std::time::Instant>,
) -> Result<Option<std::time::Instant>, ConsumerError> {
    if shared.status.assigned_partitions() > 0 {
        return Ok(None);
    }
    let since = since.unwrap_or_else(std::time::Instant::now);
    if since.elapsed() < limit {
        return Ok(Some(since));
    }
    tracing::warn!(
        group = %shared.settings.group,
        unassigned_for_ms = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX),
        "no partition assigned; leaving and rejoining the consumer group"
    );
    shared.consumer.unsubscribe();
    shared.consumer.subscribe(topics)?;
    Ok(Some(std::time::Instant::now()))
}

async fn partition_worker(shared: Arc<Shared>, mut queue: mpsc::Receiver<OwnedMessage>) {
    loop {
        let first = tokio::select! {
            () = shared.shutdown.cancelled() => return,
            message = queue.recv() => match message {
                Some(message) => message,
                None => return,
            },
        };
        // Take whatever else is already queued for this partition, up to the batch size.
        let mut messages = vec![first];
        while messages.len() < shared.settings.max_batch {
            match queue.try_recv() {
                Ok(message) => messages.push(message),
                Err(_) => break,
            }
        }
        let key = (messages[0].topic().to_owned(), messages[0].partition());
        let still_owned = shared
            .owned
            .lock()
            .map_or(true, |owned| owned.contains(&key));
        if !still_owned {
            continue;
        }
        let records: Vec<Record> = messages.iter().map(to_record).collect();
        if records.len() > 1
            && let BatchOutcome::Applied {
                handled,
                duplicates,
            } = shared.router.process_batch(&records).await
        {
            let consumer = shared.router.consumer().to_owned();
            metrics::counter!("oms_consumer_records_total", "consumer" => consumer.clone(), "topic" => key.0.clone(), "outcome" => "handled")
                .increment(handled);
            metrics::counter!("oms_consumer_records_total", "consumer" => consumer, "topic" => key.0.clone(), "outcome" => "duplicate")
                .increment(duplicates);
            shared
                .status
                .processed
                .fetch_add(handled + duplicates, Ordering::Relaxed);
            if let Some(last) = records.last() {
                store_offset(&shared, last);
            }
            continue;
        }
        for record in &records {
            if !apply_until_settled(&shared, record).await {
                return; // shutdown while retrying: the offset stays unstored, the record comes back
            }
            store_offset(&shared, record);
        }
    }
}

fn store_offset(shared: &Shared, record: &Record) {
    if let Err(error) = shared
        .consumer
        .store_offset(&record.topic, record.partition, record.offset)
    {
        tracing::debug!(%error, topic = %record.topic, partition = record.partition, "offset not stored (partition revoked?)");
    }
}

/// Processes `record` until it is handled, a duplicate, or dead-lettered. Returns false if
/// shutdown interrupted a retry.
async fn apply_until_settled(shared: &Shared, record: &Record) -> bool {
    let consumer = shared.router.consumer().to_owned();
    let mut backoff = shared.settings.retry_initial;
    let started = Instant::now();
    loop {
        let outcome = shared.router.process(record).await;
        let settled = match outcome {
            Outcome::Handled | Outcome::Duplicate => {
                let label = if matches!(outcome, Outcome::Handled) {
                    "handled"
                } else {
                    "duplicate"
                };
                metrics::counter!("oms_consumer_records_total", "consumer" => consumer.clone(), "topic" => record.topic.clone(), "outcome" => label)
                    .increment(1);
                true
            }
            Outcome::Poison { class, message } => {
                let event_id =
                    header_value(record, header::EVENT_ID).and_then(|v| Uuid::parse_str(v).ok());
                dead_letter(shared, record, event_id, class.code(), &message).await
            }
            Outcome::Permanent {
                event_id,
                code,
                message,
            } => {
                dead_letter(
                    shared,
                    record,
                    Some(event_id),
                    &format!("HANDLER_PERMANENT:{code}"),
                    &message,
                )
                .await
            }
            Outcome::Transient(message) => {
                tracing::warn!(topic = %record.topic, partition = record.partition, offset = record.offset, retry_in = ?backoff, error = %message, "transient failure; retrying the same record");
                metrics::counter!("oms_consumer_retries_total", "consumer" => consumer.clone(), "topic" => record.topic.clone()).increment(1);
                false
            }
        };
        if settled {
            shared.status.processed.fetch_add(1, Ordering::Relaxed);
            metrics::histogram!("oms_consumer_apply_seconds", "consumer" => consumer.clone())
                .record(started.elapsed().as_secs_f64());
            return true;
        }
        if !sleep_or_shutdown(&shared.shutdown, backoff).await {
            return false;
        }
        backoff = (backoff * 2).min(shared.settings.retry_max);
    }
}

/// Dead-letters a record; returns true once recorded (retrying transient sink failures).
async fn dead_letter(
    shared: &Shared,
    record: &Record,
    event_id: Option<Uuid>,
    class: &str,
    message: &str,
) -> bool {
    let mut backoff = shared.settings.retry_initial;
    loop {
        match shared
            .dead_letters
            .record(shared.router.consumer(), record, event_id, class, message)
            .await
        {
            Ok(()) => {
                shared.status.dead_lettered.fetch_add(1, Ordering::Relaxed);
                return true;
            }
            Err(error) => {
                tracing::warn!(%error, "could not dead-letter the record yet; retrying");
                if !sleep_or_shutdown(&shared.shutdown, backoff).await {
                    return false;
                }
                backoff = (backoff * 2).min(shared.settings.retry_max);
            }
        }
    }
}

async fn sleep_or_shutdown(shutdown: &CancellationToken, duration: Duration) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => false,
        () = tokio::time::sleep(duration) => true,
    }
}

fn header_value<'a>(record: &'a Record, name: &str) -> Option<&'a str> {
    record
        .headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn to_record(message: &OwnedMessage) -> Record {
    let headers = message
        .headers()
        .map(|headers| {
            headers
                .iter()
                .map(|h| {
                    (
                        h.key.to_owned(),
                        h.value
                            .map(|v| String::from_utf8_lossy(v).into_owned())
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Record {
        topic: message.topic().to_owned(),
        partition: message.partition(),
        offset: message.offset(),
        key: message.key().map(<[u8]>::to_vec),
        payload: message.payload().map(<[u8]>::to_vec),
        headers,
    }
}
