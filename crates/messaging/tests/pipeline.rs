//! Outbox -> relay -> broker -> inbox consumer, against the real PostgreSQL, broker and
//! registry: order per aggregate, effectively-once effects, dead letters and replay,
//! transient retries, and shard ownership between relay replicas.

mod common;

use common::{DLQ_TOPIC, RecordingHandler, TestEnv, WIDGET_TOPIC, WidgetEventV1, priced};
use oms_messaging::{
    ConsumerSettings, DeadLetter, EventContract, InboxConsumer, KafkaSettings, Relay,
    RelaySettings, Router,
    dead_letter::{self, ReplayError},
    envelope::header,
};
use oms_test_support::eventually;
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::Headers as _,
    producer::{FutureProducer, FutureRecord},
    util::Timeout,
};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, atomic::Ordering},
    time::Duration,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const TIMEOUT: Duration = Duration::from_secs(60);

fn start_relay(
    env: &TestEnv,
    shards: u16,
    shutdown: &CancellationToken,
) -> Arc<oms_messaging::RelayStats> {
    let mut settings = RelaySettings::new("widget-service", shards);
    settings.poll_interval = Duration::from_millis(100);
    settings.claim_interval = Duration::from_millis(200);
    let relay = Relay::new(env.db.pool().clone(), env.kafka.clone(), settings, None);
    let stats = relay.stats();
    tokio::spawn(relay.run(shutdown.clone()));
    stats
}

fn start_consumer(
    env: &TestEnv,
    handler: RecordingHandler,
    shutdown: &CancellationToken,
) -> (
    Arc<Router>,
    Arc<oms_messaging::ConsumerStatus>,
    tokio::task::JoinHandle<()>,
) {
    let router = Arc::new(
        Router::new(
            "widget-consumer",
            env.db.pool().clone(),
            env.codec.clone(),
            env.naming.clone(),
        )
        .route(handler),
    );
    let mut settings = ConsumerSettings::new(
        &format!("{}widget-consumer", env.naming.prefix()),
        DLQ_TOPIC,
    );
    settings.retry_initial = Duration::from_millis(20);
    settings.retry_max = Duration::from_millis(200);
    let consumer = InboxConsumer::new(router.clone(), env.kafka.clone(), settings);
    let status = consumer.status();
    let task = tokio::spawn({
        let shutdown = shutdown.clone();
        async move { consumer.run(shutdown).await.expect("consumer ran") }
    });
    (router, status, task)
}

/// Every record currently in `topic`, read from the beginning of each partition.
fn read_all(
    kafka: &KafkaSettings,
    topic: &str,
    partitions: i32,
    expected: usize,
) -> Vec<rdkafka::message::OwnedMessage> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &kafka.brokers)
        .set("group.id", format!("reader-{}", Uuid::now_v7()))
        .set("enable.auto.commit", "false")
        .create()
        .expect("reader");
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions {
        assignment
            .add_partition_offset(topic, partition, Offset::Beginning)
            .expect("partition");
    }
    consumer.assign(&assignment).expect("assign");
    let mut records = Vec::new();
    let deadline = std::time::Instant::now() + TIMEOUT;
    while records.len() < expected && std::time::Instant::now() < deadline {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
            records.push(message.detach());
        }
    }
    // Drain briefly for unexpected extras (duplicates would show up here).
    while let Some(Ok(message)) = consumer.poll(Duration::from_millis(500)) {
        records.push(message.detach());
    }
    records
}

#[tokio::test]
async fn relay_publishes_every_event_once_in_commit_order_per_aggregate() {
    let env = Arc::new(TestEnv::new(3).await);
    let outbox = env.outbox(4);
    let widgets: Vec<Uuid> = (0..12).map(|_| Uuid::now_v7()).collect();
    // Aggregates written concurrently, each aggregate's events in sequence.
    let mut writers = Vec::new();
    for widget in widgets.clone() {
        let (env, outbox) = (env.clone(), outbox.clone());
        writers.push(tokio::spawn(async move {
            let events: Vec<_> = (0..15)
                .map(|seq| priced(&env.tenant, widget, seq))
                .collect();
            env.append_all(&outbox, &events).await;
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let shutdown = CancellationToken::new();
    let stats = start_relay(&env, 4, &shutdown);
    eventually(TIMEOUT, Duration::from_millis(100), || async {
        (env.unpublished().await == 0).then_some(())
    })
    .await;
    assert_eq!(stats.published(), 180);
    assert_eq!(stats.owned_shards(), 4);

    let records = read_all(&env.kafka, &env.naming.name(WIDGET_TOPIC), 3, 180);
    assert_eq!(records.len(), 180, "each event exactly once on the topic");
    let mut sequences: HashMap<String, Vec<i64>> = HashMap::new();
    for record in &records {
        let event: WidgetEventV1 = env.codec.decode(record.payload()).await.expect("decodes");
        let key = std::str::from_utf8(record.key().expect("key")).expect("utf8");
        assert_eq!(key, event.key(), "keyed by aggregate id");
        let headers: BTreeMap<String, String> = record
            .headers()
            .expect("headers")
            .iter()
            .map(|h| {
                (
                    h.key.to_owned(),
                    String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                )
            })
            .collect();
        assert_eq!(
            headers[header::EVENT_ID],
            event.envelope().event_id.to_string()
        );
        assert_eq!(headers[header::EVENT_TYPE], "WidgetPriced");
        assert_eq!(headers[header::TENANT_ID], env.tenant);
        assert!(headers.contains_key(header::CORRELATION_ID));
        let WidgetEventV1::WidgetPriced(priced) = event else {
            panic!("unexpected event")
        };
        sequences
            .entry(key.to_owned())
            .or_default()
            .push(priced.sequence);
    }
    for widget in &widgets {
        assert_eq!(
            sequences[&widget.to_string()],
            (0..15).collect::<Vec<_>>(),
            "order of {widget}"
        );
    }
    shutdown.cancel();
}

#[tokio::test]
async fn consumer_applies_each_event_once_in_order_even_when_redelivered() {
    let env = Arc::new(TestEnv::new(3).await);
    let outbox = env.outbox(4);
    let widgets: Vec<Uuid> = (0..8).map(|_| Uuid::now_v7()).collect();
    let mut writers = Vec::new();
    for widget in widgets.clone() {
        let (env, outbox) = (env.clone(), outbox.clone());
        writers.push(tokio::spawn(async move {
            let events: Vec<_> = (0..10)
                .map(|seq| priced(&env.tenant, widget, seq))
                .collect();
            env.append_all(&outbox, &events).await;
        }));
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    let shutdown = CancellationToken::new();
    start_relay(&env, 4, &shutdown);
    eventually(TIMEOUT, Duration::from_millis(100), || async {
        (env.unpublished().await == 0).then_some(())
    })
    .await;
    // Redeliver: produce every record a second time, as a crashed relay or producer retry would.
    let topic = env.naming.name(WIDGET_TOPIC);
    let originals = read_all(&env.kafka, &topic, 3, 80);
    let producer: FutureProducer = env
        .kafka
        .idempotent_producer("duplicator")
        .create()
        .expect("producer");
    for record in &originals {
        let copy = FutureRecord::to(&topic)
            .key(record.key().expect("key"))
            .payload(record.payload().expect("payload"));
        producer
            .send(copy, Timeout::After(Duration::from_secs(10)))
            .await
            .expect("duplicate sent");
    }

    let (_, status, task) = start_consumer(&env, RecordingHandler::default(), &shutdown);
    let effects = eventually(TIMEOUT, Duration::from_millis(200), || async {
        let effects = env.effects().await;
        (effects.len() >= 80 && status.processed() >= 160).then_some(effects)
    })
    .await;
    assert_eq!(effects.len(), 80, "160 deliveries, 80 effects");
    let unique: HashSet<Uuid> = effects.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(unique.len(), 80);
    for widget in &widgets {
        let order: Vec<i64> = effects
            .iter()
            .filter(|(_, aggregate, _)| *aggregate == widget.to_string())
            .map(|(_, _, seq)| *seq)
            .collect();
        assert_eq!(
            order,
            (0..10).collect::<Vec<_>>(),
            "applied in commit order for {widget}"
        );
    }
    shutdown.cancel();
    task.await.expect("consumer stopped cleanly");
}

#[tokio::test]
async fn poison_and_rejected_records_are_dead_lettered_and_replayable() {
    let env = TestEnv::new(1).await;
    let topic = env.naming.name(WIDGET_TOPIC);
    let widget = Uuid::now_v7();
    let producer: FutureProducer = env
        .kafka
        .idempotent_producer("poisoner")
        .create()
        .expect("producer");
    let send = |payload: Vec<u8>| {
        let producer = producer.clone();
        let topic = topic.clone();
        let key = widget.to_string();
        async move {
            producer
                .send(
                    FutureRecord::to(&topic).key(&key).payload(&payload),
                    Timeout::After(Duration::from_secs(10)),
                )
                .await
                .expect("sent");
        }
    };
    let encode = |seq| {
        let event = priced(&env.tenant, widget, seq);
        let codec = env.codec.clone();
        let topic = topic.clone();
        async move { event.encode(&codec, &topic).await.expect("encoded") }
    };
    send(encode(1).await).await;
    let mut bad_magic = encode(2).await;
    bad_magic[0] = 0x42;
    send(bad_magic).await;
    let mut unknown_schema = encode(3).await;
    unknown_schema[1..5].copy_from_slice(&0x7fff_ff00_u32.to_be_bytes());
    send(unknown_schema).await;
    send(encode(4).await).await; // the handler rejects sequence 4 permanently
    send(encode(5).await).await;

    let handler = RecordingHandler {
        permanent_for_sequence: Some(4),
        ..RecordingHandler::default()
    };
    let fixed = handler.fixed.clone();
    let shutdown = CancellationToken::new();
    let (router, status, task) = start_consumer(&env, handler, &shutdown);
    eventually(TIMEOUT, Duration::from_millis(200), || async {
        (status.processed() >= 5).then_some(())
    })
    .await;
    let applied: Vec<i64> = env
        .effects()
        .await
        .into_iter()
        .map(|(_, _, seq)| seq)
        .collect();
    assert_eq!(
        applied,
        vec![1, 5],
        "later records on the partition were processed"
    );

    let letters: Vec<DeadLetter> = dead_letter::list_open(env.db.pool(), "widget-consumer", 10)
        .await
        .expect("list");
    let classes: Vec<&str> = letters.iter().map(|l| l.error_class.as_str()).collect();
    assert_eq!(
        classes,
        vec![
            "POISON_BAD_MAGIC_BYTE",
            "POISON_UNKNOWN_SCHEMA_ID",
            "HANDLER_PERMANENT:WIDGET_REJECTED"
        ]
    );
    assert_eq!(status.dead_lettered(), 3);

    let dlq = read_all(&env.kafka, &env.naming.name(DLQ_TOPIC), 1, 3);
    assert_eq!(
        dlq.len(),
        3,
        "every dead letter is on the dead-letter topic too"
    );
    let dlq_headers: BTreeMap<String, String> = dlq[2]
        .headers()
        .expect("headers")
        .iter()
        .map(|h| {
            (
                h.key.to_owned(),
                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        dlq_headers[dead_letter::header::ERROR_CLASS],
        "HANDLER_PERMANENT:WIDGET_REJECTED"
    );
    assert_eq!(dlq_headers[dead_letter::header::ORIGINAL_TOPIC], topic);
    assert_eq!(dlq_headers[dead_letter::header::ORIGINAL_OFFSET], "3");
    assert!(dlq_headers[dead_letter::header::ERROR_MESSAGE].contains("sequence 4"));

    // Replaying a record that is still bad keeps it open; after the fix the replay applies it.
    let rejected = &letters[2];
    assert!(matches!(
        dead_letter::replay(&router, rejected.id).await,
        Err(ReplayError::StillFailing(_))
    ));
    fixed.store(true, Ordering::SeqCst);
    dead_letter::replay(&router, rejected.id)
        .await
        .expect("replayed");
    let applied: Vec<i64> = env
        .effects()
        .await
        .into_iter()
        .map(|(_, _, seq)| seq)
        .collect();
    assert_eq!(applied, vec![1, 5, 4]);
    assert!(matches!(
        dead_letter::replay(&router, rejected.id).await,
        Err(ReplayError::NotOpen(_))
    ));
    let bad_magic = &letters[0];
    assert!(
        matches!(dead_letter::replay(&router, bad_magic.id).await, Err(ReplayError::StillFailing(m)) if m.contains("POISON_BAD_MAGIC_BYTE"))
    );
    let open = dead_letter::list_open(env.db.pool(), "widget-consumer", 10)
        .await
        .expect("list");
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].replay_count, 1);

    shutdown.cancel();
    task.await.expect("consumer stopped cleanly");
}

#[tokio::test]
async fn transient_failures_retry_the_same_record_without_skipping() {
    let env = TestEnv::new(1).await;
    let outbox = env.outbox(1);
    let widget = Uuid::now_v7();
    let events: Vec<_> = (0..5).map(|seq| priced(&env.tenant, widget, seq)).collect();
    env.append_all(&outbox, &events).await;
    let shutdown = CancellationToken::new();
    start_relay(&env, 1, &shutdown);
    let handler = RecordingHandler::default();
    handler.transient_failures_left.store(4, Ordering::SeqCst);
    let failures_left = handler.transient_failures_left.clone();
    let (_, status, task) = start_consumer(&env, handler, &shutdown);
    eventually(TIMEOUT, Duration::from_millis(100), || async {
        (status.processed() >= 5).then_some(())
    })
    .await;
    assert_eq!(
        failures_left.load(Ordering::SeqCst),
        0,
        "the outage happened"
    );
    let applied: Vec<i64> = env
        .effects()
        .await
        .into_iter()
        .map(|(_, _, seq)| seq)
        .collect();
    assert_eq!(applied, vec![0, 1, 2, 3, 4], "nothing skipped, order kept");
    assert_eq!(status.dead_lettered(), 0);
    shutdown.cancel();
    task.await.expect("consumer stopped cleanly");
}

#[tokio::test]
async fn two_relay_replicas_split_the_shards_and_publish_each_row_once() {
    let env = TestEnv::new(2).await;
    let outbox = env.outbox(6);
    let events: Vec<_> = (0..60)
        .map(|seq| priced(&env.tenant, Uuid::now_v7(), seq))
        .collect();
    env.append_all(&outbox, &events).await;
    let shutdown = CancellationToken::new();
    let first = start_relay(&env, 6, &shutdown);
    let second = start_relay(&env, 6, &shutdown);
    eventually(TIMEOUT, Duration::from_millis(100), || async {
        (env.unpublished().await == 0).then_some(())
    })
    .await;
    assert_eq!(
        first.owned_shards() + second.owned_shards(),
        6,
        "every shard has exactly one drainer"
    );
    assert_eq!(first.published() + second.published(), 60);
    let records = read_all(&env.kafka, &env.naming.name(WIDGET_TOPIC), 2, 60);
    assert_eq!(records.len(), 60, "no row published twice");

    // When one replica stops, the other takes over its shards.
    let survivor_shutdown = CancellationToken::new();
    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let survivor = start_relay(&env, 6, &survivor_shutdown);
    eventually(TIMEOUT, Duration::from_millis(100), || async {
        (survivor.owned_shards() == 6).then_some(())
    })
    .await;
    survivor_shutdown.cancel();
}
