//! Shared fixtures of the messaging integration tests: a test event family exercising every
//! Avro logical type we use, a per-test environment (fresh database, topic prefix, codec), and a
//! recording handler whose effects land in an `effects` table.
#![allow(dead_code)] // each test binary uses a different subset

use chrono::{DateTime, NaiveDate, Utc};
use oms_messaging::{
    Codec, Envelope, EventContract, Handler, HandlerError, KafkaSettings, MessageContext, Outbox,
    TopicNaming, avro_serde, ensure_topic,
};
use oms_test_support::TestDatabase;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};
use uuid::Uuid;

pub const WIDGET_TOPIC: &str = "test.widget.events.v1";
pub const DLQ_TOPIC: &str = "test.widget-consumer.dlq.v1";

oms_messaging::event_family! {
    /// Test-only family on the widget topic.
    pub enum WidgetEventV1 in "test.widget.events.v1" {
        WidgetPriced(WidgetPriced) = "com.example.oms.test.v1.WidgetPriced", include_str!("../schemas/WidgetPriced.avsc");
        WidgetRetired(WidgetRetired) = "com.example.oms.test.v1.WidgetRetired", include_str!("../schemas/WidgetRetired.avsc");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WidgetKind {
    Standard,
    Premium,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetPriced {
    pub envelope: Envelope,
    #[serde(with = "avro_serde::uuid")]
    pub widget_id: Uuid,
    pub sequence: i64,
    #[serde(with = "avro_serde::decimal4")]
    pub price: Decimal,
    #[serde(with = "avro_serde::decimal4_opt", default)]
    pub previous_price: Option<Decimal>,
    #[serde(with = "avro_serde::timestamp_millis")]
    pub priced_at: DateTime<Utc>,
    #[serde(with = "avro_serde::date")]
    pub valid_until: NaiveDate,
    pub kind: WidgetKind,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetRetired {
    pub envelope: Envelope,
    #[serde(with = "avro_serde::uuid")]
    pub widget_id: Uuid,
    pub reason: String,
}

/// A priced event for aggregate `widget` with a sequence number and a price derived from it.
pub fn priced(tenant: &str, widget: Uuid, sequence: i64) -> WidgetEventV1 {
    WidgetEventV1::WidgetPriced(WidgetPriced {
        envelope: Envelope::new(
            "WidgetPriced",
            1,
            "Widget",
            widget.to_string(),
            tenant,
            format!("corr-{widget}"),
            Utc::now(),
        ),
        widget_id: widget,
        sequence,
        price: Decimal::new(1_999_999 + sequence, 4) - Decimal::new(5, 1),
        previous_price: (sequence % 2 == 0).then(|| Decimal::new(-12_345, 4)),
        priced_at: oms_messaging::envelope::truncate_to_millis(Utc::now()),
        valid_until: NaiveDate::from_ymd_opt(2027, 1, 31).expect("valid date"),
        kind: if sequence % 3 == 0 {
            WidgetKind::Premium
        } else {
            WidgetKind::Standard
        },
        tags: vec!["fiber".into(), format!("seq-{sequence}")],
        attributes: BTreeMap::from([("bandwidth".into(), "1Gbps".into())]),
        note: (sequence % 5 == 0).then(|| "five".to_owned()),
    })
}

/// One isolated test environment: its own database, topic prefix and topics.
pub struct TestEnv {
    pub db: TestDatabase,
    pub naming: TopicNaming,
    pub codec: Arc<Codec>,
    pub kafka: KafkaSettings,
    pub tenant: String,
}

impl TestEnv {
    pub async fn new(partitions: i32) -> Self {
        let db = TestDatabase::create(&oms_messaging::MIGRATOR).await;
        sqlx::query(
            "create table effects (
                 event_id uuid not null,
                 aggregate_id text not null,
                 sequence bigint not null,
                 applied_at timestamptz not null default clock_timestamp(),
                 ordinal bigint generated always as identity)",
        )
        .execute(db.pool())
        .await
        .expect("effects table");
        let run = Uuid::now_v7().simple().to_string();
        let naming = TopicNaming::with_prefix(&format!("t{}", &run[run.len() - 12..]));
        let kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
        ensure_topic(&kafka, &naming.name(WIDGET_TOPIC), partitions)
            .await
            .expect("widget topic");
        ensure_topic(&kafka, &naming.name(DLQ_TOPIC), 1)
            .await
            .expect("dlq topic");
        let codec =
            Arc::new(Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec"));
        codec
            .register::<WidgetEventV1>(&naming.name(WIDGET_TOPIC))
            .await
            .expect("schemas registered");
        Self {
            db,
            naming,
            codec,
            kafka,
            tenant: format!("tenant-{run}"),
        }
    }

    pub fn outbox(&self, shards: u16) -> Outbox {
        Outbox::new(
            self.codec.clone(),
            self.naming.clone(),
            self.db.pool().clone(),
            "widget-service",
            shards,
        )
    }

    /// Appends `events` in one transaction per event, as services do.
    pub async fn append_all(&self, outbox: &Outbox, events: &[WidgetEventV1]) {
        for event in events {
            let mut tx = self.db.pool().begin().await.expect("begin");
            outbox.append(&mut tx, event).await.expect("append");
            outbox.commit(tx).await.expect("commit");
        }
    }

    pub async fn effects(&self) -> Vec<(Uuid, String, i64)> {
        sqlx::query_as("select event_id, aggregate_id, sequence from effects order by ordinal")
            .fetch_all(self.db.pool())
            .await
            .expect("effects")
    }

    pub async fn unpublished(&self) -> i64 {
        sqlx::query_scalar("select count(*) from outbox where published_at is null")
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }
}

/// Records each event's effect; can be told to fail transiently a number of times, or to
/// fail permanently for one sequence number.
#[derive(Debug, Default, Clone)]
pub struct RecordingHandler {
    pub transient_failures_left: Arc<AtomicU32>,
    pub permanent_for_sequence: Option<i64>,
    pub fixed: Arc<std::sync::atomic::AtomicBool>,
}

impl Handler for RecordingHandler {
    type Event = WidgetEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &WidgetEventV1,
        _ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let sequence = match event {
            WidgetEventV1::WidgetPriced(priced) => priced.sequence,
            WidgetEventV1::WidgetRetired(_) => -1,
        };
        if self
            .transient_failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(HandlerError::transient(anyhow::anyhow!("simulated outage")));
        }
        if self.permanent_for_sequence == Some(sequence) && !self.fixed.load(Ordering::SeqCst) {
            return Err(HandlerError::permanent(
                "WIDGET_REJECTED",
                format!("sequence {sequence} is not acceptable"),
            ));
        }
        sqlx::query("insert into effects (event_id, aggregate_id, sequence) values ($1, $2, $3)")
            .bind(event.envelope().event_id)
            .bind(event.key())
            .bind(sequence)
            .execute(conn)
            .await?;
        Ok(())
    }
}
