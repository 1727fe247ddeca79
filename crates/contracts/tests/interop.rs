//! Interoperability with an independent client: Confluent's Python `confluent-kafka`
//! (`tests/interop/cpq_and_billing.py`) plays CPQ and billing against the real broker and
//! registry.
//!
//! (a) Python produces a `QuoteAccepted` with AvroSerializer (TopicRecordName, auto-register);
//!     Rust decodes it with `Codec::decode::<QuoteEventV1>` and maps it to a `CaptureOrder`
//!     whose amounts equal the Python decimals exactly.
//! (b) Rust encodes `OrderItemCompleted` and `OrderCompleted` and produces them; Python
//!     decodes them with AvroDeserializer and every billing field comes out right, decimals
//!     as `decimal.Decimal`.
//!
//! The interpreter is `$OMS_PYTHON`, else `<workspace>/.state/venv/bin/python`. A missing
//! interpreter fails the test with how to create it: it is never skipped silently.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use oms_contracts::{OrderEventV1, QuoteEventV1};
use oms_domain::command::{CaptureIds, CaptureOrderCommand};
use oms_domain::value::{OrderId, OrderItemId, OrderNumber};
use oms_domain::{DomainEvent, OrderCommand, OrderEvent, decide};
use oms_messaging::{EventContract, ensure_topic};
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::{Header, Message as _, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use rust_decimal::Decimal;
use serde_json::Value;

use support::orders::all_order_events;
use support::registry::RegistryEnv;
use support::{at, today, uuid};

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let python = std::env::var_os("OMS_PYTHON").map_or_else(
        || workspace_root().join(".state/venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        python.exists(),
        "Python interpreter for the interop test not found at {}. Create it with:\n  \
         python3 -m venv .state/venv && .state/venv/bin/pip install -r tests/interop/requirements.txt\n\
         (from the workspace root; `make test` does this), or point OMS_PYTHON at an interpreter \
         that has confluent-kafka[avro,schemaregistry] installed.",
        python.display()
    );
    python
}

/// Runs the interop script and returns its stdout.
async fn script(args: Vec<String>) -> String {
    let python = python();
    let script = workspace_root().join("tests/interop/cpq_and_billing.py");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(&script)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()))
    })
    .await
    .expect("script ran");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "interop script failed ({}):\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn decimal(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("decimal text, got {v}")),
    )
    .unwrap()
}

#[tokio::test]
async fn python_cpq_quote_decodes_and_maps_to_a_capture_intake_with_exact_amounts() {
    let env = RegistryEnv::new().await;
    let topic = env.topic::<QuoteEventV1>();
    ensure_topic(&env.kafka, &topic, 1)
        .await
        .expect("quote topic");
    let schema = workspace_root().join("schemas/cpq.quote.events.v1/QuoteAccepted.avsc");
    let sent: Value = serde_json::from_str(
        script(vec![
            "produce-quote".into(),
            env.kafka.brokers.clone(),
            env.codec.registry_url().to_owned(),
            topic.clone(),
            schema.to_string_lossy().into_owned(),
        ])
        .await
        .trim(),
    )
    .expect("the script prints what it sent");

    let consumer: BaseConsumer = env
        .kafka
        .consumer(
            &format!("contracts-interop-{}", uuid::Uuid::now_v7()),
            "contracts-interop",
        )
        .create()
        .expect("consumer");
    let mut partitions = TopicPartitionList::new();
    partitions
        .add_partition_offset(&topic, 0, Offset::Beginning)
        .unwrap();
    consumer.assign(&partitions).expect("assign");
    let message = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            assert!(
                std::time::Instant::now() < deadline,
                "the quote never arrived"
            );
            if let Some(message) = consumer.poll(Duration::from_millis(500)) {
                let message = message.expect("consume");
                return (
                    message.key().map(<[u8]>::to_vec),
                    message.payload().map(<[u8]>::to_vec),
                );
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(message.0.as_deref(), Some(&b"q-py-2002"[..]));
    let decoded: QuoteEventV1 = env
        .codec
        .decode(message.1.as_deref())
        .await
        .expect("decoded");
    let QuoteEventV1::QuoteAccepted(event) = &decoded;
    assert_eq!(
        event.envelope().event_id.to_string(),
        sent["eventId"].as_str().unwrap()
    );
    assert_eq!(event.envelope().correlation_id, "corr-cpq-interop");
    assert_eq!(
        event.envelope().occurred_at.to_rfc3339(),
        "2026-07-02T08:30:00.250+00:00"
    );
    assert_eq!(decoded.key(), "q-py-2002");

    let intake = event.to_capture_order();
    let q = intake.quote.as_ref().unwrap();
    assert_eq!((q.quote_id.as_str(), q.revision), ("q-py-2002", 7));
    assert_eq!(q.accepted_at.to_rfc3339(), "2026-07-02T08:00:00.125+00:00");
    assert_eq!(q.valid_until.to_string(), "2099-12-31");
    assert_eq!(q.approval_ref, None);
    assert_eq!(intake.customer.billing_account_id, "ba-py-1");
    assert_eq!(intake.service_address.as_ref().unwrap().city, "Bandung");
    assert_eq!(
        intake.requested_start_date.unwrap().to_string(),
        "2099-01-15"
    );
    assert_eq!(intake.contract_term_months, Some(12));
    assert_eq!(intake.items.len(), 2);
    for (item, sent_item) in intake.items.iter().zip(sent["items"].as_array().unwrap()) {
        assert_eq!(
            item.client_item_ref,
            sent_item["quoteItemId"].as_str().unwrap()
        );
        assert_eq!(item.item_total, Some(decimal(&sent_item["itemTotal"])));
        let components = sent_item["priceComponents"].as_array().unwrap();
        assert_eq!(item.price_components.len(), components.len());
        for (component, sent_component) in item.price_components.iter().zip(components) {
            assert_eq!(component.amount, decimal(&sent_component["amount"]));
            assert_eq!(
                component.recurrence_period.as_deref(),
                sent_component["recurrencePeriod"].as_str()
            );
        }
    }
    assert_eq!(
        intake.items[0].price_components[1].amount.to_string(),
        "-50000.0001"
    );
    assert_eq!(
        intake.items[1].item_total.unwrap().to_string(),
        "12345678901234.5678"
    );
    assert_eq!(intake.items[1].parent_ref.as_deref(), Some("py-1"));

    // And the domain accepts the order.
    let meta = oms_contracts::quote::capture_meta(event, at(0)).unwrap();
    let events = decide(
        None,
        OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
            ids: CaptureIds {
                order_id: OrderId::from_uuid(uuid(700)),
                order_number: OrderNumber::parse("O-2026-00000700").unwrap(),
                item_ids: vec![
                    OrderItemId::from_uuid(uuid(701)),
                    OrderItemId::from_uuid(uuid(702)),
                ],
            },
            intake,
            context: oms_domain::CaptureContext::new(support::tenant(), today()),
        })),
        &meta,
    )
    .unwrap();
    let Some(OrderEvent::OrderValidated(validated)) = events.get(1) else {
        panic!("expected OrderValidated, got {events:#?}")
    };
    assert_eq!(
        validated
            .content
            .header
            .commercial
            .order_total
            .amount()
            .to_string(),
        "12345679201234.5677"
    );
}

/// The billing events of the happy-path fixture order.
fn billing_events() -> Vec<OrderEvent> {
    all_order_events()
        .into_iter()
        .filter(|e| {
            matches!(
                e,
                OrderEvent::OrderItemCompleted(_) | OrderEvent::OrderCompleted(_)
            ) && e.order_id() == support::orders::order_id(1)
        })
        .collect()
}

#[tokio::test]
async fn python_billing_decodes_order_item_completed_and_order_completed() {
    let env = RegistryEnv::new().await;
    let topic = env.topic::<OrderEventV1>();
    ensure_topic(&env.kafka, &topic, 1)
        .await
        .expect("order topic");
    let events = billing_events();
    assert_eq!(events.len(), 3, "two items completed, then the order");
    let producer: FutureProducer = env
        .kafka
        .idempotent_producer("contracts-interop")
        .create()
        .expect("producer");
    let mut contracts = Vec::new();
    for event in &events {
        let contract = OrderEventV1::from(event);
        let bytes = contract.encode(&env.codec, &topic).await.expect("encoded");
        let mut headers = OwnedHeaders::new();
        for (name, value) in contract.envelope().to_headers() {
            headers = headers.insert(Header {
                key: &name,
                value: Some(&value),
            });
        }
        producer
            .send(
                FutureRecord::to(&topic)
                    .key(contract.key())
                    .payload(&bytes)
                    .headers(headers),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| e)
            .expect("delivered");
        contracts.push(contract);
    }
    let output = script(vec![
        "consume-billing".into(),
        env.kafka.brokers.clone(),
        env.codec.registry_url().to_owned(),
        topic,
        events.len().to_string(),
    ])
    .await;
    let records: Vec<Value> = output
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(records.len(), 3);

    for (record, (event, contract)) in records.iter().zip(events.iter().zip(&contracts)) {
        let value = &record["value"];
        let envelope = &value["envelope"];
        assert_eq!(record["key"], event.aggregate_id());
        assert_eq!(record["headers"]["event_type"], event.event_type());
        assert_eq!(envelope["eventType"], event.event_type());
        assert_eq!(
            envelope["eventId"],
            contract.envelope().event_id.to_string()
        );
        assert_eq!(envelope["tenantId"], "tenant-a");
        assert_eq!(envelope["correlationId"], "corr-quote-q-1001");
        assert_eq!(value["orderId"], event.order_id().to_string());
        match event {
            OrderEvent::OrderItemCompleted(e) => {
                assert_eq!(
                    record["decimalTypes"],
                    serde_json::json!(["decimal.Decimal"])
                );
                assert_eq!(value["itemId"], e.item_id.to_string());
                assert_eq!(value["lineNumber"], i64::from(e.line_number));
                assert_eq!(value["quantity"], i64::from(e.quantity));
                assert_eq!(value["action"], serde_json::to_value(e.action).unwrap());
                assert_eq!(
                    value["assetEffect"],
                    serde_json::to_value(e.asset_effect).unwrap()
                );
                assert_eq!(value["billingAccountId"], "ba-3001");
                assert_eq!(
                    value["product"]["offeringId"],
                    e.product.offering_id.as_str()
                );
                assert_eq!(
                    value["product"]["offeringVersion"],
                    e.product.offering_version.unwrap()
                );
                assert_eq!(
                    value["product"]["offeringName"],
                    e.product.offering_name.as_deref().unwrap()
                );
                assert_eq!(
                    value["actualAssetId"].as_str(),
                    e.actual_asset_id
                        .as_ref()
                        .map(oms_domain::value::AssetId::as_str)
                );
                assert_eq!(
                    value["activationDate"],
                    e.activation_date.unwrap().to_string()
                );
                let price = &value["price"];
                assert_eq!(price["currency"], "IDR");
                assert_eq!(decimal(&price["total"]), e.price.total().amount());
                let components = price["components"].as_array().unwrap();
                assert_eq!(components.len(), e.price.components().len());
                for (sent, got) in e.price.components().iter().zip(components) {
                    assert_eq!(decimal(&got["amount"]), sent.amount.amount());
                    assert_eq!(got["kind"], serde_json::to_value(sent.kind).unwrap());
                    assert_eq!(
                        got["recurrencePeriod"].as_str(),
                        sent.recurrence_period.as_deref()
                    );
                    assert_eq!(got["description"], sent.description.as_str());
                }
            }
            OrderEvent::OrderCompleted(e) => {
                assert_eq!(value["orderNumber"], e.order_number.as_str());
                assert_eq!(value["billingAccountId"], "ba-3001");
                let ids = |v: &Value| -> Vec<String> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|i| i.as_str().unwrap().to_owned())
                        .collect()
                };
                let expected = |list: &[OrderItemId]| -> Vec<String> {
                    list.iter().map(ToString::to_string).collect()
                };
                assert_eq!(
                    ids(&value["completedItemIds"]),
                    expected(&e.completed_item_ids)
                );
                assert_eq!(ids(&value["waivedItemIds"]), expected(&e.waived_item_ids));
                assert_eq!(e.waived_item_ids.len(), 1, "the fixture waives the router");
            }
            other => panic!("unexpected {}", other.event_type()),
        }
    }
    // The fiber line's four-decimal amounts survive exactly.
    let fiber = &records[0]["value"]["price"];
    assert_eq!(fiber["total"], "1299.9900");
    let amounts: Vec<&str> = fiber["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["1234.5678", "-34.5678", "99.9900"]);
}
