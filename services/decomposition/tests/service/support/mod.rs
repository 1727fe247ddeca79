//! One isolated environment per test: a fresh database, its own topic prefix (with the
//! order, decomposition and dead-letter topics created), a producer that releases orders the
//! way order-capture does (contracts encoder, key = order id, envelope headers), and the
//! decomposition service built on port 0 (`spawn`).

mod orders;
mod reads;

pub use orders::{as_order, fiber_bundle, new_order_id, released};

use oms_contracts::OrderEventV1;
use oms_decomposition::{Application, DecompositionSettings, Settings};
use oms_domain::OrderEvent;
use oms_domain::events::OrderReleasedForDecomposition;
use oms_messaging::{Codec, EventContract as _, KafkaSettings, TopicNaming, ensure_topic};
use oms_runtime::Shutdown;
use oms_runtime::config::{CommonConfig, Secret, ServiceConfig, StaticToken};
use oms_test_support::{TestClient, TestDatabase, eventually};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const ORDER_TOPIC: &str = "oms.order.events.v1";
pub const DECOMPOSITION_TOPIC: &str = "oms.decomposition.events.v1";
pub const DLQ_TOPIC: &str = "oms.decomposition.dlq.v1";
/// Partitions of the test's decomposition topic (watermarks are summed over them).
pub const DECOMPOSITION_PARTITIONS: i32 = 2;

pub const ACME: &str = "acme";
pub const GLOBEX: &str = "globex";
/// Bearer tokens of the test configuration.
pub const ACME_READER: &str = "acme-reader-token";
pub const GLOBEX_READER: &str = "globex-reader-token";
pub const ACME_OPERATOR: &str = "acme-operator-token";
pub const ACME_NO_SCOPE: &str = "acme-no-scope-token";

pub const WAIT: Duration = Duration::from_secs(45);
pub const POLL: Duration = Duration::from_millis(100);

/// Largest catalog the test configuration accepts.
pub const MAX_CATALOG_BYTES: usize = 64 * 1024;

/// The sample catalog file the service publishes at start-up.
pub fn catalog_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/catalog/catalog-v1.toml")
}

/// A test's database, topics and producer.
pub struct Stack {
    pub db: TestDatabase,
    pub naming: TopicNaming,
    pub kafka: KafkaSettings,
    pub codec: Arc<Codec>,
    producer: FutureProducer,
}

impl Stack {
    pub async fn new() -> Self {
        let db = TestDatabase::create(&oms_decomposition::MIGRATOR).await;
        let run = Uuid::now_v7().simple().to_string();
        let naming = TopicNaming::with_prefix(&format!("t{}", &run[run.len() - 12..]));
        let kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
        for (topic, partitions) in [
            (ORDER_TOPIC, 2),
            (DECOMPOSITION_TOPIC, DECOMPOSITION_PARTITIONS),
            (DLQ_TOPIC, 1),
        ] {
            ensure_topic(&kafka, &naming.name(topic), partitions)
                .await
                .unwrap_or_else(|error| panic!("creating {topic}: {error}"));
        }
        let codec =
            Arc::new(Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec"));
        codec
            .register::<OrderEventV1>(&naming.name(ORDER_TOPIC))
            .await
            .expect("order schemas registered");
        let producer = kafka
            .idempotent_producer("test-order-capture")
            .create()
            .expect("producer");
        Self {
            db,
            naming,
            kafka,
            codec,
            producer,
        }
    }

    /// The service configuration of this environment.
    pub fn config(&self) -> ServiceConfig<Settings> {
        let mut common = CommonConfig::local(oms_decomposition::SERVICE, "unused", 0);
        common.database.url = Secret::new(self.db.url().to_owned());
        common.database.create_if_missing = false;
        common.database.max_connections = 5;
        common.kafka.brokers = oms_test_support::env::kafka_brokers();
        self.naming
            .prefix()
            .clone_into(&mut common.kafka.topic_prefix);
        common.schema_registry.url = oms_test_support::env::schema_registry_url();
        let token = |token: &str, tenant: &str, scopes: &[&str]| StaticToken {
            token: Secret::new(token.to_owned()),
            tenant_id: tenant.to_owned(),
            subject: format!("{tenant}-tester"),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        };
        common.auth.tokens = BTreeMap::from([
            (
                "acme_reader".to_owned(),
                token(ACME_READER, ACME, &["orders:read"]),
            ),
            (
                "globex_reader".to_owned(),
                token(GLOBEX_READER, GLOBEX, &["orders:read"]),
            ),
            (
                "acme_operator".to_owned(),
                token(ACME_OPERATOR, ACME, &["orders:read", "operator"]),
            ),
            (
                "acme_no_scope".to_owned(),
                token(ACME_NO_SCOPE, ACME, &["assets:read"]),
            ),
        ]);
        ServiceConfig {
            common,
            service: Settings {
                decomposition: DecompositionSettings {
                    catalog_files: vec![catalog_file()],
                    max_catalog_bytes: MAX_CATALOG_BYTES,
                },
            },
        }
    }

    /// Builds and starts the service; returns once it is ready.
    pub async fn start(&self) -> Running {
        let shutdown = Shutdown::new();
        let app = Application::build(self.config(), shutdown.clone())
            .await
            .expect("the decomposition service builds");
        let port = app.port();
        let handle = tokio::spawn(app.run_until_stopped());
        let client = TestClient::for_port(port);
        eventually(WAIT, POLL, || async {
            let response = client.get("/health/ready").send().await.ok()?;
            response.status().is_success().then_some(())
        })
        .await;
        Running {
            port,
            shutdown,
            handle,
        }
    }

    /// `release` as the order topic record order-capture writes (a fresh event id each call).
    pub fn record(release: &OrderReleasedForDecomposition) -> OrderEventV1 {
        OrderEventV1::from(&OrderEvent::OrderReleasedForDecomposition(release.clone()))
    }

    /// Publishes `record` to the order topic; returns its event id.
    pub async fn publish(&self, record: &OrderEventV1) -> Uuid {
        let topic = self.naming.name(ORDER_TOPIC);
        let payload = record.encode(&self.codec, &topic).await.expect("encoded");
        let mut headers = OwnedHeaders::new();
        for (name, value) in record.envelope().to_headers() {
            headers = headers.insert(Header {
                key: &name,
                value: Some(value.as_bytes()),
            });
        }
        self.producer
            .send(
                FutureRecord::to(&topic)
                    .key(record.key())
                    .payload(&payload)
                    .headers(headers),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(error, _)| error)
            .expect("published");
        record.envelope().event_id
    }

    /// Releases `release` (a new record) and waits until the service handled it.
    pub async fn release(&self, release: &OrderReleasedForDecomposition) -> Uuid {
        let id = self.publish(&Self::record(release)).await;
        self.handled(id).await;
        id
    }

    /// Waits until the service's consumer has handled (committed) event `event_id`.
    pub async fn handled(&self, event_id: Uuid) {
        let pool = self.db.pool();
        eventually(WAIT, POLL, || async move {
            let handled: bool = sqlx::query_scalar(
                "select exists (select 1 from inbox where consumer = $1 and event_id = $2)",
            )
            .bind(oms_decomposition::SERVICE)
            .bind(event_id)
            .fetch_one(pool)
            .await
            .ok()?;
            handled.then_some(())
        })
        .await;
    }
}

/// A running service.
pub struct Running {
    pub port: u16,
    shutdown: Shutdown,
    handle: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    pub fn client(&self, token: &str) -> TestClient {
        TestClient::for_port(self.port).with_token(token)
    }

    /// Stops the service as SIGTERM would and checks every component ended cleanly.
    pub async fn stop(self) {
        self.shutdown.trigger();
        self.handle.await.expect("joined").expect("stopped cleanly");
    }
}
