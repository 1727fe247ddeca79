//! What a test looks at: the stored plan and failure rows, the decomposition events in the
//! outbox, and the records the relay published on the decomposition topic.

use oms_contracts::DecompositionEventV1;
use oms_domain::events::DecompositionEvent;
use oms_domain::value::OrderId;
use oms_messaging::EventContract as _;
use oms_test_support::eventually;
use rdkafka::Message as _;
use rdkafka::consumer::{BaseConsumer, Consumer as _, StreamConsumer};
use std::time::Duration;
use uuid::Uuid;

use super::{DECOMPOSITION_PARTITIONS, DECOMPOSITION_TOPIC, POLL, Stack, WAIT};

/// A `decomposition_plan` row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub tenant_id: String,
    pub rules_version: i32,
    pub rules_label: String,
    pub input_hash: String,
    pub plan_hash: String,
    /// The stored text of `plan_json`, byte for byte.
    pub plan_json: String,
    pub input_json: String,
}

impl Stack {
    /// The stored plan of `order`, if any.
    pub async fn plan_row(&self, order: OrderId) -> Option<PlanRow> {
        let row: Option<(String, i32, String, String, String, String, String)> = sqlx::query_as(
            "select tenant_id, rules_version, rules_label, input_hash, plan_hash,
                    plan_json::text, input_json::text
               from decomposition_plan where order_id = $1",
        )
        .bind(order.as_uuid())
        .fetch_optional(self.db.pool())
        .await
        .expect("plan row");
        row.map(
            |(
                tenant_id,
                rules_version,
                rules_label,
                input_hash,
                plan_hash,
                plan_json,
                input_json,
            )| {
                PlanRow {
                    tenant_id,
                    rules_version,
                    rules_label,
                    input_hash,
                    plan_hash,
                    plan_json,
                    input_json,
                }
            },
        )
    }

    /// The recorded failure of `order` as (code, item id, fallout id), if any.
    pub async fn failure_row(&self, order: OrderId) -> Option<(String, Option<Uuid>, Uuid)> {
        sqlx::query_as(
            "select code, item_id, fallout_id from decomposition_failure where order_id = $1",
        )
        .bind(order.as_uuid())
        .fetch_optional(self.db.pool())
        .await
        .expect("failure row")
    }

    /// The decomposition events written for `order`, oldest first, decoded from the outbox.
    pub async fn events_of(&self, order: OrderId) -> Vec<(Uuid, DecompositionEvent)> {
        let payloads: Vec<Vec<u8>> =
            sqlx::query_scalar("select payload from outbox where aggregate_id = $1 order by id")
                .bind(order.to_string())
                .fetch_all(self.db.pool())
                .await
                .expect("outbox rows");
        let mut events = Vec::new();
        for payload in payloads {
            let record = self
                .codec
                .decode::<DecompositionEventV1>(Some(&payload))
                .await
                .expect("decodes");
            let id = record.envelope().event_id;
            events.push((
                id,
                DecompositionEvent::try_from(&record).expect("maps to the domain"),
            ));
        }
        events
    }

    /// Waits until every outbox row is published, then returns the decomposition topic's
    /// record count (sum of the partitions' high watermarks).
    pub async fn published_records(&self) -> i64 {
        let pool = self.db.pool();
        eventually(WAIT, POLL, || async move {
            let pending: i64 =
                sqlx::query_scalar("select count(*) from outbox where published_at is null")
                    .fetch_one(pool)
                    .await
                    .ok()?;
            (pending == 0).then_some(())
        })
        .await;
        let consumer: BaseConsumer = self
            .kafka
            .consumer(&format!("watermarks-{}", Uuid::now_v7()), "watermarks")
            .create()
            .expect("consumer");
        let topic = self.naming.name(DECOMPOSITION_TOPIC);
        let mut total = 0;
        for partition in 0..DECOMPOSITION_PARTITIONS {
            let (_, high) = consumer
                .fetch_watermarks(&topic, partition, Duration::from_secs(10))
                .expect("watermarks");
            total += high;
        }
        total
    }

    /// The first `count` records of the decomposition topic, read from the beginning by a
    /// fresh consumer group: (key, event id, event).
    pub async fn read_topic(&self, count: usize) -> Vec<(String, Uuid, DecompositionEvent)> {
        let consumer: StreamConsumer = self
            .kafka
            .consumer(&format!("reader-{}", Uuid::now_v7()), "reader")
            .create()
            .expect("consumer");
        consumer
            .subscribe(&[&self.naming.name(DECOMPOSITION_TOPIC)])
            .expect("subscribed");
        let mut records = Vec::new();
        while records.len() < count {
            let message = tokio::time::timeout(WAIT, consumer.recv())
                .await
                .expect("a decomposition record in time")
                .expect("kafka");
            let key =
                String::from_utf8(message.key().unwrap_or_default().to_vec()).expect("utf-8 key");
            let record = self
                .codec
                .decode::<DecompositionEventV1>(message.payload())
                .await
                .expect("decodes");
            let id = record.envelope().event_id;
            records.push((
                key,
                id,
                DecompositionEvent::try_from(&record).expect("maps to the domain"),
            ));
        }
        records
    }
}
