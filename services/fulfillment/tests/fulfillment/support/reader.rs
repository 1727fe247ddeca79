//! Reads a topic from the beginning in the background (a fresh consumer group) and keeps
//! every record decoded as a domain `FulfillmentEvent`, with its event id, so tests assert on
//! what other services would see. Redelivered records (same event id) are kept as they come.

use super::{POLL, WAIT};
use oms_contracts::FulfillmentEventV1;
use oms_domain::events::FulfillmentEvent;
use oms_messaging::{Codec, EventContract as _, KafkaSettings};
use oms_test_support::eventually;
use rdkafka::Message as _;
use rdkafka::consumer::{Consumer as _, StreamConsumer};
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;
use uuid::Uuid;

type Seen = Arc<Mutex<Vec<(Uuid, FulfillmentEvent)>>>;

pub struct TopicReader {
    seen: Seen,
    task: JoinHandle<()>,
}

impl Drop for TopicReader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TopicReader {
    pub fn start(kafka: &KafkaSettings, topic: &str, codec: Arc<Codec>) -> Self {
        let consumer: StreamConsumer = kafka
            .consumer(&format!("reader-{}", Uuid::now_v7()), "reader")
            .create()
            .expect("reader");
        consumer.subscribe(&[topic]).expect("subscribed");
        let seen: Seen = Arc::default();
        let sink = seen.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok(message) = consumer.recv().await else {
                    continue;
                };
                let record = codec
                    .decode::<FulfillmentEventV1>(message.payload())
                    .await
                    .expect("a fulfillment record decodes");
                let event = FulfillmentEvent::try_from(&record).expect("maps to the domain");
                sink.lock()
                    .expect("lock")
                    .push((record.envelope().event_id, event));
            }
        });
        Self { seen, task }
    }

    /// Everything read so far.
    pub fn all(&self) -> Vec<(Uuid, FulfillmentEvent)> {
        self.seen.lock().expect("lock").clone()
    }

    /// Waits until `pred` holds over what was read; returns it.
    pub async fn until(
        &self,
        pred: impl Fn(&[(Uuid, FulfillmentEvent)]) -> bool,
    ) -> Vec<(Uuid, FulfillmentEvent)> {
        eventually(WAIT, POLL, || async {
            let all = self.all();
            pred(&all).then_some(all)
        })
        .await
    }
}

/// The events of one order of type `event_type`, deduplicated by event id.
pub fn of_type(
    events: &[(Uuid, FulfillmentEvent)],
    order_id: Uuid,
    event_type: &str,
) -> Vec<FulfillmentEvent> {
    use oms_domain::DomainEvent as _;
    let mut ids = std::collections::BTreeSet::new();
    events
        .iter()
        .filter(|(id, e)| {
            e.event_type() == event_type
                && e.aggregate_id() == order_id.to_string()
                && ids.insert(*id)
        })
        .map(|(_, e)| e.clone())
        .collect()
}
