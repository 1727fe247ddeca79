//! The read side end to end: every service binary, the real broker, registry and PostgreSQL.
//!
//! 1. The operations dashboard in a headless Chromium (tests/browser/dashboard.py, Playwright):
//!    an order placed with the CPQ simulator appears, progresses and completes on the page; a
//!    fallout order appears in the fallout queue and an operator retry from the page clears it.
//! 2. A mixed run of the golden scenarios, then the read API (summary with filters and cursor
//!    paging, timeline in causal order, fallout queue with its actions, stuck orders, flow,
//!    lag, tenant isolation, OpenAPI), then `oms-projections rebuild`: the replayed read model
//!    is byte-identical to the live one.

use oms_e2e::{
    Service, ServiceStack, StackOptions,
    scenario::{GLOBEX_TOKEN, Harness, SALES_TOKEN, party, support_order},
};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const SETTLE: Duration = Duration::from_secs(90);

fn options() -> StackOptions {
    StackOptions::default()
        .with_env(
            Service::Fulfillment,
            "OMS_ENGINE__BACKOFF_INITIAL_MS",
            "100",
        )
        .with_env(Service::Fulfillment, "OMS_ENGINE__BACKOFF_MAX_MS", "400")
        .with_env(Service::Fulfillment, "OMS_ENGINE__MAX_ATTEMPTS", "4")
        // An order that cannot be decomposed is "stuck" after 5 s without an event.
        .with_env(
            Service::Projections,
            "OMS_PROJECTIONS__STUCK_AFTER_SECONDS__FALLOUT",
            "5",
        )
}

fn binary(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || oms_e2e::stack::workspace_root().join("target"),
        PathBuf::from,
    );
    target.join("debug").join(name)
}

fn python() -> String {
    std::env::var("OMS_PYTHON").unwrap_or_else(|_| {
        oms_e2e::stack::workspace_root()
            .join(".state/venv/bin/python")
            .display()
            .to_string()
    })
}

/// Scenario: the dashboard in a real browser.
#[tokio::test]
async fn dashboard_shows_orders_live_and_an_operator_retry_clears_fallout() {
    // The technician visit takes 4 s, so the order is visibly in progress for a while.
    let options = options().with_env(
        Service::Fulfillment,
        "OMS_SIMULATORS__WORKFORCE_SCHEDULING__ASYNC_COMPLETION_MS",
        "4000",
    );
    let stack = ServiceStack::start(&Service::ALL, options)
        .await
        .expect("stack started");
    let screenshots = std::env::var_os("OMS_DASHBOARD_SCREENSHOTS").map_or_else(
        || {
            stack
                .span_file()
                .parent()
                .expect("run dir")
                .join("screenshots")
        },
        PathBuf::from,
    );
    std::fs::create_dir_all(&screenshots).expect("screenshot dir");
    let script = oms_e2e::stack::workspace_root().join("tests/browser/dashboard.py");
    let output = tokio::process::Command::new(python())
        .arg(&script)
        .args(["--dashboard", &stack.url(Service::Projections)])
        .args(["--token", oms_e2e::scenario::OPERATOR_TOKEN])
        .arg("--omsctl")
        .arg(binary("omsctl"))
        .args(["--brokers", &stack.kafka().brokers])
        .args(["--registry", &oms_test_support::env::schema_registry_url()])
        .args(["--prefix", stack.naming().prefix()])
        .args(["--fulfillment", &stack.url(Service::Fulfillment)])
        .arg("--screenshots")
        .arg(&screenshots)
        .output()
        .await
        .expect("the browser test ran (create .state/venv with `make pyenv`)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed:\n{stderr}\nlogs: {}",
        stack.log(Service::Projections).display()
    );
    let result: Value = serde_json::from_slice(
        output
            .stdout
            .split(|b| *b == b'\n')
            .rfind(|line| !line.is_empty())
            .unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("result line: {e}\n{stderr}"));
    assert!(
        result["timelineEvents"].as_u64().unwrap_or(0) > 10,
        "{result}"
    );
    assert!(result["retries"].as_u64().unwrap_or(0) >= 1, "{result}");
    stack.shutdown().await;
}

async fn projections(harness: &Harness, path: &str) -> Value {
    harness
        .get(Service::Projections, path)
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// Waits until `check` holds for the projections API's answer at `path`.
async fn until(harness: &Harness, path: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + SETTLE;
    loop {
        let body = harness
            .get_any(Service::Projections, path)
            .await
            .map_or(Value::Null, |(_, body)| body);
        if check(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{what}: last seen {body:#}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The projection's group has read everything (and is on `generation`).
async fn caught_up(harness: &Harness, generation: i64) -> Value {
    until(harness, "/api/v1/flow/lag", "projection caught up", |lag| {
        lag["generation"] == generation
            && lag["groups"].as_array().is_some_and(|groups| {
                groups.iter().any(|g| {
                    g["service"] == "projections"
                        && g["error"].is_null()
                        && g["totalLag"] == 0
                        && g["partitions"].as_array().is_some_and(|p| {
                            p.len() == 4 && p.iter().all(|p| !p["committed"].is_null())
                        })
                })
            })
    })
    .await
}

async fn tool(stack: &ServiceStack, command: &str) -> String {
    let output = tokio::process::Command::new(binary("oms-projections"))
        .arg(command)
        .current_dir(oms_e2e::stack::workspace_root())
        .env(
            "OMS_CONFIG_FILE",
            oms_e2e::stack::workspace_root().join("deploy/local/projections.toml"),
        )
        .env(
            "OMS_DATABASE__URL",
            stack.database_url(Service::Projections),
        )
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("oms-projections ran");
    assert!(
        output.status.success(),
        "oms-projections {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

async fn place(harness: &Harness, sample: &str, tag: &str, asset: Option<&str>) -> String {
    place_for(harness, sample, &party(tag), asset).await
}

async fn place_for(
    harness: &Harness,
    sample: &str,
    who: &oms_omsctl::samples::Party,
    asset: Option<&str>,
) -> String {
    let quote = harness.accept(sample, who, asset).await.expect("published");
    harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured")
}

async fn held_direct_order(harness: &Harness) -> (String, String) {
    let customer = party("held");
    let (_, captured) = harness
        .capture("/api/v1/orders", &support_order(&customer, true))
        .await
        .expect("capture");
    (
        captured["orderId"].as_str().expect("id").to_owned(),
        captured["holds"][0]["id"]
            .as_str()
            .expect("hold")
            .to_owned(),
    )
}

/// Scenario: golden scenarios mixed, the read API, and a byte-identical rebuild.
#[tokio::test]
async fn a_rebuild_reproduces_the_read_model_byte_for_byte() {
    let stack = ServiceStack::start(&Service::ALL, options())
        .await
        .expect("stack started");
    let harness = Harness::new(stack).await.expect("harness");
    let fulfillment = harness.stack.url(Service::Fulfillment);
    let capture = harness.stack.url(Service::OrderCapture);

    // Phase 1, side by side: a bundle, an unmapped offering, an invalid quote, a held order.
    let customer = party("bundle");
    let (bundle, unmapped, rejected, (held, hold_id)) = tokio::join!(
        place_for(&harness, "fiber-bundle", &customer, None),
        place(&harness, "unmapped", "unmapped", None),
        place(&harness, "invalid", "invalid", None),
        held_direct_order(&harness),
    );
    let bundle_order = harness
        .wait_for_state(&bundle, "COMPLETED", SETTLE)
        .await
        .expect("bundle completed");
    harness
        .wait_for_state(&unmapped, "FALLOUT", SETTLE)
        .await
        .expect("unmapped in fallout");
    harness
        .wait_for_state(&rejected, "REJECTED", SETTLE)
        .await
        .expect("invalid rejected");
    harness
        .wait_for_state(&held, "VALIDATED", SETTLE)
        .await
        .expect("held validated");
    let (status, body) = harness
        .api
        .post(
            &capture,
            &format!("/api/v1/orders/{held}/holds/{hold_id}/release"),
            &json!({ "reason": "credit approved by finance" }),
        )
        .await
        .expect("release");
    assert_eq!(status, 200, "{body}");

    // Phase 2: the access asset is upgraded, then disconnected.
    let access = bundle_order["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i.pointer("/product/offeringId") == Some(&json!("po-fiber-internet-500m")))
        .and_then(|i| i["actualAssetId"].as_str())
        .expect("access asset")
        .to_owned();
    let upgrade = place_for(&harness, "speed-upgrade", &customer, Some(&access)).await;
    harness
        .wait_for_state(&upgrade, "COMPLETED", SETTLE)
        .await
        .expect("upgrade");
    let disconnect = place_for(&harness, "disconnect", &customer, Some(&access)).await;
    harness
        .wait_for_state(&disconnect, "COMPLETED", SETTLE)
        .await
        .expect("disconnect");
    harness
        .wait_for_state(&held, "COMPLETED", SETTLE)
        .await
        .expect("held order completed after the release");

    // Phase 3: the port reservation fails twice (retried), the activation for good (fallout);
    // repaired downstream, an operator retries the task.
    for (fault, mode) in [
        (
            "/api/v1/simulators/INVENTORY/faults/RESERVE_ACCESS_PORT",
            json!({ "mode": "TRANSIENT", "count": 2 }),
        ),
        (
            "/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE",
            json!({ "mode": "PERMANENT" }),
        ),
    ] {
        let (status, body) = harness
            .api
            .put(&fulfillment, fault, &mode)
            .await
            .expect("fault");
        assert!(status.is_success(), "{status} {body}");
    }
    let repaired = place(&harness, "fiber-bundle", "repaired", None).await;
    harness
        .wait_for_state(&repaired, "FALLOUT", SETTLE)
        .await
        .expect("fallout");
    for fault in [
        "/api/v1/simulators/INVENTORY/faults/RESERVE_ACCESS_PORT",
        "/api/v1/simulators/NETWORK_PROVISIONING/faults/ACTIVATE_SERVICE",
    ] {
        harness
            .api
            .delete(&fulfillment, fault)
            .await
            .expect("repaired");
    }
    let queue = until(
        &harness,
        "/api/v1/fallouts?category=FULFILLMENT",
        "the task fallout in the queue",
        |q| q.to_string().contains(&repaired),
    )
    .await;
    for case in queue["items"].as_array().expect("items") {
        if case["orderId"] != json!(repaired) {
            continue;
        }
        let retry = case["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .find(|a| a["id"] == "retry-task")
            .expect("a retry action");
        assert_eq!(retry["service"], "fulfillment");
        let (status, body) = harness
            .api
            .post(
                &fulfillment,
                retry["path"].as_str().expect("path"),
                &json!({ "reason": "service profile fixed in the OSS" }),
            )
            .await
            .expect("retry");
        assert!(status.is_success(), "{status} {body}");
    }
    harness
        .wait_for_state(&repaired, "COMPLETED", SETTLE)
        .await
        .expect("completed after the retry");

    // The read side has everything.
    let lag = caught_up(&harness, 1).await;
    let services: BTreeSet<&str> = lag["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["service"].as_str())
        .collect();
    assert_eq!(
        services,
        BTreeSet::from([
            "asset",
            "decomposition",
            "fulfillment",
            "order-capture",
            "projections"
        ])
    );
    until(
        &harness,
        &format!("/api/v1/orders/{repaired}"),
        "repaired order projected",
        |o| o.pointer("/summary/state") == Some(&json!("COMPLETED")),
    )
    .await;
    let dead = projections(&harness, "/ops/dead-letters").await;
    assert_eq!(
        dead["deadLetters"],
        json!([]),
        "every event of the run projects"
    );

    // The summary of the bundle.
    let page = projections(
        &harness,
        &format!("/api/v1/orders?customerId={}", customer.customer_id),
    )
    .await;
    let summary = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["orderId"] == json!(bundle))
        .expect("the bundle is listed")
        .clone();
    assert_eq!(summary["state"], "COMPLETED");
    assert_eq!(summary["customerStatus"]["code"], "COMPLETED");
    assert_eq!(
        summary["items"],
        json!({ "total": 4, "byState": { "COMPLETED": 4 } })
    );
    for milestone in ["VALIDATED", "DECOMPOSED", "IN_PROGRESS", "COMPLETED"] {
        assert!(summary["milestones"][milestone].is_string(), "{summary:#}");
    }
    assert!(summary["orderTotal"].is_string());

    // Cursor paging over every acme order: no gaps, no repeats, newest first.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = projections(&harness, &format!("/api/v1/orders?limit=2{cursor}")).await;
        let items = page["items"].as_array().expect("items");
        seen.extend(items.iter().map(|o| {
            (
                o["capturedAt"].as_str().unwrap_or_default().to_owned(),
                o["orderId"].as_str().unwrap_or_default().to_owned(),
            )
        }));
        match page["nextCursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let ids: BTreeSet<&String> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), seen.len(), "a page repeated an order");
    for order in [
        &bundle,
        &unmapped,
        &rejected,
        &held,
        &upgrade,
        &disconnect,
        &repaired,
    ] {
        assert!(ids.contains(order), "{order} missing from the pages");
    }
    assert!(seen.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let fallen = projections(&harness, "/api/v1/orders?state=FALLOUT&fallout=true").await;
    assert!(fallen.to_string().contains(&unmapped));
    let bad = harness
        .get_any(Service::Projections, "/api/v1/orders?state=NOPE&cursor=x")
        .await
        .expect("answered");
    assert_eq!(bad.0, 400);
    assert_eq!(bad.1["code"], "INVALID_QUERY");

    // The bundle's timeline: every service, causal order.
    let timeline = projections(&harness, &format!("/api/v1/orders/{bundle}/timeline")).await;
    let events = timeline["events"].as_array().expect("events");
    assert_eq!(
        events.first().map(|e| &e["eventType"]),
        Some(&json!("OrderCaptured"))
    );
    assert_eq!(
        events.last().map(|e| &e["eventType"]),
        Some(&json!("OrderCompleted"))
    );
    let mut last_version = 0;
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event["position"], json!(i + 1));
        if let Some(cause) = event["causedBy"].as_u64() {
            assert!(
                cause < (i + 1) as u64,
                "an effect before its cause: {event:#}"
            );
        }
        if let Some(version) = event["orderVersion"].as_i64() {
            assert!(version > last_version, "order versions out of order");
            last_version = version;
        }
        assert!(event["actor"]["id"].is_string() && event["correlationId"].is_string());
    }
    let writers: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| e["service"].as_str())
        .collect();
    assert_eq!(
        writers,
        BTreeSet::from(["asset", "decomposition", "fulfillment", "order-capture"])
    );
    assert!(events.iter().any(|e| e["traceId"].is_string()));

    // Fallout queue, order page, stuck orders, throughput.
    let queue = projections(&harness, "/api/v1/fallouts").await;
    let case = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["orderId"] == json!(unmapped))
        .expect("the unmapped order's case is open")
        .clone();
    assert_eq!(case["category"], "DECOMPOSITION");
    assert_eq!(case["code"], "DECOMPOSITION_RULE_MISSING");
    assert_eq!(case["actions"][0]["id"], "repair-resume");
    assert_eq!(case["actions"][0]["service"], "order-capture");
    assert!(
        !queue.to_string().contains(&repaired),
        "the retried case is closed"
    );
    let detail = projections(&harness, &format!("/api/v1/orders/{repaired}")).await;
    assert!(
        detail["fallouts"]
            .as_array()
            .is_some_and(|c| !c.is_empty() && c.iter().all(|c| c["status"] == "CLOSED")),
        "{:#}",
        detail["fallouts"]
    );
    assert!(
        detail["plan"]["tasks"]
            .as_array()
            .is_some_and(|t| { !t.is_empty() && t.iter().all(|t| t["status"] == "SUCCEEDED") })
    );
    let held_detail = projections(&harness, &format!("/api/v1/orders/{held}")).await;
    assert_eq!(held_detail["holds"][0]["active"], false);
    assert_eq!(
        held_detail["holds"][0]["releaseReason"],
        "credit approved by finance"
    );
    let stuck = until(
        &harness,
        "/api/v1/stuck-orders",
        "the unmapped order stuck",
        |s| s.to_string().contains(&unmapped),
    )
    .await;
    assert!(
        stuck
            .to_string()
            .contains("an operator to repair the fallout")
    );
    let flow = projections(&harness, "/api/v1/flow/throughput?minutes=30").await;
    assert!(flow["captured"].as_i64().unwrap_or(0) >= 7, "{flow:#}");
    assert!(flow["completed"].as_i64().unwrap_or(0) >= 5, "{flow:#}");
    assert_eq!(flow["minutes"].as_array().map(Vec::len), Some(30));

    // Tenants, scopes, the open OpenAPI document.
    let globex = Harness::api_for(&harness.stack, GLOBEX_TOKEN).expect("api");
    let base = harness.stack.url(Service::Projections);
    let other = globex
        .get(&base, &format!("/api/v1/orders/{bundle}"))
        .await
        .expect("answered");
    assert!(
        matches!(other, oms_omsctl::api::Fetched::Missing(s, _) if s == 404),
        "another tenant's order is 404: {other:?}"
    );
    match globex.get(&base, "/api/v1/orders").await.expect("answered") {
        oms_omsctl::api::Fetched::Found(page) => assert_eq!(page["items"], json!([])),
        other @ oms_omsctl::api::Fetched::Missing(..) => panic!("{other:?}"),
    }
    let sales = Harness::api_for(&harness.stack, SALES_TOKEN).expect("api");
    assert!(matches!(
        sales.get(&base, "/api/v1/flow/lag").await.expect("answered"),
        oms_omsctl::api::Fetched::Missing(s, _) if s == 403
    ));
    let (status, body) = sales
        .post(&base, "/ops/rebuild", &json!({}))
        .await
        .expect("answered");
    assert_eq!(
        status, 403,
        "only operators with projections:rebuild may rebuild: {body}"
    );
    let anonymous = reqwest::get(format!("{base}/api/v1/orders"))
        .await
        .expect("answered");
    assert_eq!(anonymous.status(), 401);
    let document: Value = reqwest::get(format!("{base}/api/v1/openapi.json"))
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    assert!(
        document
            .pointer("/paths/~1api~1v1~1orders~1{orderId}~1timeline")
            .is_some()
    );

    // The rebuild: drop, replay every topic, compare.
    let live = tool(&harness.stack, "dump").await;
    assert!(live.lines().count() > 100, "the dump holds the read model");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        tool(&harness.stack, "dump").await,
        live,
        "the live model is settled"
    );
    let said = tool(&harness.stack, "rebuild").await;
    assert!(said.contains("generation 2"), "{said}");
    caught_up(&harness, 2).await;
    let rebuilt = tool(&harness.stack, "dump").await;
    if rebuilt != live {
        let live_lines: BTreeSet<&str> = live.lines().collect();
        let rebuilt_lines: BTreeSet<&str> = rebuilt.lines().collect();
        let only_live: Vec<_> = live_lines.difference(&rebuilt_lines).take(5).collect();
        let only_rebuilt: Vec<_> = rebuilt_lines.difference(&live_lines).take(5).collect();
        panic!(
            "the rebuilt read model differs ({} vs {} lines)\nonly live: {only_live:#?}\nonly rebuilt: {only_rebuilt:#?}",
            live.lines().count(),
            rebuilt.lines().count()
        );
    }
    harness.stack.shutdown().await;
}
