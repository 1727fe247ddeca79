//! Poison on every consumed topic, as a broken or hostile producer would write it. Every
//! consumer of the topic must dead-letter each record with its reason and keep its partition
//! moving (the flows that run at the same time prove the latter).

use crate::world::World;
use oms_e2e::Service;
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    producer::{FutureProducer, FutureRecord},
};
use std::time::{Duration, Instant};

/// The topics the services consume (before the run's prefix).
pub const CONSUMED: [&str; 5] = [
    "cpq.quote.events.v1",
    "oms.order.events.v1",
    "oms.decomposition.events.v1",
    "oms.fulfillment.events.v1",
    "oms.asset.events.v1",
];

/// A poison record to write: its kind, its payload (`None`: a null value), the class it must get.
type PoisonRecord = (&'static str, Option<Vec<u8>>, Option<&'static str>);

/// The services consuming `topic` (before the run's prefix).
pub fn consumers(topic: &str) -> &'static [Service] {
    match topic {
        "cpq.quote.events.v1" => &[Service::OrderCapture],
        "oms.order.events.v1" => &[
            Service::Decomposition,
            Service::Fulfillment,
            Service::Projections,
        ],
        "oms.decomposition.events.v1" => &[
            Service::OrderCapture,
            Service::Fulfillment,
            Service::Projections,
        ],
        "oms.fulfillment.events.v1" => {
            &[Service::OrderCapture, Service::Asset, Service::Projections]
        }
        "oms.asset.events.v1" => &[Service::OrderCapture, Service::Projections],
        _ => &[],
    }
}

/// One poison record: where, its key, and the dead-letter class it must get (`None`: any
/// `POISON_*` class).
#[derive(Debug, Clone)]
pub struct Poison {
    pub topic: String,
    pub key: String,
    pub class: Option<&'static str>,
}

/// Waits until every consumed topic has a real record (the truncated and wrong-subject
/// poison are cut from real ones), then writes six poison records to each.
pub async fn inject(world: &World) -> anyhow::Result<Vec<Poison>> {
    let naming = world.stack.lock().await.naming().clone();
    let name = |topic: &str| naming.name(topic);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut samples = Vec::new();
    for topic in CONSUMED {
        loop {
            if let Some(sample) = first_payload(&world.brokers, &name(topic)).await? {
                samples.push(sample);
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "no record on {topic} within 180 s to cut poison from"
            );
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &world.brokers)
        .set("message.max.bytes", "2000000")
        .create()?;
    let mut injected = Vec::new();
    for (k, topic) in CONSUMED.iter().enumerate() {
        let own = &samples[k];
        // A real event of another topic: its schema is registered, under another subject.
        let foreign = &samples[(k + 1) % samples.len()];
        let mut truncated = own.clone();
        truncated.truncate(5 + (own.len() - 5) / 3);
        let mut oversized = own[..5].to_vec();
        oversized.resize(600_000, 0xff);
        let records: [PoisonRecord; 6] = [
            (
                "bad-magic",
                Some(b"\x07not the wire format".to_vec()),
                Some("POISON_BAD_MAGIC_BYTE"),
            ),
            (
                "unknown-schema",
                Some(vec![0, 0x7f, 0xff, 0xff, 0x01, 2, 4, 6]),
                Some("POISON_UNKNOWN_SCHEMA_ID"),
            ),
            (
                "truncated",
                Some(truncated),
                Some("POISON_UNDECODABLE_BODY"),
            ),
            (
                "wrong-subject",
                Some(foreign.clone()),
                Some("POISON_UNKNOWN_EVENT_TYPE"),
            ),
            ("empty", None, Some("POISON_EMPTY_PAYLOAD")),
            ("oversized", Some(oversized), None),
        ];
        for (kind, payload, class) in records {
            let key = format!("poison-{kind}");
            let topic_name = name(topic);
            let mut record = FutureRecord::<String, Vec<u8>>::to(&topic_name).key(&key);
            if let Some(payload) = &payload {
                record = record.payload(payload);
            }
            producer
                .send(record, Duration::from_secs(30))
                .await
                .map_err(|(error, _)| anyhow::anyhow!("poison {kind} on {topic}: {error}"))?;
            injected.push(Poison {
                topic: (*topic).to_owned(),
                key,
                class,
            });
        }
    }
    println!("chaos: {} poison records injected", injected.len());
    Ok(injected)
}

/// The payload of the first record of `topic`, if it has one.
async fn first_payload(brokers: &str, topic: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let brokers = brokers.to_owned();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set(
                "group.id",
                format!("chaos-sampler-{}", uuid::Uuid::now_v7()),
            )
            .set("enable.auto.commit", "false")
            .create()?;
        let (low, high) = consumer.fetch_watermarks(&topic, 0, Duration::from_secs(10))?;
        if high <= low {
            return Ok(None);
        }
        let mut assignment = TopicPartitionList::new();
        assignment.add_partition_offset(&topic, 0, Offset::Beginning)?;
        consumer.assign(&assignment)?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(message) = consumer.poll(Duration::from_millis(500)) {
                let message = message?;
                if let Some(payload) = message.payload()
                    && payload.len() > 5
                    && payload[0] == 0
                {
                    return Ok(Some(payload.to_vec()));
                }
            }
        }
        Ok(None)
    })
    .await?
}
