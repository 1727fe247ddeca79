//! Kafka client settings shared by the relay, consumers and tools, and topic administration.
//!
//! The settings encode our delivery guarantees: the relay's producer is idempotent with
//! `acks=all` and the gapless guarantee (no reordering or silent gap within a partition);
//! consumers store offsets only after the handler's transaction committed.

use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    types::RDKafkaErrorCode,
};
use std::{collections::BTreeMap, time::Duration};

/// Where the brokers are and any extra librdkafka properties (security settings in production,
/// e.g. `security.protocol`, `sasl.mechanisms`). `Debug` shows the properties' names only: their
/// values may be credentials (`sasl.password`).
#[derive(Clone, PartialEq, Eq)]
pub struct KafkaSettings {
    pub brokers: String,
    pub extra: BTreeMap<String, String>,
    /// Consumers leave and rejoin their group after this long without any assigned partition
    /// (`None`: never). A workaround for a coordinator that settles a group on an empty
    /// assignment when its leader died mid-rebalance (Tansu 0.6, docs/broker-notes.md); off
    /// against Kafka, where an idle replica is normal.
    pub rejoin_unassigned_after: Option<std::time::Duration>,
}

impl std::fmt::Debug for KafkaSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaSettings")
            .field("brokers", &self.brokers)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .field("rejoin_unassigned_after", &self.rejoin_unassigned_after)
            .finish()
    }
}

impl KafkaSettings {
    pub fn new(brokers: impl Into<String>) -> Self {
        Self {
            brokers: brokers.into(),
            extra: BTreeMap::new(),
            rejoin_unassigned_after: None,
        }
    }

    /// The settings of a service's `kafka.*` configuration: its brokers and every
    /// `kafka.properties.*` entry under librdkafka's dotted name (`sasl_password` ->
    /// `sasl.password`), so SASL/SSL reach every client the same way.
    pub fn from_config(config: &oms_runtime::config::KafkaConfig) -> Self {
        let mut settings = Self::new(config.brokers.clone());
        for (key, value) in config.client_properties() {
            settings.extra.insert(key, value.expose().clone());
        }
        settings.rejoin_unassigned_after = (config.rejoin_unassigned_after_ms > 0)
            .then(|| std::time::Duration::from_millis(config.rejoin_unassigned_after_ms));
        settings
    }

    fn base(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.brokers);
        config
    }

    /// Applies the configured extra properties last, so configuration overrides our defaults.
    fn with_extra(&self, mut config: ClientConfig) -> ClientConfig {
        for (key, value) in &self.extra {
            config.set(key, value);
        }
        config
    }

    /// The relay's producer: idempotent, every in-sync replica acknowledges, no gaps.
    pub fn idempotent_producer(&self, client_id: &str) -> ClientConfig {
        let mut config = self.base();
        config
            .set("client.id", client_id)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("enable.gapless.guarantee", "true")
            .set("max.in.flight.requests.per.connection", "5")
            // The relay already sends in batches; a short linger keeps per-hop latency low.
            .set("linger.ms", "1")
            .set("message.timeout.ms", "60000");
        self.with_extra(config)
    }

    /// A consumer in group `group` that never stores offsets by itself: the inbox consumer
    /// stores each record's offset after its transaction committed; stored offsets are
    /// committed in the background.
    pub fn consumer(&self, group: &str, client_id: &str) -> ClientConfig {
        let mut config = self.base();
        config
            .set("group.id", group)
            .set("client.id", client_id)
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", "10000")
            .set("heartbeat.interval.ms", "1000")
            // How long the broker may hold a fetch. Kafka answers as soon as data arrives; Tansu
            // (local stack) always answers at this deadline and pays a full storage round per
            // fetch, so this trades its idle CPU against consume latency (docs/performance.md).
            .set("fetch.wait.max.ms", "20")
            .set("enable.partition.eof", "false");
        self.with_extra(config)
    }
}

/// Creates `topic` with `partitions` partitions unless it exists.
pub async fn ensure_topic(
    settings: &KafkaSettings,
    topic: &str,
    partitions: i32,
) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> = settings
        .with_extra(settings.base())
        .create()
        .map_err(|e| format!("admin client: {e}"))?;
    let new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = admin
        .create_topics([&new_topic], &options)
        .await
        .map_err(|e| format!("create topic {topic}: {e}"))?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => return Err(format!("create topic {name}: {code}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_runtime::config::{KafkaConfig, Secret};

    fn secured() -> KafkaConfig {
        let mut config = KafkaConfig {
            brokers: "kafka-bootstrap:9093".to_owned(),
            ..KafkaConfig::default()
        };
        for (key, value) in [
            ("security_protocol", "SASL_SSL"),
            ("sasl_mechanism", "SCRAM-SHA-512"),
            ("sasl_username", "oms-order-capture"),
            ("sasl_password", "kafka-pa55word"),
        ] {
            config
                .properties
                .insert(key.to_owned(), Secret::new(value.to_owned()));
        }
        config
    }

    #[test]
    fn configured_properties_reach_every_client_under_their_dotted_names() {
        let settings = KafkaSettings::from_config(&secured());
        assert_eq!(settings.brokers, "kafka-bootstrap:9093");
        let producer = settings.idempotent_producer("relay");
        let consumer = settings.consumer("group", "client");
        for client in [&producer, &consumer] {
            assert_eq!(client.get("security.protocol"), Some("SASL_SSL"));
            assert_eq!(client.get("sasl.mechanism"), Some("SCRAM-SHA-512"));
            assert_eq!(client.get("sasl.username"), Some("oms-order-capture"));
            assert_eq!(client.get("sasl.password"), Some("kafka-pa55word"));
        }
        // our delivery guarantees stay unless configuration overrides them on purpose
        assert_eq!(producer.get("enable.idempotence"), Some("true"));
    }

    #[test]
    fn debug_shows_property_names_but_never_their_values() {
        let printed = format!("{:?}", KafkaSettings::from_config(&secured()));
        assert!(printed.contains("sasl.password"), "{printed}");
        assert!(!printed.contains("pa55word"), "a secret leaked: {printed}");
    }
}
