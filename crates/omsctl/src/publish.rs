//! Publishing `QuoteAccepted` exactly as an upstream CPQ does: Avro in the Confluent wire
//! format with the schema registered under TopicRecordName, key = quote id, envelope headers,
//! and a W3C `traceparent` so one trace follows the order from here through every service.

use oms_contracts::{QuoteEventV1, quote::QuoteAccepted};
use oms_messaging::{Codec, EventContract as _, KafkaSettings, TopicNaming};
use rdkafka::{
    message::{Header, OwnedHeaders},
    producer::{FutureProducer, FutureRecord},
    util::Timeout,
};
use std::time::Duration;
use tracing::Instrument as _;

/// A CPQ-like publisher of accepted quotes.
pub struct Publisher {
    codec: Codec,
    producer: FutureProducer,
    topic: String,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl Publisher {
    pub async fn connect(
        brokers: &str,
        registry_url: &str,
        topic_prefix: &str,
    ) -> anyhow::Result<Self> {
        let codec = Codec::new(registry_url)?;
        let topic = TopicNaming::with_prefix(topic_prefix).name(QuoteEventV1::TOPIC);
        codec.register::<QuoteEventV1>(&topic).await?;
        let producer = KafkaSettings::new(brokers)
            .idempotent_producer("omsctl-cpq")
            .create()?;
        Ok(Self {
            codec,
            producer,
            topic,
        })
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Publishes one accepted quote and waits for the broker's acknowledgement.
    pub async fn publish(&self, quote: QuoteAccepted) -> anyhow::Result<()> {
        let span = tracing::info_span!("cpq.quote_accepted", quote_id = %quote.quote_id, tenant = %quote.tenant_id);
        async {
            let event = QuoteEventV1::from(quote);
            let payload = event.encode(&self.codec, &self.topic).await?;
            let mut headers = OwnedHeaders::new();
            let mut envelope_headers = event.envelope().to_headers();
            if let Some(traceparent) = oms_telemetry::current_traceparent() {
                envelope_headers.insert(
                    oms_messaging::envelope::header::TRACEPARENT.to_owned(),
                    traceparent,
                );
            }
            for (name, value) in &envelope_headers {
                headers = headers.insert(Header {
                    key: name,
                    value: Some(value.as_str()),
                });
            }
            self.producer
                .send(
                    FutureRecord::to(&self.topic)
                        .key(event.key())
                        .payload(&payload)
                        .headers(headers),
                    Timeout::After(Duration::from_secs(30)),
                )
                .await
                .map_err(|(error, _)| anyhow::anyhow!("publishing to {}: {error}", self.topic))?;
            anyhow::Ok(())
        }
        .instrument(span)
        .await
    }
}
