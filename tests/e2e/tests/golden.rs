//! Golden scenarios: the whole system, every service binary, the real broker, registry and
//! PostgreSQL, driven only through its public faces (QuoteAccepted on the CPQ topic, the HTTP
//! APIs, the order topic as billing reads it).

use oms_contracts::OrderEventV1;
use oms_e2e::{
    Service, ServiceStack, StackOptions,
    scenario::{Harness, SALES_TOKEN, party, support_order},
    spans,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::{collections::BTreeMap, time::Duration};

const SETTLE: Duration = Duration::from_secs(90);

/// Faster simulators than the local stack's defaults (the technician visit completes in 1 s).
fn options() -> StackOptions {
    StackOptions::default().with_env(
        Service::Fulfillment,
        "OMS_SIMULATORS__WORKFORCE_SCHEDULING__ASYNC_COMPLETION_MS",
        "1000",
    )
}

async fn harness() -> Harness {
    let stack = ServiceStack::start(&Service::ALL, options())
        .await
        .expect("stack started");
    Harness::new(stack).await.expect("harness")
}

fn items_by_offering(order: &Value) -> BTreeMap<String, Value> {
    order["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            let offering = item
                .pointer("/product/offeringId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (offering.to_owned(), item.clone())
        })
        .collect()
}

fn python() -> String {
    std::env::var("OMS_PYTHON").unwrap_or_else(|_| {
        oms_e2e::stack::workspace_root()
            .join(".state/venv/bin/python")
            .display()
            .to_string()
    })
}

/// Scenario 1 (new fiber bundle to OrderCompleted, assets, one OrderItemCompleted per item with
/// the right price), 7 (an independent billing consumer decodes every billing field, decimals
/// included) and 8 (one trace follows the order through every service).
#[tokio::test]
async fn fiber_bundle_is_fulfilled_billed_and_traced() {
    let harness = harness().await;
    let customer = party("bundle");
    let quote = harness
        .accept("fiber-bundle", &customer, None)
        .await
        .expect("published");
    let order_id = harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured");
    let order = harness
        .wait_for_state(&order_id, "COMPLETED", SETTLE)
        .await
        .expect("completed");

    // Every item completed; the three with an installed-base effect carry their new asset.
    let items = items_by_offering(&order);
    assert_eq!(items.len(), 4);
    for (offering, item) in &items {
        assert_eq!(item["state"], "COMPLETED", "{offering}");
    }
    for offering in [
        "po-fiber-internet-500m",
        "po-managed-router",
        "po-static-ip",
    ] {
        assert!(
            items[offering]["actualAssetId"].is_string(),
            "{offering} has its asset"
        );
    }
    let assets = harness
        .get(
            Service::Asset,
            &format!("/api/v1/assets?customerId={}", customer.customer_id),
        )
        .await
        .expect("assets");
    let assets = assets["items"].as_array().expect("asset list").clone();
    assert_eq!(
        assets.len(),
        3,
        "access, router and static IP are installed: {assets:#?}"
    );
    assert!(assets.iter().all(|a| a["status"] == "ACTIVE"));

    // Billing's view: exactly one OrderItemCompleted per item, with the quote's prices.
    let events = harness.order_events(&order_id).await.expect("order topic");
    let completed: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            OrderEventV1::OrderItemCompleted(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(completed.len(), 4, "one OrderItemCompleted per item");
    let quoted: BTreeMap<&str, Decimal> = quote
        .items
        .iter()
        .map(|i| (i.product_offering_id.as_str(), i.item_total))
        .collect();
    for item in &completed {
        assert_eq!(
            item.price.total,
            quoted[item.product.offering_id.as_str()],
            "{}",
            item.product.offering_id
        );
        assert_eq!(item.billing_account_id, customer.billing_account_id);
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, OrderEventV1::OrderCompleted(_)))
            .count(),
        1
    );

    // Scenario 7: Confluent's Python client reads the same events.
    let script = oms_e2e::stack::workspace_root().join("tests/interop/billing_consumer.py");
    let output = std::process::Command::new(python())
        .arg(&script)
        .arg(&harness.stack.kafka().brokers)
        .arg(oms_test_support::env::schema_registry_url())
        .arg(harness.stack.naming().name("oms.order.events.v1"))
        .arg(&order_id)
        .arg("4")
        .arg("60")
        .output()
        .expect("python billing consumer ran (create .state/venv with `make pyenv`)");
    assert!(
        output.status.success(),
        "billing consumer failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let python_items: Vec<&Value> = lines
        .iter()
        .filter(|l| l["eventType"] == "OrderItemCompleted")
        .collect();
    assert_eq!(python_items.len(), 4);
    for line in &python_items {
        let rust = completed
            .iter()
            .find(|c| c.item_id.to_string() == line["itemId"].as_str().unwrap_or_default())
            .expect("same item in both views");
        assert_eq!(
            line["total"],
            json!(rust.price.total.to_string()),
            "decimal total"
        );
        assert_eq!(line["currency"], "EUR");
        assert_eq!(line["billingAccountId"], json!(customer.billing_account_id));
        assert_eq!(
            line["decimalTypes"],
            json!(["Decimal"]),
            "decimals decode as decimal.Decimal"
        );
        assert_eq!(
            line["components"].as_array().map(Vec::len),
            Some(rust.price.components.len())
        );
    }
    assert!(lines.iter().any(|l| l["eventType"] == "OrderCompleted"));

    // Scenario 8: stop the services (they flush their spans) and follow the order's trace.
    let span_file = harness.stack.span_file();
    harness.stack.shutdown().await;
    let spans = spans::read(&span_file).expect("spans");
    let traces = spans::traces_with(&spans, "aggregate_id", &order_id);
    let by_trace = spans::services_by_trace(&spans);
    let widest = traces
        .iter()
        .map(|t| (t, &by_trace[t]))
        .max_by_key(|(_, services)| services.len())
        .expect("spans of the order");
    for service in Service::ALL {
        assert!(
            widest.1.contains(service.name()),
            "trace {} misses {}: it has {:?} (all traces of the order: {traces:?})",
            widest.0,
            service.name(),
            widest.1
        );
    }
}

/// Scenario 2 (a speed upgrade MODIFYs the access asset; a MODIFY of an unknown or foreign
/// asset is rejected before any task runs) and 3 (a disconnect terminates the asset).
#[tokio::test]
async fn speed_upgrade_and_disconnect_change_the_installed_base() {
    let harness = harness().await;
    let customer = party("upgrade");
    let quote = harness
        .accept("fiber-bundle", &customer, None)
        .await
        .expect("published");
    let bundle = harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured");
    let bundle = harness
        .wait_for_state(&bundle, "COMPLETED", SETTLE)
        .await
        .expect("bundle");
    let access = items_by_offering(&bundle)["po-fiber-internet-500m"]["actualAssetId"]
        .as_str()
        .expect("access asset")
        .to_owned();

    // Upgrade to 1 Gbps.
    let upgrade = harness
        .accept("speed-upgrade", &customer, Some(&access))
        .await
        .expect("published");
    let upgrade = harness
        .order_for_quote(&upgrade.quote_id)
        .await
        .expect("captured");
    harness
        .wait_for_state(&upgrade, "COMPLETED", SETTLE)
        .await
        .expect("upgrade");
    let asset = harness
        .get(Service::Asset, &format!("/api/v1/assets/{access}"))
        .await
        .expect("asset");
    assert_eq!(
        asset.pointer("/configuration/bandwidth"),
        Some(&json!("1Gbps")),
        "{asset:#}"
    );
    assert_eq!(asset.pointer("/status"), Some(&json!("ACTIVE")));

    // A MODIFY of an asset that does not exist, and of another customer's asset, are rejected.
    for (who, asset_id) in [
        (customer.clone(), "asset-that-does-not-exist".to_owned()),
        (party("stranger"), access.clone()),
    ] {
        let quote = harness
            .accept("speed-upgrade", &who, Some(&asset_id))
            .await
            .expect("published");
        let order = harness
            .order_for_quote(&quote.quote_id)
            .await
            .expect("captured");
        let order = harness
            .wait_for_state(&order, "REJECTED", SETTLE)
            .await
            .expect("rejected");
        let codes: Vec<&str> = order["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter_map(|v| v["code"].as_str())
            .collect();
        assert!(
            codes
                .iter()
                .any(|c| matches!(*c, "ASSET_NOT_FOUND" | "ASSET_NOT_OWNED_BY_CUSTOMER")),
            "{codes:?}"
        );
        let order_id = order["orderId"].as_str().expect("id");
        let (status, _) = harness
            .get_any(
                Service::Fulfillment,
                &format!("/api/v1/fulfillment/{order_id}"),
            )
            .await
            .expect("fulfillment answered");
        assert_eq!(status, 404, "no task ran for a rejected order");
    }

    // Disconnect.
    let disconnect = harness
        .accept("disconnect", &customer, Some(&access))
        .await
        .expect("published");
    let disconnect = harness
        .order_for_quote(&disconnect.quote_id)
        .await
        .expect("captured");
    harness
        .wait_for_state(&disconnect, "COMPLETED", SETTLE)
        .await
        .expect("disconnect");
    let asset = harness
        .get(Service::Asset, &format!("/api/v1/assets/{access}"))
        .await
        .expect("asset");
    assert_eq!(
        asset.pointer("/status"),
        Some(&json!("TERMINATED")),
        "{asset:#}"
    );
    harness.stack.shutdown().await;
}

/// Scenario 4: an offering with no decomposition rule ends in FALLOUT with
/// DECOMPOSITION_RULE_MISSING, visible through the API with its remediation.
#[tokio::test]
async fn an_unmapped_offering_ends_in_fallout_with_a_remediation() {
    let harness = harness().await;
    let quote = harness
        .accept("unmapped", &party("unmapped"), None)
        .await
        .expect("published");
    let order_id = harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured");
    let order = harness
        .wait_for_state(&order_id, "FALLOUT", SETTLE)
        .await
        .expect("fallout");
    let fallout = order["fallout"].to_string();
    assert!(fallout.contains("DECOMPOSITION_RULE_MISSING"), "{fallout}");
    let plan = harness
        .get(Service::Decomposition, &format!("/api/v1/plans/{order_id}"))
        .await
        .expect("decomposition shows the failure");
    let plan = plan.to_string();
    assert!(plan.contains("DECOMPOSITION_RULE_MISSING"), "{plan}");
    assert!(
        plan.to_lowercase().contains("catalog"),
        "the remediation names the fix: {plan}"
    );
    harness.stack.shutdown().await;
}

/// Scenario 6: a blocking credit hold placed before release keeps the order out of
/// decomposition and fulfillment until it is released.
#[tokio::test]
async fn a_credit_hold_keeps_the_order_out_of_fulfillment_until_released() {
    let harness = harness().await;
    let sales = Harness::api_for(&harness.stack, SALES_TOKEN).expect("api");
    let customer = party("hold");
    let (status, captured) = harness
        .capture("/api/v1/orders", &support_order(&customer, true))
        .await
        .expect("capture");
    assert_eq!(status, 201, "{captured:#}");
    let order_id = captured["orderId"].as_str().expect("id").to_owned();
    let hold_id = captured["holds"][0]["id"]
        .as_str()
        .expect("hold id")
        .to_owned();

    // Held: validated, but neither decomposed nor fulfilled while the hold is active.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let order = harness.order(&order_id).await.expect("order");
    assert_eq!(order["state"], "VALIDATED");
    assert_eq!(order["customerStatus"]["code"], "ACTION_REQUIRED");
    let (status, _) = harness
        .get_any(Service::Decomposition, &format!("/api/v1/plans/{order_id}"))
        .await
        .expect("decomposition answered");
    assert_eq!(status, 404, "not released to decomposition");
    let (status, _) = harness
        .get_any(
            Service::Fulfillment,
            &format!("/api/v1/fulfillment/{order_id}"),
        )
        .await
        .expect("fulfillment answered");
    assert_eq!(status, 404, "no fulfillment while held");

    // Released with actor and reason: the order continues to completion.
    let (status, released) = sales
        .post(
            &harness.stack.url(Service::OrderCapture),
            &format!("/api/v1/orders/{order_id}/holds/{hold_id}/release"),
            &json!({ "reason": "credit approved by finance" }),
        )
        .await
        .expect("release");
    assert_eq!(status, 200, "{released:#}");
    harness
        .wait_for_state(&order_id, "COMPLETED", SETTLE)
        .await
        .expect("completed");
    let history = harness
        .get(
            Service::OrderCapture,
            &format!("/api/v1/orders/{order_id}/history"),
        )
        .await
        .expect("history");
    assert!(
        history.to_string().contains("credit approved by finance"),
        "the release is audited"
    );
    harness.stack.shutdown().await;
}

/// The task of `order_id` of type `task_type`, from fulfillment's view.
async fn task(harness: &Harness, order_id: &str, task_type: &str) -> Value {
    let view = harness
        .get(
            Service::Fulfillment,
            &format!("/api/v1/fulfillment/{order_id}"),
        )
        .await
        .expect("fulfillment view");
    view["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["taskType"] == task_type)
        .cloned()
        .unwrap_or_else(|| panic!("no {task_type} task in {view:#}"))
}

/// Scenario 5: a transient downstream failure is retried to success; a permanent one raises
/// fallout, and an operator retry after the downstream system is repaired completes the order.
#[tokio::test]
async fn downstream_failures_are_retried_or_fall_out_and_an_operator_retry_completes() {
    let options = options()
        .with_env(
            Service::Fulfillment,
            "OMS_ENGINE__BACKOFF_INITIAL_MS",
            "100",
        )
        .with_env(Service::Fulfillment, "OMS_ENGINE__BACKOFF_MAX_MS", "400")
        .with_env(Service::Fulfillment, "OMS_ENGINE__MAX_ATTEMPTS", "4");
    let stack = ServiceStack::start(&Service::ALL, options)
        .await
        .expect("stack started");
    let harness = Harness::new(stack).await.expect("harness");
    let fulfillment = harness.stack.url(Service::Fulfillment);

    // Transient: the inventory fails the port reservation twice, the third attempt succeeds.
    let (status, body) = harness
        .api
        .put(
            &fulfillment,
            "/api/v1/simulators/INVENTORY/faults/RESERVE_ACCESS_PORT",
            &json!({ "mode": "TRANSIENT", "count": 2 }),
        )
        .await
        .expect("fault set");
    assert!(status.is_success(), "{status} {body}");
    let quote = harness
        .accept("fiber-bundle", &party("transient"), None)
        .await
        .expect("published");
    let order_id = harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured");
    harness
        .wait_for_state(&order_id, "COMPLETED", SETTLE)
        .await
        .expect("completed after retries");
    let reserve = task(&harness, &order_id, "RESERVE_ACCESS_PORT").await;
    assert_eq!(reserve["state"], "SUCCEEDED");
    assert_eq!(
        reserve["attempt"], 3,
        "two transient failures, then success: {reserve:#}"
    );
    let (_, _) = harness
        .api
        .delete(
            &fulfillment,
            "/api/v1/simulators/INVENTORY/faults/RESERVE_ACCESS_PORT",
        )
        .await
        .expect("fault cleared");

    // Permanent: network provisioning rejects the activation; the order falls out.
    let (status, body) = harness
        .api
        .put(
            &fulfillment,
            "/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE",
            &json!({ "mode": "PERMANENT" }),
        )
        .await
        .expect("fault set");
    assert!(status.is_success(), "{status} {body}");
    let quote = harness
        .accept("fiber-bundle", &party("permanent"), None)
        .await
        .expect("published");
    let order_id = harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured");
    let order = harness
        .wait_for_state(&order_id, "FALLOUT", SETTLE)
        .await
        .expect("fallout");
    assert!(
        order["fallout"].to_string().contains("SIMULATED_REJECTION"),
        "{:#}",
        order["fallout"]
    );
    let fallouts = harness
        .get(Service::Fulfillment, "/api/v1/fallouts?status=OPEN")
        .await
        .expect("fallout list");
    assert!(
        fallouts.to_string().contains(&order_id),
        "the case is listed for operations: {fallouts:#}"
    );

    // Repair the downstream system, then an operator retries the fallen-out task(s).
    harness
        .api
        .delete(
            &fulfillment,
            "/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE",
        )
        .await
        .expect("repaired");
    let view = harness
        .get(
            Service::Fulfillment,
            &format!("/api/v1/fulfillment/{order_id}"),
        )
        .await
        .expect("view");
    let fallen: Vec<String> = view["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["state"] == "FALLOUT")
        .filter_map(|t| t["taskId"].as_str().map(str::to_owned))
        .collect();
    assert!(!fallen.is_empty(), "{view:#}");
    for task_id in &fallen {
        let (status, body) = harness
            .api
            .post(
                &fulfillment,
                &format!("/api/v1/fulfillment/{order_id}/tasks/{task_id}/retry"),
                &json!({ "reason": "service profile fixed in the OSS" }),
            )
            .await
            .expect("retry");
        assert!(status.is_success(), "{status} {body}");
    }
    harness
        .wait_for_state(&order_id, "COMPLETED", SETTLE)
        .await
        .expect("completed after the retry");
    let view = harness
        .get(
            Service::Fulfillment,
            &format!("/api/v1/fulfillment/{order_id}"),
        )
        .await
        .expect("view");
    assert!(
        view["audit"]
            .to_string()
            .contains("service profile fixed in the OSS"),
        "the retry is audited"
    );
    harness.stack.shutdown().await;
}
