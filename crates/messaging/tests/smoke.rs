//! Smoke test of the local stack's two external components, with plain clients:
//! - the broker: rdkafka produces records, a consumer group member reads them with manual
//!   offset store and commits; a second member of the same group starts after the committed
//!   offset (nothing committed is redelivered, nothing uncommitted is lost);
//! - the registry: a schema is registered and fetched back by id.

use oms_messaging::{KafkaSettings, ensure_topic};
use rdkafka::{
    ClientConfig, Message as _,
    consumer::{BaseConsumer, CommitMode, Consumer as _},
    producer::{FutureProducer, FutureRecord},
    util::Timeout,
};
use schema_registry_converter::{
    async_impl::schema_registry::{SrSettings, get_schema_by_id, post_schema},
    schema_registry_common::{SchemaType, SuppliedSchema},
};
use std::time::{Duration, Instant};

fn member(kafka: &KafkaSettings, group: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", &kafka.brokers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "6000")
        .create()
        .expect("consumer")
}

/// Polls until `count` records arrived (or 60 s passed); returns their payloads.
fn read(consumer: &BaseConsumer, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut payloads = Vec::new();
    while payloads.len() < count && Instant::now() < deadline {
        if let Some(message) = consumer.poll(Duration::from_millis(200)) {
            let message = message.expect("record");
            payloads
                .push(String::from_utf8_lossy(message.payload().unwrap_or_default()).into_owned());
            consumer
                .store_offset(message.topic(), message.partition(), message.offset())
                .expect("offset stored");
        }
    }
    payloads
}

#[tokio::test]
async fn the_broker_keeps_a_groups_committed_offset_across_members() {
    let kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
    let run = uuid::Uuid::now_v7().simple().to_string();
    let topic = format!("smoke.{run}");
    ensure_topic(&kafka, &topic, 1).await.expect("topic");
    let producer: FutureProducer = kafka
        .idempotent_producer("smoke")
        .create()
        .expect("producer");
    for i in 0..10 {
        producer
            .send(
                FutureRecord::to(&topic)
                    .key("k")
                    .payload(&format!("record-{i}")),
                Timeout::After(Duration::from_secs(10)),
            )
            .await
            .expect("acknowledged");
    }

    let group = format!("smoke-group-{run}");
    let first = member(&kafka, &group);
    first.subscribe(&[&topic]).expect("subscribe");
    let seen = read(&first, 6);
    assert_eq!(
        seen,
        (0..6).map(|i| format!("record-{i}")).collect::<Vec<_>>()
    );
    first
        .commit_consumer_state(CommitMode::Sync)
        .expect("commit");
    first.unsubscribe();
    drop(first);

    let second = member(&kafka, &group);
    second.subscribe(&[&topic]).expect("subscribe");
    let rest = read(&second, 4);
    assert_eq!(
        rest,
        (6..10).map(|i| format!("record-{i}")).collect::<Vec<_>>(),
        "the group resumes after its committed offset"
    );
}

#[tokio::test]
async fn the_registry_registers_a_schema_and_serves_it_by_id() {
    let settings = SrSettings::new(oms_test_support::env::schema_registry_url());
    let schema = r#"{"type":"record","name":"Smoke","namespace":"com.example.oms.smoke","fields":[{"name":"n","type":"long"}]}"#;
    let subject = format!(
        "smoke.{}-com.example.oms.smoke.Smoke",
        uuid::Uuid::now_v7().simple()
    );
    let registered = post_schema(
        &settings,
        subject,
        SuppliedSchema::new(
            Some("com.example.oms.smoke.Smoke".into()),
            SchemaType::Avro,
            schema.to_owned(),
        ),
    )
    .await
    .expect("registered");
    let fetched = get_schema_by_id(registered.id, &settings)
        .await
        .expect("fetched by id");
    let parsed = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("json");
    assert_eq!(parsed(&fetched.schema), parsed(schema));
}
