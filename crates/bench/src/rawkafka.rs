//! The broker's own figures, measured with plain rdkafka on the same broker and message size
//! as the benchmark they are compared with: produce rate, consume rate, and hop latency.

use crate::stats::rate;
use oms_messaging::{KafkaSettings, ensure_topic};
use rdkafka::{
    ClientConfig, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::{Header, OwnedHeaders},
    producer::{FutureProducer, FutureRecord, Producer as _},
    util::Timeout,
};
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};
use uuid::Uuid;

/// Raw rdkafka produce of `count` records with the same size and headers; records/s.
pub async fn raw_produce(
    kafka: &KafkaSettings,
    topic: &str,
    payload: &[u8],
    headers: &[(String, String)],
    count: usize,
) -> anyhow::Result<f64> {
    let producer: FutureProducer = kafka.idempotent_producer("bench-raw").create()?;
    let keys: Vec<String> = (0..64).map(|_| Uuid::now_v7().to_string()).collect();
    let started = Instant::now();
    let mut deliveries = Vec::with_capacity(count);
    for i in 0..count {
        let mut kafka_headers = OwnedHeaders::new_with_capacity(headers.len());
        for (name, value) in headers {
            kafka_headers = kafka_headers.insert(Header {
                key: name,
                value: Some(value.as_str()),
            });
        }
        let mut record = FutureRecord::to(topic)
            .key(keys[i % keys.len()].as_bytes())
            .payload(payload)
            .headers(kafka_headers);
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    deliveries.push(delivery);
                    break;
                }
                Err((
                    rdkafka::error::KafkaError::MessageProduction(
                        rdkafka::types::RDKafkaErrorCode::QueueFull,
                    ),
                    returned,
                )) => {
                    record = returned;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Err((error, _)) => return Err(error.into()),
            }
        }
    }
    for delivery in futures::future::join_all(deliveries).await {
        delivery?.map_err(|(e, _)| e)?;
    }
    let elapsed = started.elapsed();
    producer.flush(Timeout::After(Duration::from_secs(10)))?;
    Ok(rate(count, elapsed))
}

/// Raw consume of `count` records of `topic` from the beginning; records/s.
pub fn raw_consume(
    kafka: &KafkaSettings,
    topic: &str,
    partitions: i32,
    count: usize,
) -> anyhow::Result<f64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &kafka.brokers)
        .set("group.id", format!("bench-raw-{}", Uuid::now_v7()))
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()?;
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions {
        assignment.add_partition_offset(topic, partition, Offset::Beginning)?;
    }
    consumer.assign(&assignment)?;
    let started = Instant::now();
    let mut seen = 0;
    while seen < count {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "raw consume stalled at {seen}"
        );
        if let Some(message) = consumer.poll(Duration::from_millis(100)) {
            message?;
            seen += 1;
        }
    }
    Ok(rate(count, started.elapsed()))
}

/// The broker's own hop latency: rdkafka produce (acked) -> rdkafka consume, at `per_second`
/// for `seconds`, with a consumer already positioned at the end. The floor under our hop.
pub async fn raw_latency(
    kafka: &KafkaSettings,
    topic: &str,
    partitions: i32,
    payload: &[u8],
    per_second: u32,
    seconds: u64,
) -> anyhow::Result<Vec<Duration>> {
    ensure_topic(kafka, topic, partitions)
        .await
        .map_err(anyhow::Error::msg)?;
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &kafka.brokers)
        .set("group.id", format!("bench-rawlat-{}", Uuid::now_v7()))
        .set("enable.auto.commit", "false")
        .set(
            "fetch.wait.max.ms",
            kafka
                .extra
                .get("fetch.wait.max.ms")
                .map_or("5", String::as_str),
        )
        .create()?;
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions {
        assignment.add_partition_offset(topic, partition, Offset::End)?;
    }
    consumer.assign(&assignment)?;
    let count = usize::try_from(u64::from(per_second) * seconds).unwrap_or(0);
    let received = std::thread::spawn(move || {
        let mut at = HashMap::with_capacity(count);
        let deadline = Instant::now() + Duration::from_secs(seconds + 60);
        while at.len() < count + 1 && Instant::now() < deadline {
            if let Some(Ok(message)) = consumer.poll(Duration::from_millis(50)) {
                use rdkafka::Message as _;
                if let Some(key) = message.key() {
                    at.insert(key.to_vec(), Instant::now());
                }
            }
        }
        at
    });
    // Let the consumer settle at the end offsets before producing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let producer: FutureProducer = kafka.idempotent_producer("bench-rawlat").create()?;
    // Warm up: an idempotent producer holds messages until it has its producer id.
    producer
        .send(
            FutureRecord::to(topic).key("warm-up").payload(payload),
            Timeout::After(Duration::from_secs(30)),
        )
        .await
        .map_err(|(e, _)| e)?;
    let mut ticker =
        tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(per_second.max(1))));
    let mut sent = HashMap::with_capacity(count);
    let mut deliveries = Vec::with_capacity(count);
    for i in 0..count {
        ticker.tick().await;
        let key = format!("k{i:08}");
        sent.insert(key.clone().into_bytes(), Instant::now());
        let delivery = producer
            .send_result(FutureRecord::to(topic).key(key.as_bytes()).payload(payload))
            .map_err(|(e, _)| e)?;
        deliveries.push(delivery);
    }
    for delivery in futures::future::join_all(deliveries).await {
        delivery?.map_err(|(e, _)| e)?;
    }
    let received = received
        .join()
        .map_err(|_| anyhow::anyhow!("latency reader panicked"))?;
    Ok(sent
        .iter()
        .filter_map(|(key, at)| {
            received
                .get(key)
                .map(|got| got.saturating_duration_since(*at))
        })
        .collect())
}
