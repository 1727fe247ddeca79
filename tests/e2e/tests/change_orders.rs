//! Change orders (source document 004, ADR 0008) through the whole system: cancellations
//! before release, in flight with a compensation plan, and past the point of no return;
//! amendments re-planned on a running plan and refused past the point of no return;
//! supplemental orders; two orders on one asset. Every request goes through the public API
//! (the `omsctl` client), every check reads the services' APIs, databases or the order topic.
//!
//! Each dry run is compared with what the real request then did.

use oms_contracts::OrderEventV1;
use oms_e2e::{
    Service, ServiceStack, StackOptions,
    scenario::{Harness, party, support_order},
};
use oms_omsctl::change::{self, Amendment, Cancellation, Kind};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const SETTLE: Duration = Duration::from_secs(90);

fn base_options() -> StackOptions {
    StackOptions::default()
        .with_env(
            Service::Fulfillment,
            "OMS_ENGINE__BACKOFF_INITIAL_MS",
            "100",
        )
        .with_env(Service::Fulfillment, "OMS_ENGINE__BACKOFF_MAX_MS", "400")
        .with_env(Service::Fulfillment, "OMS_ENGINE__MAX_ATTEMPTS", "3")
}

async fn harness(options: StackOptions) -> Harness {
    let stack = ServiceStack::start(&Service::ALL, options)
        .await
        .expect("stack started");
    Harness::new(stack).await.expect("harness")
}

/// The id of the order's item of `offering`.
fn item_of(order: &Value, offering: &str) -> String {
    order["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i.pointer("/product/offeringId") == Some(&json!(offering)))
        .and_then(|i| i["id"].as_str())
        .unwrap_or_else(|| panic!("no {offering} item in {order:#}"))
        .to_owned()
}

fn item_state(order: &Value, item_id: &str) -> Value {
    order["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == item_id)
        .map_or(Value::Null, |i| i["state"].clone())
}

async fn fulfillment(harness: &Harness, order_id: &str) -> Value {
    harness
        .get(
            Service::Fulfillment,
            &format!("/api/v1/fulfillment/{order_id}"),
        )
        .await
        .expect("fulfillment view")
}

fn tasks_of(view: &Value, task_type: &str) -> Vec<Value> {
    view["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["taskType"] == task_type)
        .cloned()
        .collect()
}

/// Polls `what` (on the fulfillment view of `order_id`) until it holds.
async fn wait_for_view(
    harness: &Harness,
    order_id: &str,
    what: &str,
    test: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + SETTLE;
    loop {
        let view = fulfillment(harness, order_id).await;
        if test(&view) {
            return view;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {SETTLE:?}: {view:#}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Polls the order until `test` holds.
async fn wait_for_order(
    harness: &Harness,
    order_id: &str,
    what: &str,
    test: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + SETTLE;
    loop {
        let order = harness.order(order_id).await.expect("order");
        if test(&order) {
            return order;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {SETTLE:?}: {order:#}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn wait_for_request(
    harness: &Harness,
    kind: Kind,
    order_id: &str,
    request_id: &str,
    status: &str,
) -> Value {
    let deadline = Instant::now() + SETTLE;
    loop {
        let request = change::request_status(&harness.api, kind, order_id, request_id)
            .await
            .expect("request");
        if request["status"] == status {
            return request;
        }
        assert!(
            Instant::now() < deadline,
            "request {request_id} did not reach {status}: {request:#}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn key() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Assesses the change, then requests it at the assessed version; when the order moved in
/// between (409 `ASSESSMENT_STALE`: other items of the order keep running) it assesses again
/// and resubmits, as the API tells a client to. Returns the dry run the request was decided
/// on, and the request's status and body.
async fn assess_then_request(
    harness: &Harness,
    kind: Kind,
    order_id: &str,
    body: &Value,
) -> (Value, u16, Value) {
    for _ in 0..20 {
        let (status, dry) = change::assess(&harness.api, kind, order_id, body)
            .await
            .expect("assessment");
        assert_eq!(status, 200, "{dry:#}");
        let (status, reply) = change::request(
            &harness.api,
            kind,
            order_id,
            body,
            dry["assessmentVersion"].as_str(),
            &key(),
        )
        .await
        .expect("request");
        if status == 409 && reply["code"] == "ASSESSMENT_STALE" {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        return (dry, status.as_u16(), reply);
    }
    panic!("order {order_id} kept moving between assessment and request");
}

fn blocker_codes(value: &Value) -> Vec<String> {
    value["blockers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["code"].as_str().map(str::to_owned))
        .collect()
}

fn strings(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Rows the simulated systems applied for `task_id` (their ledgers are idempotent by key).
async fn applied_calls(harness: &Harness, task_id: &str) -> i64 {
    let pool = sqlx::PgPool::connect(&harness.stack.database_url(Service::Fulfillment))
        .await
        .expect("fulfillment database");
    let task: uuid::Uuid = task_id.parse().expect("task id");
    let mut total = 0;
    for table in [
        "sim_inventory_reservation",
        "sim_workforce_appointment",
        "sim_shipping_shipment",
        "sim_network_service",
        "sim_billing_activation",
    ] {
        let count: i64 =
            sqlx::query_scalar(&format!("select count(*) from {table} where task_id = $1"))
                .bind(task)
                .fetch_one(&pool)
                .await
                .expect("ledger count");
        total += count;
    }
    pool.close().await;
    total
}

/// Cancel before release (no task runs); cancel an item past its point of no return (refused,
/// with the reason code of the dry run); amend it past the point of no return (refused with a
/// remediation); cancel a completed item in flight: its compensation plan runs in reverse
/// dependency order, a compensation task that fails permanently raises fallout, fulfillment is
/// SIGKILLed in the middle of the plan, an operator retry finishes it, nothing ran twice, the
/// asset is reverted and billing sees OrderItemCancelled.
#[tokio::test]
async fn cancellations_before_release_in_flight_and_past_the_point_of_no_return() {
    // The technician visit never reports back during the test: the installation item stays
    // past its point of no return while the other items complete.
    let options = base_options().with_env(
        Service::Fulfillment,
        "OMS_SIMULATORS__WORKFORCE_SCHEDULING__ASYNC_COMPLETION_MS",
        "600000",
    );
    let mut harness = harness(options).await;
    let fulfillment_url = harness.stack.url(Service::Fulfillment);

    // 1. Before release: a held order is cancelled at once, no task ever runs.
    let customer = party("cancel-early");
    let (status, captured) = harness
        .capture("/api/v1/orders", &support_order(&customer, true))
        .await
        .expect("capture");
    assert_eq!(status, 201, "{captured:#}");
    let held = captured["orderId"].as_str().expect("id").to_owned();
    wait_for_order(&harness, &held, "validation", |o| o["state"] == "VALIDATED").await;
    let cancel = Cancellation {
        reason_code: "CUSTOMER_CHANGED_MIND".into(),
        reason: Some("ordered by mistake".into()),
        item_ids: vec![],
        manual_review: false,
    };
    let (dry, status, reply) =
        assess_then_request(&harness, Kind::Cancellation, &held, &cancel.body()).await;
    assert_eq!(dry["assessment"]["kind"], "PRE_EXECUTION", "{dry:#}");
    assert_eq!(dry["assessment"]["feasibility"], "FULLY_CANCELLABLE");
    assert_eq!(status, 200, "{reply:#}");
    assert_eq!(reply["status"], "CANCELLED");
    let order = harness
        .wait_for_state(&held, "CANCELLED", SETTLE)
        .await
        .expect("cancelled");
    assert!(
        order.to_string().contains("ordered by mistake")
            || harness
                .get(
                    Service::OrderCapture,
                    &format!("/api/v1/orders/{held}/history")
                )
                .await
                .expect("history")
                .to_string()
                .contains("ordered by mistake"),
        "the cancellation is audited with its reason"
    );
    // Fulfillment may keep a CLOSED record (so a late release cannot start it), never a task.
    let (status, view) = harness
        .get_any(Service::Fulfillment, &format!("/api/v1/fulfillment/{held}"))
        .await
        .expect("fulfillment answered");
    assert!(
        status == 404 || (view["tasks"] == json!([]) && view["status"] == "CLOSED"),
        "nothing ran in fulfillment: {status} {view:#}"
    );
    let events = harness.order_events(&held).await.expect("order topic");
    let cancelled: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            OrderEventV1::OrderCancelled(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled.len(), 1, "billing sees one OrderCancelled");
    assert!(cancelled[0].before_execution);

    // 2. In flight: access, router and static IP complete; the visit is dispatched.
    let customer = party("cancel-late");
    let quote = harness
        .accept("fiber-bundle", &customer, None)
        .await
        .expect("published");
    let order_id = harness
        .order_for_quote(&quote.quote_id)
        .await
        .expect("captured");
    let order = wait_for_order(&harness, &order_id, "three completed items", |o| {
        [
            "po-fiber-internet-500m",
            "po-managed-router",
            "po-static-ip",
        ]
        .iter()
        .all(|offering| item_state(o, &item_of(o, offering)) == "COMPLETED")
    })
    .await;
    let installation = item_of(&order, "po-onsite-installation");
    let static_ip = item_of(&order, "po-static-ip");
    let static_ip_asset = order["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == static_ip)
        .and_then(|i| i["actualAssetId"].as_str())
        .expect("the static IP has its asset")
        .to_owned();
    wait_for_view(&harness, &order_id, "the technician dispatch", |v| {
        tasks_of(v, "DISPATCH_TECHNICIAN")
            .first()
            .is_some_and(|t| t["state"] == "WAITING_FOR_CALLBACK")
    })
    .await;

    // 3. The installation is past its point of no return: the dry run says so, and the real
    //    request is refused with the same code and a remediation.
    let visit = Cancellation {
        reason_code: "CUSTOMER_CHANGED_MIND".into(),
        reason: None,
        item_ids: vec![installation.clone()],
        manual_review: false,
    };
    let (dry, status, refused) =
        assess_then_request(&harness, Kind::Cancellation, &order_id, &visit.body()).await;
    assert_eq!(
        dry["assessment"]["feasibility"], "NOT_CANCELLABLE",
        "{dry:#}"
    );
    assert!(blocker_codes(&dry["assessment"]).contains(&"ITEM_PAST_POINT_OF_NO_RETURN".into()));
    assert_eq!(status, 409, "{refused:#}");
    assert_eq!(refused["code"], "ORDER_NOT_CANCELLABLE");
    assert_eq!(
        blocker_codes(&refused),
        blocker_codes(&dry["assessment"]),
        "the dry run predicted the refusal"
    );
    assert!(
        refused["remediation"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    // ... and so is an amendment of it, with a remediation that names a supplemental order.
    let amend_visit = Amendment {
        reason_code: "CUSTOMER_REQUEST".into(),
        reason: None,
        changes: vec![
            change::configuration_change(&format!("{installation}:appointmentWindow=AFTERNOON"))
                .expect("change"),
        ],
    };
    let (dry, status, refused) =
        assess_then_request(&harness, Kind::Amendment, &order_id, &amend_visit.body()).await;
    assert_eq!(dry["assessment"]["feasibility"], "BLOCKED", "{dry:#}");
    assert_eq!(status, 409, "{refused:#}");
    assert_eq!(refused["code"], "AMENDMENT_PAST_POINT_OF_NO_RETURN");
    assert!(
        refused["remediation"]
            .as_str()
            .is_some_and(|r| r.contains("supplemental")),
        "{refused:#}"
    );

    // 4. Cancel the completed static IP. A stale assessment version is refused first.
    let ip = Cancellation {
        reason_code: "CUSTOMER_CHANGED_MIND".into(),
        reason: Some("no fixed IP needed after all".into()),
        item_ids: vec![static_ip.clone()],
        manual_review: false,
    };
    let (status, stale) = change::request(
        &harness.api,
        Kind::Cancellation,
        &order_id,
        &ip.body(),
        Some("1.0"),
        &key(),
    )
    .await
    .expect("request");
    assert_eq!(status, 409, "{stale:#}");
    assert_eq!(stale["code"], "ASSESSMENT_STALE");
    // The last compensation step is rejected by the inventory until it is repaired.
    let (status, body) = harness
        .api
        .put(
            &fulfillment_url,
            "/api/v1/simulators/INVENTORY/faults/RELEASE_IP",
            &json!({ "mode": "PERMANENT" }),
        )
        .await
        .expect("fault set");
    assert!(status.is_success(), "{status} {body}");
    let (dry, status, accepted) =
        assess_then_request(&harness, Kind::Cancellation, &order_id, &ip.body()).await;
    let assessment = &dry["assessment"];
    assert_eq!(assessment["feasibility"], "FULLY_CANCELLABLE", "{dry:#}");
    let planned: Vec<String> = assessment["compensation"]
        .as_array()
        .expect("compensation steps")
        .iter()
        .map(|s| s["taskType"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        planned,
        ["BILLING_REVERSAL", "DEACTIVATE_SERVICE", "RELEASE_IP"],
        "reverse dependency order: {dry:#}"
    );
    assert_eq!(
        assessment.pointer("/priceEffect/delta/amount"),
        Some(&json!("-15.0000"))
    );

    assert_eq!(status, 202, "{accepted:#}");
    let request_id = accepted["cancellationRequestId"]
        .as_str()
        .expect("request id")
        .to_owned();

    let view = wait_for_view(&harness, &order_id, "the compensation fallout", |v| {
        tasks_of(v, "RELEASE_IP")
            .first()
            .is_some_and(|t| t["state"] == "FALLOUT")
    })
    .await;
    let release = tasks_of(&view, "RELEASE_IP").remove(0);
    assert_eq!(release["purpose"], "COMPENSATION");
    let fallouts = harness
        .get(Service::Fulfillment, "/api/v1/fallouts?status=OPEN")
        .await
        .expect("fallout list");
    assert!(
        fallouts
            .to_string()
            .contains(release["taskId"].as_str().unwrap_or("-")),
        "the stuck compensation is in the fallout queue: {fallouts:#}"
    );

    // Fulfillment dies in the middle of the plan and comes back (the simulator's fault state
    // is in memory, so the restart is also the repair of the inventory).
    harness
        .stack
        .crash_and_restart(Service::Fulfillment)
        .await
        .expect("fulfillment restarted");
    let fulfillment_url = harness.stack.url(Service::Fulfillment);
    let (status, body) = harness
        .api
        .post(
            &fulfillment_url,
            &format!(
                "/api/v1/fulfillment/{order_id}/tasks/{}/retry",
                release["taskId"].as_str().expect("task id")
            ),
            &json!({ "reason": "IP pool unlocked in the inventory" }),
        )
        .await
        .expect("retry");
    assert!(status.is_success(), "{status} {body}");

    let request = wait_for_request(
        &harness,
        Kind::Cancellation,
        &order_id,
        &request_id,
        "COMPLETED",
    )
    .await;
    assert_eq!(
        strings(&request["outcome"]["cancellingItemIds"]),
        strings(
            &assessment["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter(|i| i["outcome"] == "COMPENSATE" || i["outcome"] == "CANCEL")
                .map(|i| i["itemId"].clone())
                .collect::<Value>()
        ),
        "the dry run named the items the cancellation cancelled"
    );
    let order = harness.order(&order_id).await.expect("order");
    assert_eq!(item_state(&order, &static_ip), "CANCELLED");
    assert_eq!(item_state(&order, &installation), "IN_PROGRESS");

    // Compensated in reverse order, each step applied exactly once despite the crash.
    let view = fulfillment(&harness, &order_id).await;
    let mut finished = Vec::new();
    for task_type in &planned {
        let task = tasks_of(&view, task_type)
            .into_iter()
            .find(|t| t["purpose"] == "COMPENSATION")
            .unwrap_or_else(|| panic!("no {task_type} compensation in {view:#}"));
        assert_eq!(task["state"], "SUCCEEDED", "{task:#}");
        assert_eq!(
            applied_calls(&harness, task["taskId"].as_str().expect("id")).await,
            1,
            "{task_type} applied once"
        );
        finished.push(task["completedAt"].as_str().expect("completed").to_owned());
    }
    let mut sorted = finished.clone();
    sorted.sort();
    assert_eq!(finished, sorted, "compensations finished in plan order");
    for task in view["tasks"].as_array().expect("tasks") {
        if task["purpose"] == "EXECUTION"
            && task["itemIds"] == json!([static_ip])
            && task["taskType"] != "VALIDATE_SERVICEABILITY"
        {
            assert_eq!(task["state"], "COMPENSATED", "{task:#}");
        }
    }

    // The asset is reverted; billing sees the cancellation of a charge that had started.
    let asset = harness
        .get(Service::Asset, &format!("/api/v1/assets/{static_ip_asset}"))
        .await
        .expect("asset");
    assert_eq!(asset["status"], "TERMINATED", "{asset:#}");
    let events = harness.order_events(&order_id).await.expect("order topic");
    let item_cancelled: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            OrderEventV1::OrderItemCancelled(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(item_cancelled.len(), 1, "one OrderItemCancelled");
    assert_eq!(item_cancelled[0].item_id.to_string(), static_ip);
    assert!(item_cancelled[0].billing_started);
    assert_eq!(item_cancelled[0].price.total.to_string(), "15.0000");
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, OrderEventV1::OrderCancellationCompleted(_)))
            .count(),
        1
    );
    harness.stack.shutdown().await;
}

/// An amendment of an order in fallout re-plans it: tasks that succeeded are kept and never
/// re-run, replaced tasks are dropped with their fallout case, and the order completes with
/// the new configuration; a supplemental order completes and is related to the original; a
/// second order on an asset that an in-flight order changes is rejected at capture.
#[tokio::test]
async fn amendments_supplemental_orders_and_the_asset_guard() {
    let options = base_options().with_env(
        Service::Fulfillment,
        "OMS_SIMULATORS__WORKFORCE_SCHEDULING__ASYNC_COMPLETION_MS",
        "500",
    );
    let harness = harness(options).await;
    let fulfillment_url = harness.stack.url(Service::Fulfillment);
    let fault =
        |system: &str, task_type: &str| format!("/api/v1/simulators/{system}/faults/{task_type}");

    // The activation is rejected: the order falls out before provisioning.
    let (status, body) = harness
        .api
        .put(
            &fulfillment_url,
            &fault("NETWORK_PROVISIONING", "ACTIVATE_SERVICE"),
            &json!({ "mode": "PERMANENT" }),
        )
        .await
        .expect("fault set");
    assert!(status.is_success(), "{status} {body}");
    let customer = party("amend");
    let quote = harness
        .accept("fiber-bundle", &customer, None)
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
    let access = item_of(&order, "po-fiber-internet-500m");
    let before = fulfillment(&harness, &order_id).await;
    let reserve = tasks_of(&before, "RESERVE_ACCESS_PORT").remove(0);
    assert_eq!(reserve["state"], "SUCCEEDED");
    let old_activation = tasks_of(&before, "ACTIVATE_SERVICE")
        .into_iter()
        .find(|t| t["itemIds"] == json!([access]))
        .expect("access activation");

    // Amend the speed: the dry run keeps the reservation and replaces the activation.
    let amend = Amendment {
        reason_code: "CUSTOMER_UPGRADE".into(),
        reason: Some("customer wants 1 Gbps".into()),
        changes: vec![
            change::configuration_change(&format!("{access}:bandwidth=1Gbps")).expect("change"),
        ],
    };
    let (dry, status, reply) =
        assess_then_request(&harness, Kind::Amendment, &order_id, &amend.body()).await;
    let assessment = &dry["assessment"];
    assert_eq!(
        assessment["feasibility"], "REQUIRES_REDECOMPOSITION",
        "{dry:#}"
    );
    let disposition = |task_id: &Value| {
        assessment["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| &t["taskId"] == task_id)
            .map_or(Value::Null, |t| t["disposition"].clone())
    };
    assert_eq!(disposition(&reserve["taskId"]), "KEEP");
    assert_eq!(disposition(&old_activation["taskId"]), "REPLACE");
    assert!(status == 200 || status == 202, "{status} {reply:#}");
    let request_id = reply["amendmentRequestId"].as_str().expect("id").to_owned();
    wait_for_request(&harness, Kind::Amendment, &order_id, &request_id, "APPLIED").await;

    // The new plan runs at once; its activation is rejected too while the fault is set.
    wait_for_view(&harness, &order_id, "the re-planned activation", |v| {
        tasks_of(v, "ACTIVATE_SERVICE").iter().any(|t| {
            t["itemIds"] == json!([access])
                && t["taskId"] != old_activation["taskId"]
                && t["state"] == "FALLOUT"
        })
    })
    .await;

    // Repair the network, retry what fell out on the new plan: the order completes.
    harness
        .api
        .delete(
            &fulfillment_url,
            &fault("NETWORK_PROVISIONING", "ACTIVATE_SERVICE"),
        )
        .await
        .expect("repaired");
    let view = fulfillment(&harness, &order_id).await;
    for task in view["tasks"].as_array().expect("tasks") {
        if task["state"] == "FALLOUT" {
            let (status, body) = harness
                .api
                .post(
                    &fulfillment_url,
                    &format!(
                        "/api/v1/fulfillment/{order_id}/tasks/{}/retry",
                        task["taskId"].as_str().expect("id")
                    ),
                    &json!({ "reason": "service profile fixed" }),
                )
                .await
                .expect("retry");
            assert!(status.is_success(), "{status} {body}");
        }
    }
    let order = match harness.wait_for_state(&order_id, "COMPLETED", SETTLE).await {
        Ok(order) => order,
        Err(e) => panic!(
            "not completed after the amendment: {e:#}\nfulfillment: {:#}",
            fulfillment(&harness, &order_id).await
        ),
    };
    assert!(
        order["fallout"].is_null()
            || order["fallout"]["cases"]
                .as_array()
                .is_none_or(Vec::is_empty),
        "the replaced task's case is closed: {:#}",
        order["fallout"]
    );
    let after = fulfillment(&harness, &order_id).await;
    let kept = after["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["taskId"] == reserve["taskId"])
        .cloned()
        .expect("the reservation is kept");
    assert_eq!(kept["attempt"], 1, "a kept task is not re-run: {kept:#}");
    assert_eq!(
        applied_calls(&harness, reserve["taskId"].as_str().expect("id")).await,
        1
    );
    let activation = tasks_of(&after, "ACTIVATE_SERVICE")
        .into_iter()
        .find(|t| t["itemIds"] == json!([access]))
        .expect("access activation");
    assert_ne!(
        activation["taskId"], old_activation["taskId"],
        "the activation was re-planned"
    );
    assert_eq!(activation["state"], "SUCCEEDED");
    let access_asset = order["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == access)
        .and_then(|i| i["actualAssetId"].as_str())
        .expect("access asset")
        .to_owned();
    let asset = harness
        .get(Service::Asset, &format!("/api/v1/assets/{access_asset}"))
        .await
        .expect("asset");
    assert_eq!(
        asset.pointer("/configuration/bandwidth"),
        Some(&json!("1Gbps")),
        "{asset:#}"
    );

    // A supplemental order adds support to the completed order and is related to it.
    let (status, supplemental) = harness
        .capture(
            &format!("/api/v1/orders/{order_id}/supplemental-orders"),
            &support_order(&customer, false),
        )
        .await
        .expect("capture");
    assert_eq!(status, 201, "{supplemental:#}");
    let supplemental_id = supplemental["orderId"].as_str().expect("id").to_owned();
    harness
        .wait_for_state(&supplemental_id, "COMPLETED", SETTLE)
        .await
        .expect("supplemental order completed");
    let related = harness
        .get(
            Service::OrderCapture,
            &format!("/api/v1/orders/{order_id}/related-orders"),
        )
        .await
        .expect("related orders");
    let related_text = related.to_string();
    assert!(
        related_text.contains(&supplemental_id) && related_text.contains("SUPPLEMENTS"),
        "{related:#}"
    );
    // Another customer cannot supplement it.
    let (status, refused) = harness
        .capture(
            &format!("/api/v1/orders/{order_id}/supplemental-orders"),
            &support_order(&party("stranger"), false),
        )
        .await
        .expect("capture");
    let order_refused = if status == 201 {
        let id = refused["orderId"].as_str().expect("id").to_owned();
        harness
            .wait_for_state(&id, "REJECTED", SETTLE)
            .await
            .expect("rejected")
    } else {
        refused
    };
    assert!(
        order_refused
            .to_string()
            .contains("RELATED_ORDER_PARTY_MISMATCH"),
        "{order_refused:#}"
    );

    // Two orders on one asset: while a speed change of the access is in flight (stuck on a
    // rejected modification), a second one is rejected at capture.
    let (status, body) = harness
        .api
        .put(
            &fulfillment_url,
            &fault("NETWORK_PROVISIONING", "MODIFY_SERVICE"),
            &json!({ "mode": "PERMANENT" }),
        )
        .await
        .expect("fault set");
    assert!(status.is_success(), "{status} {body}");
    let first = harness
        .accept("speed-upgrade", &customer, Some(&access_asset))
        .await
        .expect("published");
    let first = harness
        .order_for_quote(&first.quote_id)
        .await
        .expect("captured");
    harness
        .wait_for_state(&first, "FALLOUT", SETTLE)
        .await
        .expect("in flight");
    let second = harness
        .accept("speed-upgrade", &customer, Some(&access_asset))
        .await
        .expect("published");
    let second = harness
        .order_for_quote(&second.quote_id)
        .await
        .expect("captured");
    let second = harness
        .wait_for_state(&second, "REJECTED", SETTLE)
        .await
        .expect("second order rejected");
    assert!(
        second["violations"].to_string().contains("ASSET_IN_FLIGHT"),
        "{second:#}"
    );
    harness.stack.shutdown().await;
}
