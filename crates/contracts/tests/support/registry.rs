//! A codec against the local schema registry with a unique topic prefix per test, so
//! subjects never collide between tests or runs.

use oms_contracts::{
    AssetEventV1, DecompositionEventV1, FulfillmentEventV1, OrderEventV1, QuoteEventV1,
};
use oms_messaging::{Codec, EventContract, KafkaSettings, TopicNaming};
use uuid::Uuid;

pub struct RegistryEnv {
    pub codec: Codec,
    pub naming: TopicNaming,
    pub kafka: KafkaSettings,
}

impl RegistryEnv {
    /// Registers every family's schemas under a fresh prefix.
    pub async fn new() -> Self {
        let run = Uuid::now_v7().simple().to_string();
        let naming = TopicNaming::with_prefix(&format!("c{}", &run[run.len() - 12..]));
        let codec = Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec");
        let env = Self {
            codec,
            naming,
            kafka: KafkaSettings::new(oms_test_support::env::kafka_brokers()),
        };
        env.register::<OrderEventV1>().await;
        env.register::<DecompositionEventV1>().await;
        env.register::<FulfillmentEventV1>().await;
        env.register::<AssetEventV1>().await;
        env.register::<QuoteEventV1>().await;
        env
    }

    async fn register<C: EventContract>(&self) {
        let registered = self
            .codec
            .register::<C>(&self.topic::<C>())
            .await
            .unwrap_or_else(|e| panic!("registering {}: {e}", C::TOPIC));
        assert_eq!(registered.len(), C::schemas().len());
    }

    /// This test's name of family `C`'s topic.
    pub fn topic<C: EventContract>(&self) -> String {
        self.naming.name(C::TOPIC)
    }

    /// Encodes through the registry and decodes again.
    pub async fn round_trip<C: EventContract>(&self, event: &C) -> (Vec<u8>, C) {
        let bytes = event
            .encode(&self.codec, &self.topic::<C>())
            .await
            .unwrap_or_else(|e| panic!("encoding {}: {e}", event.record_name()));
        assert_eq!(bytes[0], 0, "Confluent magic byte");
        let decoded = self
            .codec
            .decode::<C>(Some(&bytes))
            .await
            .unwrap_or_else(|e| panic!("decoding {}: {e}", event.record_name()));
        (bytes, decoded)
    }
}
