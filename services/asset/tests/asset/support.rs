//! One isolated environment per test: a fresh database, its own topic prefix (with the
//! fulfillment, asset and dead-letter topics created), a producer that publishes
//! `OrderItemFulfilled` the way the fulfillment service does (contracts encoder, key = order
//! id, envelope headers), and the asset service built on port 0.

use chrono::{NaiveDate, Utc};
use oms_asset::{Application, AssetSettings, Settings};
use oms_contracts::{AssetEventV1, FulfillmentEventV1};
use oms_domain::events::{
    AssetEvent, FulfilledItem, FulfillmentEvent, OrderFactBase, OrderItemFulfilled,
};
use oms_domain::order::{PriceComponent, PriceSnapshot, ProductSnapshot, ServiceAddress};
use oms_domain::value::{
    AccountId, AssetId, BillingAccountId, CorrelationId, CurrencyCode, CustomerId, LineNumber,
    Money, OrderId, OrderItemId, ProductOfferingId, Quantity, TenantId,
};
use oms_domain::vocab::{ItemAction, PriceKind};
use oms_domain::{Actor, TransitionMeta};
use oms_messaging::{Codec, EventContract as _, KafkaSettings, TopicNaming, ensure_topic};
use oms_runtime::Shutdown;
use oms_runtime::config::{CommonConfig, Secret, ServiceConfig, StaticToken};
use oms_test_support::{TestClient, TestDatabase, eventually};
use rdkafka::Message as _;
use rdkafka::consumer::{BaseConsumer, Consumer as _, StreamConsumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const FULFILLMENT_TOPIC: &str = "oms.fulfillment.events.v1";
pub const ASSET_TOPIC: &str = "oms.asset.events.v1";
pub const DLQ_TOPIC: &str = "oms.asset.dlq.v1";
/// Partitions of the test's asset topic (the high watermarks are summed over them).
pub const ASSET_PARTITIONS: i32 = 2;

pub const ACME: &str = "acme";
pub const GLOBEX: &str = "globex";
/// Bearer tokens of the test configuration.
pub const ACME_READER: &str = "acme-reader-token";
pub const GLOBEX_READER: &str = "globex-reader-token";
pub const ACME_OPERATOR: &str = "acme-operator-token";
pub const ACME_NO_SCOPE: &str = "acme-no-scope-token";

const WAIT: Duration = Duration::from_secs(45);
const POLL: Duration = Duration::from_millis(100);

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
        let db = TestDatabase::create(&oms_asset::MIGRATOR).await;
        let run = Uuid::now_v7().simple().to_string();
        let naming = TopicNaming::with_prefix(&format!("t{}", &run[run.len() - 12..]));
        let kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
        for (topic, partitions) in [
            (FULFILLMENT_TOPIC, 2),
            (ASSET_TOPIC, ASSET_PARTITIONS),
            (DLQ_TOPIC, 1),
        ] {
            ensure_topic(&kafka, &naming.name(topic), partitions)
                .await
                .unwrap_or_else(|error| panic!("creating {topic}: {error}"));
        }
        let codec =
            Arc::new(Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec"));
        codec
            .register::<FulfillmentEventV1>(&naming.name(FULFILLMENT_TOPIC))
            .await
            .expect("fulfillment schemas registered");
        let producer = kafka
            .idempotent_producer("test-fulfillment")
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

    /// The service configuration of this environment, consuming as `consumer`.
    pub fn config(&self, consumer: &str) -> ServiceConfig<Settings> {
        let mut common = CommonConfig::local("asset", "unused", 0);
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
                token(ACME_READER, ACME, &["assets:read"]),
            ),
            (
                "globex_reader".to_owned(),
                token(GLOBEX_READER, GLOBEX, &["assets:read"]),
            ),
            (
                "acme_operator".to_owned(),
                token(ACME_OPERATOR, ACME, &["assets:read", "operator"]),
            ),
            (
                "acme_no_scope".to_owned(),
                token(ACME_NO_SCOPE, ACME, &["orders:read"]),
            ),
        ]);
        ServiceConfig {
            common,
            service: Settings {
                asset: AssetSettings {
                    consumer: consumer.to_owned(),
                },
            },
        }
    }

    /// Builds and starts the service consuming as `consumer`; returns once it is ready.
    pub async fn start(&self, consumer: &str) -> Running {
        let shutdown = Shutdown::new();
        let app = Application::build(self.config(consumer), shutdown.clone())
            .await
            .expect("the asset service builds");
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

    /// Publishes `event` as fulfillment does; returns its event id.
    pub async fn publish(&self, event: OrderItemFulfilled) -> Uuid {
        let record = FulfillmentEventV1::from(&FulfillmentEvent::OrderItemFulfilled(event));
        let topic = self.naming.name(FULFILLMENT_TOPIC);
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

    /// Waits until consumer `consumer` has handled event `event_id`.
    pub async fn handled(&self, consumer: &str, event_id: Uuid) {
        let pool = self.db.pool();
        eventually(WAIT, POLL, || async move {
            let handled: bool = sqlx::query_scalar(
                "select exists (select 1 from inbox where consumer = $1 and event_id = $2)",
            )
            .bind(consumer)
            .bind(event_id)
            .fetch_one(pool)
            .await
            .ok()?;
            handled.then_some(())
        })
        .await;
    }

    /// Publishes `event` and waits until the default consumer handled it.
    pub async fn apply(&self, event: OrderItemFulfilled) -> Uuid {
        let id = self.publish(event).await;
        self.handled(oms_asset::SERVICE, id).await;
        id
    }

    /// The asset events written for `asset_id`, oldest first, decoded from the outbox.
    pub async fn asset_events(&self, asset_id: &str) -> Vec<AssetEvent> {
        let payloads: Vec<Vec<u8>> =
            sqlx::query_scalar("select payload from outbox where aggregate_id = $1 order by id")
                .bind(asset_id)
                .fetch_all(self.db.pool())
                .await
                .expect("outbox rows");
        let mut events = Vec::new();
        for payload in payloads {
            let record = self
                .codec
                .decode::<AssetEventV1>(Some(&payload))
                .await
                .expect("decodes");
            events.push(AssetEvent::try_from(&record).expect("maps to the domain"));
        }
        events
    }

    /// Waits until every outbox row is published, then returns the asset topic's record count
    /// (sum of the partitions' high watermarks).
    pub async fn published_asset_records(&self) -> i64 {
        let pool = self.db.pool();
        eventually(WAIT, POLL, || async move {
            let pending: i64 =
                sqlx::query_scalar("select count(*) from outbox where published_at is null")
                    .fetch_one(pool)
                    .await
                    .ok()?;
            (pending == 0).then_some(())
        })
        .await;
        let consumer: BaseConsumer = self
            .kafka
            .consumer(&format!("watermarks-{}", Uuid::now_v7()), "watermarks")
            .create()
            .expect("consumer");
        let topic = self.naming.name(ASSET_TOPIC);
        let mut total = 0;
        for partition in 0..ASSET_PARTITIONS {
            let (low, high) = consumer
                .fetch_watermarks(&topic, partition, Duration::from_secs(10))
                .expect("watermarks");
            assert_eq!(low, 0, "nothing is deleted from a test topic");
            total += high;
        }
        total
    }
    /// The first `count` records of the asset topic, read from the beginning by a fresh
    /// consumer group: (key, event).
    pub async fn read_asset_topic(&self, count: usize) -> Vec<(String, AssetEvent)> {
        let consumer: StreamConsumer = self
            .kafka
            .consumer(&format!("reader-{}", Uuid::now_v7()), "reader")
            .create()
            .expect("consumer");
        consumer
            .subscribe(&[&self.naming.name(ASSET_TOPIC)])
            .expect("subscribed");
        let mut records = Vec::new();
        while records.len() < count {
            let message = tokio::time::timeout(WAIT, consumer.recv())
                .await
                .expect("an asset record in time")
                .expect("kafka");
            let key =
                String::from_utf8(message.key().unwrap_or_default().to_vec()).expect("utf-8 key");
            let record = self
                .codec
                .decode::<AssetEventV1>(message.payload())
                .await
                .expect("decodes");
            records.push((
                key,
                AssetEvent::try_from(&record).expect("maps to the domain"),
            ));
        }
        records
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

// ---------------------------------------------------------------- fulfilled items

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn price(amount: i64) -> PriceSnapshot {
    let money = Money::parse(
        rust_decimal::Decimal::new(amount, 2),
        CurrencyCode::parse("EUR").unwrap(),
    )
    .unwrap();
    let component = PriceComponent {
        kind: PriceKind::Recurring,
        amount: money,
        recurrence_period: Some("MONTHLY".into()),
        description: "monthly fee".into(),
    };
    PriceSnapshot::new(vec![component], money).unwrap()
}

pub fn address(line1: &str) -> ServiceAddress {
    ServiceAddress {
        line1: line1.into(),
        line2: Some("2nd floor".into()),
        city: "Berlin".into(),
        postal_code: "10115".into(),
        country_code: "DE".into(),
    }
}

/// A fulfilled item of `tenant` doing `action` on `asset` (created for ADD), for customer
/// `cust-1` / account `acct-1`, with a fresh order and item.
pub fn fulfilled(tenant: &str, action: ItemAction, asset: &str) -> OrderItemFulfilled {
    let asset_id = AssetId::parse(asset).unwrap();
    OrderItemFulfilled {
        base: OrderFactBase {
            order_id: OrderId::from_uuid(Uuid::now_v7()),
            tenant_id: TenantId::parse(tenant).unwrap(),
            meta: TransitionMeta::new(
                Actor::service("fulfillment"),
                Utc::now(),
                CorrelationId::parse(&format!("corr-{asset}")).unwrap(),
            ),
        },
        item_id: OrderItemId::from_uuid(Uuid::now_v7()),
        asset_effect: action.expected_effect(),
        asset_id: Some(asset_id.clone()),
        service_refs: vec![format!("svc-{asset}")],
        resource_refs: vec![format!("ont-{asset}")],
        activation_date: (action == ItemAction::Add).then(|| date(2026, 1, 15)),
        item: Box::new(FulfilledItem {
            line_number: LineNumber::parse(1).unwrap(),
            action,
            quantity: Quantity::parse(1).unwrap(),
            product: ProductSnapshot {
                offering_id: ProductOfferingId::parse("fiber-500").unwrap(),
                offering_version: Some(3),
                offering_name: Some("Fiber 500".into()),
                spec_ref: None,
            },
            target_asset_id: (action != ItemAction::Add).then_some(asset_id),
            customer_id: CustomerId::parse("cust-1").unwrap(),
            account_id: AccountId::parse("acct-1").unwrap(),
            billing_account_id: BillingAccountId::parse("bill-1").unwrap(),
            configuration: BTreeMap::from([("bandwidth".into(), "500M".into())]),
            service_address: Some(address("Main St 1")),
            price: price(4_000),
            term_months: Some(12),
        }),
    }
}

/// Rows of a table as JSON, in a stable order, for before/after comparisons.
pub async fn snapshot(db: &TestDatabase, table: &str, order_by: &str) -> Vec<serde_json::Value> {
    sqlx::query_scalar(&format!(
        "select to_jsonb(t) from {table} t order by {order_by}"
    ))
    .fetch_all(db.pool())
    .await
    .unwrap_or_else(|error| panic!("snapshot of {table}: {error}"))
}
