//! Poison on every consumed topic, as a broken or hostile producer would write it. Every
//! consumer of the topic must dead-letter each record with its reason and keep its partition
//! moving (the flows that run at the same time prove the latter).
//!
//! Six records per topic break the wire format or the contract (bad magic byte, unknown schema
//! id, a schema of another subject, truncated, empty, oversized). The seventh is valid Avro of
//! a real event type that breaks a domain rule: a real event, re-encoded with its own schema,
//! under a fresh event id and with every `tenantId` blank (a tenant id must not be blank). The
//! consumers that act on that event type must refuse it with the mapping's stable code; one
//! that ignores the type (a tolerant reader: decomposition and an `OrderReleasedForFulfillment`)
//! acknowledges it, so the domain-rule records are taken of types every listed consumer acts on.

use crate::world::World;
use apache_avro::{
    Schema, reader::datum::GenericDatumReader, types::Value, writer::datum::GenericDatumWriter,
};
use oms_e2e::Service;
use oms_messaging::envelope::header;
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::Headers as _,
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
    /// The services that must dead-letter it: every consumer of the topic, or for a
    /// domain-rule record those acting on its event type.
    pub consumers: &'static [Service],
}

/// A domain-rule record to write: the topic, the event type to take it from, the services
/// acting on that type, and the class they must give it (a handler's permanent refusal with
/// its stable code).
struct DomainRule {
    topic: &'static str,
    event_type: &'static str,
    consumers: &'static [Service],
    class: &'static str,
}

/// One per topic, two on the order topic (no order event type is acted on by all three of its
/// consumers in the flows the driver runs).
const DOMAIN_RULES: [DomainRule; 6] = [
    DomainRule {
        topic: "cpq.quote.events.v1",
        event_type: "QuoteAccepted",
        consumers: &[Service::OrderCapture],
        class: "HANDLER_PERMANENT:TENANT_INVALID",
    },
    DomainRule {
        topic: "oms.order.events.v1",
        event_type: "OrderReleasedForDecomposition",
        consumers: &[Service::Decomposition, Service::Projections],
        class: "HANDLER_PERMANENT:CONTRACT_VALUE_INVALID",
    },
    DomainRule {
        topic: "oms.order.events.v1",
        event_type: "OrderReleasedForFulfillment",
        consumers: &[Service::Fulfillment, Service::Projections],
        class: "HANDLER_PERMANENT:CONTRACT_VALUE_INVALID",
    },
    DomainRule {
        topic: "oms.decomposition.events.v1",
        event_type: "OrderDecomposed",
        consumers: &[
            Service::OrderCapture,
            Service::Fulfillment,
            Service::Projections,
        ],
        class: "HANDLER_PERMANENT:CONTRACT_VALUE_INVALID",
    },
    DomainRule {
        topic: "oms.fulfillment.events.v1",
        event_type: "OrderItemFulfilled",
        consumers: &[Service::OrderCapture, Service::Asset, Service::Projections],
        class: "HANDLER_PERMANENT:CONTRACT_VALUE_INVALID",
    },
    DomainRule {
        topic: "oms.asset.events.v1",
        event_type: "AssetCreated",
        consumers: &[Service::OrderCapture, Service::Projections],
        class: "HANDLER_PERMANENT:CONTRACT_VALUE_INVALID",
    },
];

/// Waits until every consumed topic has a real record (the truncated and wrong-subject
/// poison are cut from real ones), then writes six poison records to each; then the
/// domain-rule records, each once a real event of its type is there to take it from.
pub async fn inject(world: &World) -> anyhow::Result<Vec<Poison>> {
    let naming = world.stack.lock().await.naming().clone();
    let name = |topic: &str| naming.name(topic);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut samples = Vec::new();
    for topic in CONSUMED {
        loop {
            if let Some(sample) = first_payload(&world.brokers, &name(topic), None).await? {
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
                consumers: consumers(topic),
            });
        }
    }
    // Some event types come only once an order got far enough (a plan, a fulfilled item).
    let deadline = Instant::now() + Duration::from_secs(180);
    for rule in &DOMAIN_RULES {
        let payload = domain_rule_breach(world, &name(rule.topic), rule.event_type, deadline)
            .await
            .map_err(|e| anyhow::anyhow!("domain-rule poison on {}: {e:#}", rule.topic))?;
        let key = format!("poison-domain-rule-{}", rule.event_type);
        let topic_name = name(rule.topic);
        producer
            .send(
                FutureRecord::<String, Vec<u8>>::to(&topic_name)
                    .key(&key)
                    .payload(&payload),
                Duration::from_secs(30),
            )
            .await
            .map_err(|(error, _)| anyhow::anyhow!("poison {key} on {}: {error}", rule.topic))?;
        injected.push(Poison {
            topic: rule.topic.to_owned(),
            key,
            class: Some(rule.class),
            consumers: rule.consumers,
        });
    }
    println!("chaos: {} poison records injected", injected.len());
    Ok(injected)
}

/// A real `event_type` event of `topic`, decoded with its writer schema, under a fresh event
/// id and with every `tenantId` field blank, re-encoded with the same schema id: valid Avro
/// that no consumer may apply.
async fn domain_rule_breach(
    world: &World,
    topic: &str,
    event_type: &str,
    deadline: Instant,
) -> anyhow::Result<Vec<u8>> {
    let sample = loop {
        if let Some(sample) = first_payload(&world.brokers, topic, Some(event_type)).await? {
            break sample;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no {event_type} on {topic} within 180 s"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let id = u32::from_be_bytes([sample[1], sample[2], sample[3], sample[4]]);
    let schema = writer_schema(&world.registry_url, id, deadline).await?;
    let mut body = &sample[5..];
    let mut value = GenericDatumReader::builder(&schema)
        .build()?
        .read_value(&mut body)?;
    let blanked = break_tenant(&mut value);
    anyhow::ensure!(blanked > 0, "{event_type} has no tenantId field to blank");
    let Value::Record(fields) = &mut value else {
        anyhow::bail!("{event_type} is not a record");
    };
    // OMS events carry it in their envelope; CPQ's QuoteAccepted is flat.
    let fields = match fields.iter().position(|(name, _)| name == "envelope") {
        Some(k) => match &mut fields[k].1 {
            Value::Record(envelope) => envelope,
            _ => anyhow::bail!("{event_type}: the envelope is not a record"),
        },
        None => fields,
    };
    let Some((_, event_id)) = fields.iter_mut().find(|(name, _)| name == "eventId") else {
        anyhow::bail!("{event_type} has no eventId");
    };
    // A fresh id: under the sample's own, every inbox would skip it as a redelivery.
    *event_id = match event_id {
        Value::Uuid(_) => Value::Uuid(uuid::Uuid::now_v7()),
        _ => Value::String(uuid::Uuid::now_v7().to_string()),
    };
    let mut payload = vec![0];
    payload.extend_from_slice(&id.to_be_bytes());
    payload.extend(
        GenericDatumWriter::builder(&schema)
            .build()?
            .write_value_to_vec(value)?,
    );
    Ok(payload)
}

/// Sets every `tenantId` string field (at any depth) to a blank string; how many it set.
fn break_tenant(value: &mut Value) -> usize {
    match value {
        Value::Record(fields) => fields
            .iter_mut()
            .map(|(name, field)| match field {
                Value::String(tenant) if name == "tenantId" => {
                    " ".clone_into(tenant);
                    1
                }
                other => break_tenant(other),
            })
            .sum(),
        Value::Union(_, inner) => break_tenant(inner),
        Value::Array(items) => items.iter_mut().map(break_tenant).sum(),
        _ => 0,
    }
}

/// The schema registered under `id`, asked again while the registry does not answer (a
/// fault may have it down).
async fn writer_schema(registry: &str, id: u32, deadline: Instant) -> anyhow::Result<Schema> {
    let url = format!("{}/schemas/ids/{id}", registry.trim_end_matches('/'));
    loop {
        let answer = async {
            let body: serde_json::Value =
                reqwest::get(&url).await?.error_for_status()?.json().await?;
            let text = body["schema"]
                .as_str()
                .ok_or_else(|| anyhow::anyhow!("no schema in {body}"))?;
            Ok::<_, anyhow::Error>(Schema::parse_str(text)?)
        }
        .await;
        match answer {
            Ok(schema) => return Ok(schema),
            Err(error) if Instant::now() >= deadline => {
                return Err(error.context(format!("schema id {id}")));
            }
            Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// The payload of the first record of `topic` (of `event_type`, by its header, if given), if
/// it has one.
async fn first_payload(
    brokers: &str,
    topic: &str,
    event_type: Option<&str>,
) -> anyhow::Result<Option<Vec<u8>>> {
    let brokers = brokers.to_owned();
    let topic = topic.to_owned();
    let event_type = event_type.map(str::to_owned);
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
                let type_matches = event_type.as_deref().is_none_or(|wanted| {
                    message.headers().is_some_and(|headers| {
                        headers.iter().any(|h| {
                            h.key == header::EVENT_TYPE && h.value == Some(wanted.as_bytes())
                        })
                    })
                });
                if let Some(payload) = message.payload()
                    && payload.len() > 5
                    && payload[0] == 0
                    && type_matches
                {
                    return Ok(Some(payload.to_vec()));
                }
            }
        }
        Ok(None)
    })
    .await?
}
