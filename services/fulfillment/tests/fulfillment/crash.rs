//! Crash safety: the `oms-fulfillment` binary runs as a child process, is killed with SIGKILL
//! while downstream calls are in flight, and restarted. Every task completes exactly once in
//! the simulated systems' own records, the tasks that were in flight are recovered with
//! their idempotency key, and every item gets exactly one `OrderItemFulfilled` on the topic.

use crate::support::reader::of_type;
use crate::support::{ACME, Scenario, Stack, TaskSpec, TopicReader, WAIT, sim_records, wait_ready};
use oms_contracts::FulfillmentEventV1;
use oms_domain::events::FulfillmentEvent;
use oms_domain::vocab::ItemAction;
use oms_messaging::EventContract as _;
use oms_test_support::eventually;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use uuid::Uuid;

const WIDE: &[TaskSpec] = &[
    TaskSpec(
        "check",
        0,
        "VALIDATE_SERVICEABILITY",
        "NETWORK_PROVISIONING",
        &[],
    ),
    TaskSpec("port", 0, "RESERVE_ACCESS_PORT", "INVENTORY", &["check"]),
    TaskSpec(
        "visit",
        0,
        "DISPATCH_TECHNICIAN",
        "WORKFORCE_SCHEDULING",
        &["check"],
    ),
    TaskSpec(
        "activate",
        0,
        "ACTIVATE_SERVICE",
        "NETWORK_PROVISIONING",
        &["port", "visit"],
    ),
    TaskSpec(
        "bill",
        0,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["activate"],
    ),
    TaskSpec("device", 1, "RESERVE_DEVICE", "INVENTORY", &[]),
    TaskSpec("ship", 1, "SHIP_DEVICE", "SHIPPING", &["device"]),
    TaskSpec(
        "configure",
        1,
        "CONFIGURE_DEVICE",
        "NETWORK_PROVISIONING",
        &["ship"],
    ),
    TaskSpec("ip", 2, "ASSIGN_STATIC_IP", "INVENTORY", &[]),
    TaskSpec(
        "ip_bill",
        2,
        "ACTIVATE_BILLING",
        "BILLING_ACTIVATION",
        &["ip"],
    ),
];

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn spawn_service(stack: &Stack, port: u16) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_oms-fulfillment"));
    command
        .env_remove("OMS_CONFIG_FILE")
        .env("OMS_HTTP__ADDR", format!("127.0.0.1:{port}"))
        .env("OMS_DATABASE__URL", stack.db.url())
        .env("OMS_DATABASE__CREATE_IF_MISSING", "false")
        .env("OMS_KAFKA__BROKERS", oms_test_support::env::kafka_brokers())
        .env("OMS_KAFKA__TOPIC_PREFIX", stack.naming.prefix())
        .env(
            "OMS_SCHEMA_REGISTRY__URL",
            oms_test_support::env::schema_registry_url(),
        )
        .env("OMS_ENGINE__MAX_CONCURRENCY", "4")
        .env("OMS_ENGINE__POLL_INTERVAL_MS", "50")
        .env("OMS_ENGINE__RECOVERY_INTERVAL_MS", "500")
        .env("OMS_SIMULATORS__CALLBACK_POLL_MS", "50")
        .env(
            "OMS_SIMULATORS__WORKFORCE_SCHEDULING__ASYNC_COMPLETION_MS",
            "1000",
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for system in [
        "INVENTORY",
        "WORKFORCE_SCHEDULING",
        "SHIPPING",
        "NETWORK_PROVISIONING",
        "BILLING_ACTIVATION",
    ] {
        command.env(format!("OMS_SIMULATORS__{system}__LATENCY_MS"), "1200");
    }
    command.spawn().expect("oms-fulfillment starts")
}

async fn count(stack: &Stack, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(stack.db.pool())
        .await
        .expect("count")
}

/// A task some simulated system applied while fulfillment has not recorded the answer yet.
const APPLIED_NOT_RECORDED: &str = "select count(*) from fulfillment_task t join (
        select task_id from sim_inventory_reservation union all
        select task_id from sim_workforce_appointment union all
        select task_id from sim_shipping_shipment union all
        select task_id from sim_network_service union all
        select task_id from sim_billing_activation) s using (task_id)
    where t.state = 'DISPATCHED'";

#[tokio::test]
async fn sigkill_while_tasks_are_in_flight_then_restart_completes_every_task_exactly_once() {
    let stack = Stack::new().await;
    let port = free_port();
    let mut service = spawn_service(&stack, port);
    wait_ready(port).await;
    let order = Scenario::new(ACME, &[ItemAction::Add; 3], WIDE);
    stack.publish_plan(&order).await;
    stack.publish_release(&order).await;

    // Kill while calls are in flight: ideally right after a system applied a request and
    // before fulfillment recorded the answer; else once the second wave is in flight.
    let mut window = false;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never saw tasks in flight"
        );
        if count(&stack, APPLIED_NOT_RECORDED).await > 0 {
            window = true;
            break;
        }
        let applied = sim_records(stack.db.pool()).await.len();
        let in_flight = count(
            &stack,
            "select count(*) from fulfillment_task where state = 'DISPATCHED'",
        )
        .await;
        if applied >= 3 && in_flight >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    service.start_kill().expect("SIGKILL");
    service.wait().await.expect("reaped");
    let in_flight: Vec<Uuid> = sqlx::query_scalar(
        "select task_id from fulfillment_task where state = 'DISPATCHED' order by task_id",
    )
    .fetch_all(stack.db.pool())
    .await
    .expect("in flight");
    let unfinished = count(
        &stack,
        "select count(*) from fulfillment_item where status = 'IN_PROGRESS'",
    )
    .await;
    eprintln!(
        "killed with {} task(s) dispatched ({}), {unfinished} item(s) unfinished",
        in_flight.len(),
        if window {
            "one applied but not recorded"
        } else {
            "calls in flight"
        }
    );
    assert!(
        !in_flight.is_empty(),
        "the kill landed with calls in flight"
    );
    assert!(unfinished > 0);

    let mut restarted = spawn_service(&stack, port);
    wait_ready(port).await;
    stack.order_done(order.order_id, 3).await;

    // The simulators' own records: one per task, under the task's first key.
    let records = sim_records(stack.db.pool()).await;
    let per_key: BTreeMap<&str, usize> = records.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.idempotency_key.as_str()).or_default() += 1;
        m
    });
    assert_eq!(
        records.len(),
        WIDE.len(),
        "every task applied, none twice: {per_key:?}"
    );
    assert!(per_key.values().all(|n| *n == 1));
    for spec in WIDE {
        let task = order.task(spec.0);
        let record = records.iter().find(|r| r.task_id == task).expect("applied");
        assert_eq!(record.idempotency_key, format!("{task}:1"), "{}", spec.0);
    }
    // The tasks in flight at the kill were taken over and re-dispatched with their key.
    for task in &in_flight {
        let triggers: Vec<String> = stack
            .transitions(*task)
            .await
            .into_iter()
            .map(|(t, _, _)| t)
            .collect();
        assert!(
            triggers.contains(&"RECOVER".to_owned()),
            "{task}: {triggers:?}"
        );
        assert_eq!(triggers.last().map(String::as_str), Some("COMPLETE"));
    }
    let states = stack.task_states(order.order_id).await;
    assert!(states.values().all(|s| s == "SUCCEEDED"), "{states:?}");
    let replays = records.iter().filter(|r| r.calls > 1).count();
    eprintln!("{replays} request(s) were presented again and answered from the record");

    // Exactly one OrderItemFulfilled per item: in the outbox, and on the broker as a fresh
    // reader sees it once everything is published (redeliveries carry the same event id).
    assert_eq!(
        count(
            &stack,
            "select count(*) from outbox where event_type = 'OrderItemFulfilled'"
        )
        .await,
        3
    );
    let pool = stack.db.pool();
    eventually(WAIT, crate::support::POLL, || async move {
        let pending: i64 =
            sqlx::query_scalar("select count(*) from outbox where published_at is null")
                .fetch_one(pool)
                .await
                .ok()?;
        (pending == 0).then_some(())
    })
    .await;
    let reader = TopicReader::start(
        &stack.kafka,
        &stack.naming.name(FulfillmentEventV1::TOPIC),
        stack.codec.clone(),
    );
    reader
        .until(|all| of_type(all, order.order_id, "OrderItemFulfilled").len() == 3)
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events = reader.all();
    let fulfilled: BTreeSet<Uuid> = of_type(&events, order.order_id, "OrderItemFulfilled")
        .into_iter()
        .filter_map(|e| match e {
            FulfillmentEvent::OrderItemFulfilled(f) => Some(f.item_id.as_uuid()),
            _ => None,
        })
        .collect();
    assert_eq!(fulfilled, order.item_ids.iter().copied().collect());
    assert_eq!(
        of_type(&events, order.order_id, "OrderItemFulfilled").len(),
        3
    );

    // A graceful stop of the restarted process.
    let pid = restarted.id().expect("pid").to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(30), restarted.wait())
        .await
        .expect("stops in time")
        .expect("exit status");
    assert!(exit.success(), "graceful shutdown: {exit:?}");
}
