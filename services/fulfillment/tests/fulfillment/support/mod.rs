//! One isolated environment per test: a fresh database, its own topic prefix (order,
//! decomposition, fulfillment and dead-letter topics created), a producer publishing plans
//! and releases the way decomposition and order-capture do (contracts encoder, key = order
//! id, envelope headers), a reader of the fulfillment topic, and the service on port 0.

mod orders;
pub mod reader;
mod sims;

pub use orders::{Scenario, TaskSpec};
pub use reader::TopicReader;
pub use sims::sim_records;

use oms_contracts::{DecompositionEventV1, FulfillmentEventV1, OrderEventV1};
use oms_fulfillment::config::{EngineSettings, SimulatorsSettings};
use oms_fulfillment::{Application, Settings};
use oms_messaging::{Codec, EventContract, KafkaSettings, TopicNaming, ensure_topic};
use oms_runtime::Shutdown;
use oms_runtime::config::{CommonConfig, Secret, ServiceConfig, StaticToken};
use oms_test_support::{TestClient, TestDatabase, eventually};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const ACME: &str = "acme";
pub const GLOBEX: &str = "globex";
pub const ACME_READER: &str = "acme-reader-token";
pub const ACME_OPERATOR: &str = "acme-operator-token";
pub const GLOBEX_READER: &str = "globex-reader-token";
pub const GLOBEX_OPERATOR: &str = "globex-operator-token";

pub const WAIT: Duration = Duration::from_secs(60);
pub const POLL: Duration = Duration::from_millis(100);

/// Engine settings for tests: quick polling and a short retry schedule.
pub fn fast_engine(max_concurrency: usize) -> EngineSettings {
    EngineSettings {
        max_concurrency,
        poll_interval_ms: 50,
        max_attempts: 3,
        backoff_initial_ms: 300,
        backoff_max_ms: 2_000,
        backoff_jitter: 0.2,
        call_timeout_ms: 10_000,
        recovery_interval_ms: 500,
    }
}

/// A test's database, topics, producer and topic reader.
pub struct Stack {
    pub db: TestDatabase,
    pub naming: TopicNaming,
    pub kafka: KafkaSettings,
    pub codec: Arc<Codec>,
    pub fulfillment_events: TopicReader,
    producer: FutureProducer,
}

impl Stack {
    pub async fn new() -> Self {
        let db = TestDatabase::create(&oms_fulfillment::MIGRATOR).await;
        let run = Uuid::now_v7().simple().to_string();
        let naming = TopicNaming::with_prefix(&format!("t{}", &run[run.len() - 12..]));
        let kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
        for (topic, partitions) in [
            (OrderEventV1::TOPIC, 2),
            (DecompositionEventV1::TOPIC, 2),
            (FulfillmentEventV1::TOPIC, 2),
            ("oms.fulfillment.dlq.v1", 1),
        ] {
            ensure_topic(&kafka, &naming.name(topic), partitions)
                .await
                .unwrap_or_else(|error| panic!("creating {topic}: {error}"));
        }
        let codec =
            Arc::new(Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec"));
        codec
            .register::<OrderEventV1>(&naming.name(OrderEventV1::TOPIC))
            .await
            .expect("order schemas");
        codec
            .register::<DecompositionEventV1>(&naming.name(DecompositionEventV1::TOPIC))
            .await
            .expect("decomposition schemas");
        let producer = kafka
            .idempotent_producer("test-upstream")
            .create()
            .expect("producer");
        let fulfillment_events = TopicReader::start(
            &kafka,
            &naming.name(FulfillmentEventV1::TOPIC),
            codec.clone(),
        );
        Self {
            db,
            naming,
            kafka,
            codec,
            fulfillment_events,
            producer,
        }
    }

    /// The service's configuration for this environment.
    pub fn config(
        &self,
        engine: EngineSettings,
        simulators: SimulatorsSettings,
    ) -> ServiceConfig<Settings> {
        let mut common = CommonConfig::local("fulfillment", "unused", 0);
        common.database.url = Secret::new(self.db.url().to_owned());
        common.database.create_if_missing = false;
        common.database.max_connections = 8;
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
                "acme_operator".to_owned(),
                token(ACME_OPERATOR, ACME, &["orders:read", "operator"]),
            ),
            (
                "globex_reader".to_owned(),
                token(GLOBEX_READER, GLOBEX, &["orders:read"]),
            ),
            (
                "globex_operator".to_owned(),
                token(GLOBEX_OPERATOR, GLOBEX, &["orders:read", "operator"]),
            ),
        ]);
        ServiceConfig {
            common,
            service: Settings { engine, simulators },
        }
    }

    /// Builds and starts the service in-process; returns once it is ready.
    pub async fn start(&self, engine: EngineSettings, simulators: SimulatorsSettings) -> Running {
        let shutdown = Shutdown::new();
        let app = Application::build(self.config(engine, simulators), shutdown.clone())
            .await
            .expect("the fulfillment service builds");
        let port = app.port();
        let sims = app.simulators().cloned().expect("simulators enabled");
        let callbacks = app.callbacks();
        let handle = tokio::spawn(app.run_until_stopped());
        wait_ready(port).await;
        Running {
            port,
            sims,
            callbacks,
            shutdown,
            handle,
        }
    }

    async fn send<C: EventContract>(&self, record: &C) -> Uuid {
        let topic = self.naming.name(C::TOPIC);
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

    /// Publishes the scenario's `OrderDecomposed` as decomposition does.
    pub async fn publish_plan(&self, scenario: &Scenario) -> Uuid {
        self.send(&DecompositionEventV1::from(&scenario.decomposed()))
            .await
    }

    /// Publishes the scenario's `OrderReleasedForFulfillment` as order-capture does (a fresh
    /// event id each call, as a second release would have).
    pub async fn publish_release(&self, scenario: &Scenario) -> Uuid {
        self.send(&OrderEventV1::from(&scenario.released())).await
    }

    /// Publishes any decomposition fact as decomposition does.
    pub async fn publish_decomposition_event(
        &self,
        event: &oms_domain::events::DecompositionEvent,
    ) -> Uuid {
        self.send(&DecompositionEventV1::from(event)).await
    }

    /// Publishes any order fact as order-capture does.
    pub async fn publish_order_event(&self, event: &oms_domain::OrderEvent) -> Uuid {
        self.send(&OrderEventV1::from(event)).await
    }

    /// Waits until the service's consumer handled event `event_id`.
    pub async fn handled(&self, event_id: Uuid) {
        let pool = self.db.pool();
        eventually(WAIT, POLL, || async move {
            let handled: bool = sqlx::query_scalar(
                "select exists (select 1 from inbox where consumer = 'fulfillment' and event_id = $1)",
            )
            .bind(event_id)
            .fetch_one(pool)
            .await
            .ok()?;
            handled.then_some(())
        })
        .await;
    }

    /// Task states of an order by task id.
    pub async fn task_states(&self, order_id: Uuid) -> BTreeMap<Uuid, String> {
        sqlx::query_as::<_, (Uuid, String)>(
            "select task_id, state from fulfillment_task where order_id = $1",
        )
        .bind(order_id)
        .fetch_all(self.db.pool())
        .await
        .expect("task states")
        .into_iter()
        .collect()
    }

    /// Waits until every item of the order is FULFILLED or WAIVED.
    pub async fn order_done(&self, order_id: Uuid, items: usize) {
        let pool = self.db.pool();
        eventually(WAIT, POLL, || async move {
            let done: i64 = sqlx::query_scalar(
                "select count(*) from fulfillment_item where order_id = $1 and status <> 'IN_PROGRESS'",
            )
            .bind(order_id)
            .fetch_one(pool)
            .await
            .ok()?;
            (usize::try_from(done).ok()? == items).then_some(())
        })
        .await;
    }

    /// The trigger sequence of a task's transitions.
    pub async fn transitions(&self, task_id: Uuid) -> Vec<(String, String, String)> {
        sqlx::query_as(
            "select trigger, from_state, to_state from fulfillment_task_transition where task_id = $1 order by id",
        )
        .bind(task_id)
        .fetch_all(self.db.pool())
        .await
        .expect("transitions")
    }
}

/// Waits until `/health/ready` answers 200 on `port`.
pub async fn wait_ready(port: u16) {
    let client = TestClient::for_port(port);
    eventually(WAIT, POLL, || async {
        let response = client.get("/health/ready").send().await.ok()?;
        response.status().is_success().then_some(())
    })
    .await;
}

/// A running in-process service.
pub struct Running {
    pub port: u16,
    pub sims: oms_fulfillment::sim::Simulators,
    /// The service's callback entrance (what a real integration's callback front calls).
    pub callbacks: Arc<dyn oms_fulfillment::downstream::CallbackSink>,
    shutdown: Shutdown,
    handle: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    pub fn client(&self, token: &str) -> TestClient {
        TestClient::for_port(self.port).with_token(token)
    }

    /// GETs a JSON body, asserting 200.
    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let response = self.client(token).get_ok(path).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }

    /// Stops the service as SIGTERM would and checks every component ended cleanly.
    pub async fn stop(self) {
        self.shutdown.trigger();
        self.handle.await.expect("joined").expect("stopped cleanly");
    }
}

/// Simulators answering after `latency_ms`, with no async work and no faults.
pub fn quiet_simulators(latency_ms: u64) -> SimulatorsSettings {
    let mut settings = SimulatorsSettings {
        callback_poll_ms: 50,
        ..SimulatorsSettings::default()
    };
    for sim in [
        &mut settings.inventory,
        &mut settings.workforce_scheduling,
        &mut settings.shipping,
        &mut settings.network_provisioning,
        &mut settings.billing_activation,
    ] {
        *sim = oms_fulfillment::config::SimulatorSettings {
            latency_ms,
            ..Default::default()
        };
    }
    settings
}
