//! QuoteAccepted through the broker (000 §27.2, 003 §12.4-12.5): one order per tenant +
//! quote + revision, released for decomposition; redeliveries and second events for the
//! revision create nothing; an invalid quote becomes a REJECTED order with its violations
//! and an `OrderRejected` event. Plus the independent client: Confluent's Python producer.

use chrono::{Days, NaiveDate, Utc};
use oms_contracts::QuoteEventV1;
use oms_contracts::quote::{
    CustomerRef, ItemAction, PriceComponent, PriceKind, QuoteAccepted, QuoteItem,
};
use oms_domain::OrderEvent;
use oms_messaging::EventContract as _;
use oms_test_support::eventually;
use rust_decimal_macros::dec;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use crate::support::{ACME, POLL, TIMEOUT, TestApp, spawn_app, types_of};

pub fn quote(quote_id: &str, revision: i32) -> QuoteAccepted {
    QuoteAccepted {
        event_id: uuid::Uuid::now_v7(),
        occurred_at: oms_messaging::envelope::truncate_to_millis(Utc::now()),
        tenant_id: ACME.to_owned(),
        correlation_id: Some(format!("corr-{quote_id}")),
        quote_id: quote_id.to_owned(),
        quote_revision: revision,
        quote_number: format!("Q-{quote_id}"),
        accepted_at: oms_messaging::envelope::truncate_to_millis(Utc::now()),
        valid_until: Utc::now().date_naive() + Days::new(30),
        sales_channel: "DIRECT_SALES".to_owned(),
        accepted_by: "contact-1".to_owned(),
        approval_ref: None,
        customer: CustomerRef {
            customer_id: "cust-1001".to_owned(),
            account_id: "acct-2001".to_owned(),
            billing_account_id: "ba-3001".to_owned(),
            display_name: None,
        },
        service_address: None,
        requested_start_date: None,
        currency: "EUR".to_owned(),
        price_list_ref: "pl-2026".to_owned(),
        contract_term_months: Some(24),
        items: vec![
            item("qi-1", 1, None, dec!(100.00)),
            item("qi-2", 2, Some("qi-1"), dec!(5.50)),
        ],
        configuration_hash: "cfg-hash-1".to_owned(),
        price_hash: "price-hash-1".to_owned(),
    }
}

fn item(id: &str, line: i32, parent: Option<&str>, amount: rust_decimal::Decimal) -> QuoteItem {
    QuoteItem {
        quote_item_id: id.to_owned(),
        line_number: line,
        parent_quote_item_id: parent.map(str::to_owned),
        action: ItemAction::Add,
        product_offering_id: format!("po-{id}"),
        product_offering_version: 4,
        product_offering_name: format!("Offering {id}"),
        quantity: 1,
        target_asset_id: None,
        configuration: BTreeMap::from([("bandwidth".to_owned(), "1Gbps".to_owned())]),
        price_components: vec![PriceComponent {
            kind: PriceKind::Recurring,
            amount,
            recurrence_period: Some("MONTHLY".to_owned()),
            description: "monthly".to_owned(),
        }],
        item_total: amount,
    }
}

/// The orders converted from `quote_id`, via the search API.
pub async fn orders_for_quote(app: &TestApp, quote_id: &str) -> Vec<Value> {
    let page: Value = app
        .acme()
        .get_ok(&format!("/api/v1/orders?quoteId={quote_id}"))
        .await
        .json()
        .await
        .unwrap();
    page["orders"].as_array().unwrap().clone()
}

pub async fn wait_for_order(app: &TestApp, quote_id: &str) -> Value {
    let found = eventually(TIMEOUT, POLL, || async {
        let orders = orders_for_quote(app, quote_id).await;
        (!orders.is_empty()).then_some(orders)
    })
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

async fn handled(app: &TestApp) -> i64 {
    app.count("select count(*) from inbox").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quote_accepted_becomes_one_order_whatever_the_redeliveries() {
    let app = spawn_app().await;
    app.register::<QuoteEventV1>().await;
    let accepted = QuoteEventV1::from(quote("q-100", 2));
    app.produce(&accepted).await;
    let summary = wait_for_order(&app, "q-100").await;
    let order_id = summary["orderId"].as_str().unwrap().to_owned();
    let order = app
        .order_until(&order_id, |o| o["releasedForDecomposition"] == true)
        .await;
    assert_eq!(order["state"], "VALIDATED");
    assert_eq!(order["captureMode"], "QUOTE_DERIVED");
    // The quote's snapshots are the order's: reconstructable without the quote.
    assert_eq!(order["header"]["source"]["quote"]["revision"], 2);
    assert_eq!(
        order["header"]["commercial"]["configurationHash"],
        "cfg-hash-1"
    );
    let total: rust_decimal::Decimal = order["header"]["commercial"]["orderTotal"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, dec!(105.50), "the wire keeps decimal(18,4)");
    assert_eq!(
        order["items"][1]["parentId"], order["items"][0]["id"],
        "hierarchy kept"
    );
    assert_eq!(order["items"][0]["clientItemRef"], "qi-1");
    assert_eq!(order["items"][0]["product"]["offeringVersion"], 4);
    assert_eq!(order["correlationId"], "corr-q-100");

    let events = app
        .order_events_until(|events| types_of(events, &order_id).len() >= 3)
        .await;
    assert_eq!(
        types_of(&events, &order_id),
        [
            "OrderCaptured",
            "OrderValidated",
            "OrderReleasedForDecomposition"
        ]
    );
    let released = OrderEvent::try_from(&events[2]).unwrap();
    assert!(matches!(
        released,
        OrderEvent::OrderReleasedForDecomposition(_)
    ));
    assert_eq!(events[2].envelope().correlation_id, "corr-q-100");
    assert_eq!(
        events[0].envelope().causation_id,
        Some(accepted.envelope().event_id.to_string())
    );

    // The same event three more times, then a second event for the same revision.
    for _ in 0..3 {
        app.produce(&accepted).await;
    }
    let second = QuoteEventV1::from(quote("q-100", 2));
    app.produce(&second).await;
    eventually(TIMEOUT, POLL, || async {
        (handled(&app).await == 2).then_some(())
    })
    .await;
    eventually(TIMEOUT, POLL, || async {
        let duplicates = app.acme().get_ok("/metrics").await.text().await.ok()?;
        duplicates
            .contains("oms_inbox_duplicates_total")
            .then_some(())
    })
    .await;
    assert_eq!(orders_for_quote(&app, "q-100").await.len(), 1);
    assert_eq!(app.count("select count(*) from orders").await, 1);
    assert_eq!(app.count("select count(*) from dead_letter").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_quote_becomes_a_rejected_order_with_its_violations() {
    let app = spawn_app().await;
    app.register::<QuoteEventV1>().await;
    let mut bad = quote("q-200", 1);
    bad.valid_until = NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
    bad.items[1].quantity = 0;
    bad.items[1].action = ItemAction::Modify;
    app.produce(&QuoteEventV1::from(bad)).await;
    let summary = wait_for_order(&app, "q-200").await;
    let order_id = summary["orderId"].as_str().unwrap().to_owned();
    let order = app.order(&order_id).await;
    assert_eq!(order["state"], "REJECTED");
    assert_eq!(order["customerStatus"]["code"], "REJECTED");
    let codes: Vec<&str> = order["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    for expected in ["QUOTE_EXPIRED", "QUANTITY_INVALID", "TARGET_ASSET_REQUIRED"] {
        assert!(codes.contains(&expected), "{codes:?}");
    }
    let events = app
        .order_events_until(|events| types_of(events, &order_id).len() >= 2)
        .await;
    assert_eq!(
        types_of(&events, &order_id),
        ["OrderCaptured", "OrderRejected"]
    );
    let OrderEvent::OrderRejected(rejected) = OrderEvent::try_from(&events[1]).unwrap() else {
        panic!("OrderRejected expected");
    };
    assert_eq!(rejected.quote_id.as_deref(), Some("q-200"));
    assert!(
        rejected
            .violations
            .iter()
            .any(|v| v.path == "quote.validUntil")
    );
    assert_eq!(
        app.count(
            "select count(*) from validation_log where source = 'QUOTE' and order_id is not null"
        )
        .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from dead_letter").await,
        0,
        "a rejection is not a dead letter"
    );
    assert_eq!(app.count("select count(*) from asset_in_flight").await, 0);
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_from_confluents_python_client_becomes_one_order_even_replayed() {
    let python = std::env::var_os("OMS_PYTHON").map_or_else(
        || workspace_root().join(".state/venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        python.exists(),
        "Python interpreter not found at {}: create it with `make pyenv` (python3 -m venv .state/venv && \
         .state/venv/bin/pip install -r tests/interop/requirements.txt) or set OMS_PYTHON",
        python.display()
    );
    let app = spawn_app().await;
    let script = workspace_root().join("tests/interop/cpq_quote_replay.py");
    let schema = workspace_root().join("schemas/cpq.quote.events.v1/QuoteAccepted.avsc");
    let args = [
        script.display().to_string(),
        app.kafka.brokers.clone(),
        oms_test_support::env::schema_registry_url(),
        app.topic(QuoteEventV1::TOPIC),
        schema.display().to_string(),
        "4".to_owned(),
    ];
    let output = tokio::task::spawn_blocking(move || Command::new(&python).args(&args).output())
        .await
        .unwrap()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sent: Value = serde_json::from_str(stdout.lines().last().unwrap()).expect("script summary");
    assert_eq!(sent["produced"], 4, "one event, sent four times");
    let quote_id = sent["quoteId"].as_str().unwrap().to_owned();
    let tenant_token = crate::support::ACME_WRITE;
    assert_eq!(
        sent["tenantId"], ACME,
        "the script produces for tenant acme ({tenant_token})"
    );
    let summary = wait_for_order(&app, &quote_id).await;
    let order = app
        .order_until(summary["orderId"].as_str().unwrap(), |o| {
            o["releasedForDecomposition"] == true
        })
        .await;
    assert_eq!(order["state"], "VALIDATED");
    assert_eq!(
        order["header"]["commercial"]["orderTotal"]["amount"],
        sent["orderTotal"]
    );
    eventually(TIMEOUT, POLL, || async {
        let metrics = app.acme().get_ok("/metrics").await.text().await.ok()?;
        metrics.contains("oms_inbox_duplicates_total").then_some(())
    })
    .await;
    assert_eq!(orders_for_quote(&app, &quote_id).await.len(), 1);
    assert_eq!(
        app.count("select count(*) from inbox").await,
        1,
        "one event id"
    );
}
