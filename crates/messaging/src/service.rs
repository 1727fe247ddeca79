//! The messaging setup of one service, wired the same way everywhere: a codec on the schema
//! registry, the service's outbox and relay, and inbox consumers in the service's consumer
//! group, all behind the environment's topic prefix.
//!
//! ```ignore
//! let messaging = ServiceMessaging::connect(settings, pool.clone()).await?;
//! messaging.register::<OrderEventV1>().await?;            // schemas this service writes
//! let router = Arc::new(messaging.router().route(MyHandler { outbox: messaging.outbox().clone() }));
//! let consumer = messaging.consumer(router.clone());
//! let relay = messaging.relay();
//! // spawn relay.run(token) and consumer.run(token); keep `router` for dead-letter replay
//! ```

use crate::{
    Codec, CodecError, ConsumerSettings, EventContract, InboxConsumer, KafkaSettings, Outbox,
    Relay, RelaySettings, Router, TopicNaming,
};
use oms_runtime::config::Secret;
use sqlx::PgPool;
use std::{sync::Arc, time::Duration};

/// How a service talks to Kafka and the registry.
#[derive(Debug, Clone)]
pub struct MessagingSettings {
    /// Service name: inbox consumer name, consumer group, relay lock namespace, metrics label.
    pub service: String,
    pub kafka: KafkaSettings,
    pub schema_registry_url: String,
    /// Environment prefix for every topic, subject and consumer group (empty in production).
    pub topic_prefix: String,
    /// Outbox shards; all replicas of a service must agree (ADR 0003).
    pub outbox_shards: u16,
    /// The relay's polling fallback.
    pub relay_poll_interval: Duration,
    /// HTTP basic credentials of the schema registry, when it requires them.
    pub schema_registry_credentials: Option<(String, Option<Secret<String>>)>,
}

impl MessagingSettings {
    pub fn new(service: &str, kafka: KafkaSettings, schema_registry_url: &str) -> Self {
        Self {
            service: service.to_owned(),
            kafka,
            schema_registry_url: schema_registry_url.to_owned(),
            topic_prefix: String::new(),
            outbox_shards: 8,
            relay_poll_interval: Duration::from_millis(500),
            schema_registry_credentials: None,
        }
    }

    /// Settings from a service's shared configuration (`kafka.*`, `schema_registry.*`).
    pub fn from_config(service: &str, config: &oms_runtime::config::CommonConfig) -> Self {
        let kafka = KafkaSettings::from_config(&config.kafka);
        let credentials = config
            .schema_registry
            .username
            .as_ref()
            .map(|user| (user.clone(), config.schema_registry.password.clone()));
        Self {
            schema_registry_credentials: credentials,
            topic_prefix: config.kafka.topic_prefix.clone(),
            outbox_shards: config.kafka.outbox_shards.max(1),
            ..Self::new(service, kafka, &config.schema_registry.url)
        }
    }

    /// The service's dead-letter topic (before the prefix): `oms.<service>.dlq.v1`.
    pub fn dead_letter_topic(&self) -> String {
        format!("oms.{}.dlq.v1", self.service)
    }
}

/// A service's codec, outbox, relay and consumers.
#[derive(Debug, Clone)]
pub struct ServiceMessaging {
    settings: MessagingSettings,
    pool: PgPool,
    codec: Arc<Codec>,
    naming: TopicNaming,
    outbox: Outbox,
}

impl ServiceMessaging {
    /// Builds the codec and outbox (no network IO yet; [`register`](Self::register) talks to
    /// the registry). Must be called inside a Tokio runtime.
    pub fn connect(settings: MessagingSettings, pool: PgPool) -> Result<Self, CodecError> {
        let credentials = settings
            .schema_registry_credentials
            .as_ref()
            .map(|(user, password)| {
                (
                    user.as_str(),
                    password.as_ref().map(|p| p.expose().as_str()),
                )
            });
        let codec = Arc::new(Codec::with_credentials(
            &settings.schema_registry_url,
            credentials,
        )?);
        let naming = TopicNaming::with_prefix(&settings.topic_prefix);
        let outbox = Outbox::new(
            codec.clone(),
            naming.clone(),
            pool.clone(),
            &settings.service,
            settings.outbox_shards,
        );
        Ok(Self {
            settings,
            pool,
            codec,
            naming,
            outbox,
        })
    }

    /// Registers every schema of family `C`, which this service writes. Call at start-up for
    /// each family produced, so encoding never has to ask the registry mid-request.
    pub async fn register<C: EventContract>(&self) -> Result<Vec<(String, u32)>, CodecError> {
        self.outbox.register::<C>().await
    }

    pub fn settings(&self) -> &MessagingSettings {
        &self.settings
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn codec(&self) -> &Arc<Codec> {
        &self.codec
    }

    pub fn naming(&self) -> &TopicNaming {
        &self.naming
    }

    /// An empty router for this service's consumer; add routes with [`Router::route`]. It
    /// wakes the relay after each commit.
    pub fn router(&self) -> Router {
        Router::new(
            self.settings.service.clone(),
            self.pool.clone(),
            self.codec.clone(),
            self.naming.clone(),
        )
        .wake_after_commit(self.outbox.waker())
    }

    /// The inbox consumer for `router`, in the service's consumer group.
    pub fn consumer(&self, router: Arc<Router>) -> InboxConsumer {
        let group = self.naming.name(&self.settings.service);
        let settings = ConsumerSettings::new(&group, &self.settings.dead_letter_topic());
        InboxConsumer::new(router, self.settings.kafka.clone(), settings)
    }

    /// The relay draining this service's outbox, woken directly by in-process commits.
    pub fn relay(&self) -> Relay {
        let mut settings = RelaySettings::new(&self.settings.service, self.settings.outbox_shards);
        settings.poll_interval = self.settings.relay_poll_interval;
        Relay::new(
            self.pool.clone(),
            self.settings.kafka.clone(),
            settings,
            Some(self.outbox.waker()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_runtime::config::CommonConfig;

    #[test]
    fn settings_from_configuration_keep_credentials_out_of_debug_output() {
        let mut config = CommonConfig::local("asset", "oms_asset", 8084);
        config.schema_registry.username = Some("oms".to_owned());
        config.schema_registry.password = Some(Secret::new("registry-pa55word".to_owned()));
        config.kafka.properties.insert(
            "sasl_password".to_owned(),
            Secret::new("kafka-pa55word".to_owned()),
        );
        let settings = MessagingSettings::from_config("asset", &config);
        let (user, password) = settings
            .schema_registry_credentials
            .as_ref()
            .expect("credentials configured");
        assert_eq!(user, "oms");
        assert_eq!(
            password.as_ref().map(|p| p.expose().as_str()),
            Some("registry-pa55word")
        );
        assert_eq!(settings.kafka.extra["sasl.password"], "kafka-pa55word");
        let printed = format!("{settings:?}");
        assert!(!printed.contains("pa55word"), "a secret leaked: {printed}");
    }
}
