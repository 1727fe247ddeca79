//! `spawn_app()` and helpers: request bodies, producing other services' events with the
//! contract encoders, reading the order topic.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{Days, Utc};
use oms_contracts::OrderEventV1;
use oms_messaging::{Codec, EventContract, KafkaSettings, TopicNaming, ensure_topic};
use oms_order_capture::config::{CaptureSettings, ServiceSettings};
use oms_order_capture::{Application, MIGRATOR};
use oms_runtime::Shutdown;
use oms_runtime::config::{CommonConfig, Secret, ServiceConfig, StaticToken};
use oms_test_support::{TestClient, TestDatabase, eventually};
use rdkafka::ClientConfig;
use rdkafka::Message as _;
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::{Value, json};
use std::sync::Arc;

pub const TIMEOUT: Duration = Duration::from_secs(60);
pub const POLL: Duration = Duration::from_millis(100);

pub const ACME_WRITE: &str = "test-acme-write";
pub const ACME_READ: &str = "test-acme-read";
pub const ACME_OPERATOR: &str = "test-acme-operator";
pub const GLOBEX_WRITE: &str = "test-globex-write";
pub const ACME: &str = "acme";

/// The contract topics the service reads or writes.
pub const TOPICS: [&str; 6] = [
    "oms.order.events.v1",
    "cpq.quote.events.v1",
    "oms.decomposition.events.v1",
    "oms.fulfillment.events.v1",
    "oms.asset.events.v1",
    "oms.order-capture.dlq.v1",
];

pub struct TestApp {
    pub port: u16,
    pub db: TestDatabase,
    pub naming: TopicNaming,
    pub kafka: KafkaSettings,
    pub codec: Arc<Codec>,
    shutdown: Shutdown,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

fn token(value: &str, tenant: &str, subject: &str, scopes: &[&str]) -> StaticToken {
    StaticToken {
        token: Secret::new(value.to_owned()),
        tenant_id: tenant.to_owned(),
        subject: subject.to_owned(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }
}

pub fn test_config(db_url: &str, prefix: &str) -> ServiceConfig<ServiceSettings> {
    let mut common = CommonConfig::local("order-capture", "unused", 0);
    common.http.addr = "127.0.0.1:0".parse().expect("addr");
    common.database.url = Secret::new(db_url.to_owned());
    common.kafka.brokers = oms_test_support::env::kafka_brokers();
    prefix.clone_into(&mut common.kafka.topic_prefix);
    common.kafka.outbox_shards = 2;
    common.schema_registry.url = oms_test_support::env::schema_registry_url();
    common.auth.tokens = BTreeMap::from([
        (
            "acme_write".to_owned(),
            token(ACME_WRITE, ACME, "alice", &["orders:read", "orders:write"]),
        ),
        (
            "acme_read".to_owned(),
            token(ACME_READ, ACME, "bob", &["orders:read"]),
        ),
        (
            "acme_operator".to_owned(),
            token(
                ACME_OPERATOR,
                ACME,
                "ops-olga",
                &["orders:read", "orders:write", "operator"],
            ),
        ),
        (
            "globex_write".to_owned(),
            token(
                GLOBEX_WRITE,
                "globex",
                "gina",
                &["orders:read", "orders:write"],
            ),
        ),
    ]);
    ServiceConfig {
        common,
        service: ServiceSettings {
            capture: CaptureSettings {
                max_items_per_order: 20,
                ..CaptureSettings::default()
            },
        },
    }
}

/// Builds and runs the service on port 0 with a fresh database and topic prefix, and waits
/// until it is ready.
pub async fn spawn_app() -> TestApp {
    let db = TestDatabase::create(&MIGRATOR).await;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let naming = TopicNaming::with_prefix(&format!("oc{}", &run[run.len() - 12..]));
    let kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
    for topic in TOPICS {
        ensure_topic(&kafka, &naming.name(topic), 1)
            .await
            .expect("topic");
    }
    let codec = Arc::new(Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec"));
    let config = test_config(db.url(), naming.prefix());
    let shutdown = Shutdown::new();
    let app = Application::build(config, shutdown.clone())
        .await
        .expect("order-capture starts");
    let port = app.port();
    let task = tokio::spawn(app.run_until_stopped());
    let test_app = TestApp {
        port,
        db,
        naming,
        kafka,
        codec,
        shutdown,
        task: Some(task),
    };
    let client = test_app.client(ACME_READ);
    eventually(TIMEOUT, POLL, || async {
        let response = client.get("/health/ready").send().await.ok()?;
        response.status().is_success().then_some(())
    })
    .await;
    test_app
}

impl TestApp {
    pub fn client(&self, token: &str) -> TestClient {
        TestClient::for_port(self.port).with_token(token)
    }

    pub fn acme(&self) -> TestClient {
        self.client(ACME_WRITE)
    }

    pub fn topic(&self, contract_topic: &str) -> String {
        self.naming.name(contract_topic)
    }

    /// Captures `body` with a fresh idempotency key; returns status and body.
    pub async fn capture(&self, body: &Value) -> (u16, Value) {
        self.capture_with_key(&uuid::Uuid::now_v7().to_string(), body)
            .await
    }

    pub async fn capture_with_key(&self, key: &str, body: &Value) -> (u16, Value) {
        let response = self
            .acme()
            .post("/api/v1/orders")
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("capture request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn order(&self, order_id: &str) -> Value {
        let response = self
            .acme()
            .get_ok(&format!("/api/v1/orders/{order_id}"))
            .await;
        assert_eq!(response.status(), 200, "GET order {order_id}");
        response.json().await.expect("order body")
    }

    /// Waits until the order satisfies `pred`; returns it.
    pub async fn order_until(&self, order_id: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let client = self.acme();
        let path = format!("/api/v1/orders/{order_id}");
        eventually(TIMEOUT, POLL, || {
            let client = client.clone();
            let path = path.clone();
            let pred = &pred;
            async move {
                let body: Value = client.get(&path).send().await.ok()?.json().await.ok()?;
                pred(&body).then_some(body)
            }
        })
        .await
    }

    /// Registers the schemas of family `C` (as its producing service does at start-up).
    pub async fn register<C: EventContract>(&self) {
        self.codec
            .register::<C>(&self.naming.name(C::TOPIC))
            .await
            .expect("schemas registered");
    }

    /// Produces `event` on its topic, encoded with its contract, keyed and with the
    /// envelope headers, as the owning service's relay would.
    pub async fn produce<C: EventContract>(&self, event: &C) {
        let topic = self.naming.name(C::TOPIC);
        let payload = event.encode(&self.codec, &topic).await.expect("encoded");
        let mut headers = OwnedHeaders::new();
        for (name, value) in event.envelope().to_headers() {
            headers = headers.insert(Header {
                key: &name,
                value: Some(value.as_bytes()),
            });
        }
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.kafka.brokers)
            .create()
            .expect("producer");
        producer
            .send(
                FutureRecord::to(&topic)
                    .key(event.key())
                    .payload(&payload)
                    .headers(headers),
                Duration::from_secs(30),
            )
            .await
            .expect("produced");
    }

    /// Every order event published so far (reads the order topic from the beginning until
    /// `pred` holds for the decoded list).
    pub async fn order_events_until(
        &self,
        pred: impl Fn(&[OrderEventV1]) -> bool,
    ) -> Vec<OrderEventV1> {
        let topic = self.topic("oms.order.events.v1");
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.kafka.brokers)
            .set("group.id", format!("reader-{}", uuid::Uuid::now_v7()))
            .set("enable.auto.commit", "false")
            .create()
            .expect("reader");
        let mut assignment = TopicPartitionList::new();
        assignment
            .add_partition_offset(&topic, 0, Offset::Beginning)
            .expect("partition");
        consumer.assign(&assignment).expect("assign");
        let mut events = Vec::new();
        let deadline = std::time::Instant::now() + TIMEOUT;
        while std::time::Instant::now() < deadline {
            let message = tokio::task::block_in_place(|| consumer.poll(Duration::from_millis(200)));
            if let Some(Ok(message)) = message {
                let event = self
                    .codec
                    .decode::<OrderEventV1>(message.payload())
                    .await
                    .expect("order event decodes");
                events.push(event);
            }
            if pred(&events) {
                return events;
            }
        }
        panic!(
            "order topic never satisfied the condition; saw {:?}",
            events
                .iter()
                .map(|e| e.envelope().event_type.clone())
                .collect::<Vec<_>>()
        );
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db.pool())
            .await
            .expect(sql)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Event types of an order's events on the topic.
pub fn types_of(events: &[OrderEventV1], order_id: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.envelope().aggregate_id == order_id)
        .map(|e| e.envelope().event_type.clone())
        .collect()
}

pub fn future_date(days: u64) -> String {
    (Utc::now().date_naive() + Days::new(days)).to_string()
}

/// A valid DIRECT_ORDER with one ADD item (and optionally more).
pub fn direct_order(items: usize) -> Value {
    let items: Vec<Value> = (0..items)
        .map(|i| {
            json!({
                "clientItemRef": format!("line-{}", i + 1),
                "action": "ADD",
                "productOfferingId": "po-fiber-1gbps",
                "productOfferingVersion": 3,
                "productOfferingName": "Fiber 1 Gbps",
                "quantity": 1,
                "configuration": { "bandwidth": "1Gbps" },
                "priceComponents": [
                    { "kind": "RECURRING", "amount": "100.00", "recurrencePeriod": "MONTHLY", "description": "monthly fee" },
                    { "kind": "DISCOUNT", "amount": "-10.00", "description": "promo" }
                ],
                "itemTotal": "90.00"
            })
        })
        .collect();
    json!({
        "captureMode": "DIRECT_ORDER",
        "salesChannel": "WEB",
        "externalOrderRef": format!("WEB-{}", uuid::Uuid::now_v7().simple()),
        "customer": { "customerId": "cust-1001", "accountId": "acct-2001", "billingAccountId": "ba-3001" },
        "requestedCompletionDate": future_date(30),
        "currency": "EUR",
        "priceListRef": "pl-2026",
        "items": items
    })
}
