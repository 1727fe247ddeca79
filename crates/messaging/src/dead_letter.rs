//! Dead letters: records a consumer could not process. Each is kept as a database row (for
//! operators: list, inspect, replay) and published unchanged to the service's dead-letter topic
//! with error headers (for tooling that watches topics), and the partition moves on.
//!
//! Invariants: a record is dead-lettered at most once per (consumer, topic, partition, offset);
//! replay runs the same [`Router::process`] as live consumption, so a replayed record is applied
//! effectively once, and an event already applied (inbox row present) is not applied again.

use crate::router::{Outcome, Record, Router};
use chrono::{DateTime, Utc};
use rdkafka::{
    message::{Header, OwnedHeaders},
    producer::{FutureProducer, FutureRecord},
    util::Timeout,
};
use serde::Serialize;
use sqlx::PgPool;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Dead-letter header names added to the original record's headers.
pub mod header {
    pub const ERROR_CLASS: &str = "dlq_error_class";
    pub const ERROR_MESSAGE: &str = "dlq_error_message";
    pub const ORIGINAL_TOPIC: &str = "dlq_original_topic";
    pub const ORIGINAL_PARTITION: &str = "dlq_original_partition";
    pub const ORIGINAL_OFFSET: &str = "dlq_original_offset";
    pub const CONSUMER: &str = "dlq_consumer";
    pub const FAILED_AT: &str = "dlq_failed_at";
}

/// One dead letter as operators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub id: i64,
    pub consumer: String,
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub event_id: Option<Uuid>,
    pub error_class: String,
    pub error_message: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
    pub replay_count: i32,
    pub last_replay_error: Option<String>,
}

/// Writes dead letters for one consumer.
#[derive(Clone)]
pub struct DeadLetterSink {
    pool: PgPool,
    producer: FutureProducer,
    topic: String,
}

impl std::fmt::Debug for DeadLetterSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeadLetterSink")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl DeadLetterSink {
    pub fn new(pool: PgPool, producer: FutureProducer, topic: impl Into<String>) -> Self {
        Self {
            pool,
            producer,
            topic: topic.into(),
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Records `record` as dead: a row (idempotent per record position) and a copy on the
    /// dead-letter topic. Errors are transient; the caller retries.
    pub async fn record(
        &self,
        consumer: &str,
        record: &Record,
        event_id: Option<Uuid>,
        class: &str,
        message: &str,
    ) -> Result<(), String> {
        let headers: BTreeMap<&str, &str> = record
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let headers_json = serde_json::to_value(&headers).unwrap_or_default();
        sqlx::query!(
            r#"insert into dead_letter
                   (consumer, topic, kafka_partition, kafka_offset, record_key, payload, headers,
                    event_id, error_class, error_message)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               on conflict (consumer, topic, kafka_partition, kafka_offset) do nothing"#,
            consumer,
            record.topic,
            record.partition,
            record.offset,
            record.key.as_deref(),
            record.payload.as_deref(),
            headers_json,
            event_id,
            class,
            message,
        )
        .execute(&self.pool)
        .await
        .map_err(|e| format!("dead letter row: {e}"))?;

        let failed_at = Utc::now().to_rfc3339();
        let (partition, offset) = (record.partition.to_string(), record.offset.to_string());
        let mut kafka_headers = OwnedHeaders::new();
        for (name, value) in &record.headers {
            kafka_headers = kafka_headers.insert(Header {
                key: name,
                value: Some(value.as_bytes()),
            });
        }
        for (name, value) in [
            (header::ERROR_CLASS, class),
            (header::ERROR_MESSAGE, message),
            (header::ORIGINAL_TOPIC, record.topic.as_str()),
            (header::ORIGINAL_PARTITION, partition.as_str()),
            (header::ORIGINAL_OFFSET, offset.as_str()),
            (header::CONSUMER, consumer),
            (header::FAILED_AT, failed_at.as_str()),
        ] {
            kafka_headers = kafka_headers.insert(Header {
                key: name,
                value: Some(value.as_bytes()),
            });
        }
        let mut out = FutureRecord::<[u8], [u8]>::to(&self.topic).headers(kafka_headers);
        if let Some(key) = record.key.as_deref() {
            out = out.key(key);
        }
        if let Some(payload) = record.payload.as_deref() {
            out = out.payload(payload);
        }
        self.producer
            .send(out, Timeout::After(std::time::Duration::from_secs(30)))
            .await
            .map_err(|(e, _)| format!("dead letter topic {}: {e}", self.topic))?;
        metrics::counter!("oms_dead_letters_total", "consumer" => consumer.to_owned(), "class" => class.to_owned())
            .increment(1);
        tracing::warn!(consumer, topic = %record.topic, partition = record.partition, offset = record.offset, class, message, "record dead-lettered");
        Ok(())
    }
}

/// Open (not yet replayed or discarded) dead letters of `consumer`, oldest first.
pub async fn list_open(
    pool: &PgPool,
    consumer: &str,
    limit: i64,
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    sqlx::query_as!(
        DeadLetter,
        r#"select id, consumer, topic, kafka_partition as partition, kafka_offset as offset, event_id,
                  error_class, error_message, status, created_at, replayed_at, replay_count,
                  last_replay_error
           from dead_letter
           where consumer = $1 and status = 'OPEN'
           order by created_at, id
           limit $2"#,
        consumer,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Why a replay did not apply the record.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("dead letter {0} not found for this consumer")]
    NotFound(i64),
    #[error("dead letter {0} is not open (already replayed or discarded)")]
    NotOpen(i64),
    #[error("the record still fails: {0}")]
    StillFailing(String),
    #[error("transient failure, try again: {0}")]
    Transient(String),
}

/// Replays dead letter `id` through `router` (which must be the consumer's own router).
/// On success the dead letter is marked REPLAYED; on failure it stays OPEN with the new error.
pub async fn replay(router: &Router, id: i64) -> Result<(), ReplayError> {
    let pool = router.pool();
    let row = sqlx::query!(
        r#"select topic, kafka_partition, kafka_offset, record_key, payload, headers, status
           from dead_letter where id = $1 and consumer = $2"#,
        id,
        router.consumer()
    )
    .fetch_optional(pool)
    .await
    .map_err(|e| ReplayError::Transient(e.to_string()))?
    .ok_or(ReplayError::NotFound(id))?;
    if row.status != "OPEN" {
        return Err(ReplayError::NotOpen(id));
    }
    let headers = row
        .headers
        .as_object()
        .map(|object| {
            object
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let record = Record {
        topic: row.topic,
        partition: row.kafka_partition,
        offset: row.kafka_offset,
        key: row.record_key,
        payload: row.payload,
        headers,
    };
    let failure = match router.process(&record).await {
        Outcome::Handled | Outcome::Duplicate => None,
        Outcome::Poison { class, message } => Some(format!("{class}: {message}")),
        Outcome::Permanent { code, message, .. } => Some(format!("{code}: {message}")),
        Outcome::Transient(message) => return Err(ReplayError::Transient(message)),
    };
    let status = if failure.is_some() {
        "OPEN"
    } else {
        "REPLAYED"
    };
    sqlx::query!(
        r#"update dead_letter
           set status = $2, replay_count = replay_count + 1, last_replay_error = $3,
               replayed_at = case when $2 = 'REPLAYED' then now() else replayed_at end
           where id = $1"#,
        id,
        status,
        failure.as_deref()
    )
    .execute(pool)
    .await
    .map_err(|e| ReplayError::Transient(e.to_string()))?;
    match failure {
        None => {
            tracing::info!(
                dead_letter = id,
                consumer = router.consumer(),
                "dead letter replayed"
            );
            Ok(())
        }
        Some(error) => Err(ReplayError::StillFailing(error)),
    }
}
