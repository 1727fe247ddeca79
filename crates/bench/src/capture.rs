//! Capture benchmark (issue 4): orders per second through order-capture's API — validation,
//! idempotency, persistence, audit and outbox — next to the raw PostgreSQL commit rate of an
//! insert-only transaction of the same shape (rows, row size, clients), measured in the same
//! run on the same server, and the ratio.

use crate::{
    dbstats,
    pgbench::{self, TransactionShape},
    stats::{millis, percentile, rate, report},
};
use oms_e2e::{Service, ServiceStack, StackOptions, scenario::SALES_TOKEN};
use serde_json::{Value, json};
use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

/// Knobs of the capture benchmark.
#[derive(Debug, Clone, clap::Args)]
pub struct CaptureArgs {
    /// Concurrent API clients.
    #[arg(long, default_value_t = 8)]
    pub clients: usize,
    /// Seconds of measured load.
    #[arg(long, default_value_t = 15)]
    pub seconds: u64,
    /// Orders sent before measuring.
    #[arg(long, default_value_t = 100)]
    pub warmup: usize,
    /// Build profile of the service binary (`release` for figures, `debug` to smoke-test).
    #[arg(long, default_value = "release")]
    pub profile: String,
}

/// A DIRECT_ORDER with three items (fiber access + router + static IP as children).
fn order_body(n: usize) -> Value {
    let customer = format!("cust-bench-{}", n % 997);
    let item = |reference: &str, parent: Option<&str>, offering: &str, amount: &str| {
        let mut item = json!({
            "clientItemRef": reference,
            "action": "ADD",
            "productOfferingId": offering,
            "productOfferingVersion": 2,
            "quantity": 1,
            "configuration": { "bandwidth": "500Mbps", "accessTechnology": "GPON" },
            "priceComponents": [
                { "kind": "RECURRING", "amount": amount, "recurrencePeriod": "MONTHLY", "description": "monthly fee" }
            ],
            "itemTotal": amount
        });
        if let Some(parent) = parent {
            item["parentRef"] = json!(parent);
        }
        item
    };
    json!({
        "captureMode": "DIRECT_ORDER",
        "salesChannel": "WEB",
        "externalOrderRef": format!("BENCH-{}-{n}", uuid::Uuid::now_v7().simple()),
        "customer": { "customerId": customer, "accountId": format!("acct-{customer}"), "billingAccountId": format!("ba-{customer}") },
        "serviceAddress": { "line1": "12 Harbour Street", "city": "Rotterdam", "postalCode": "3011 AB", "countryCode": "NL" },
        "currency": "EUR",
        "priceListRef": "pl-business-2026",
        "items": [
            item("access", None, "po-fiber-internet-500m", "499.00"),
            item("router", Some("access"), "po-managed-router", "49.90"),
            item("static-ip", Some("access"), "po-static-ip", "15.00"),
        ]
    })
}

async fn capture_one(client: &reqwest::Client, url: &str, n: usize) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let response = client
        .post(url)
        .bearer_auth(SALES_TOKEN)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&order_body(n))
        .send()
        .await?;
    let status = response.status();
    anyhow::ensure!(
        status.as_u16() == 201,
        "capture answered {status}: {}",
        response.text().await?
    );
    Ok(started.elapsed())
}

pub async fn run(args: &CaptureArgs) -> anyhow::Result<()> {
    let options = StackOptions {
        profile: args.profile.clone(),
        ..StackOptions::default()
    };
    let stack = ServiceStack::start(&[Service::OrderCapture], options).await?;
    let url = format!("{}/api/v1/orders", stack.url(Service::OrderCapture));
    let database_url = stack.database_url(Service::OrderCapture);
    let admin_url = oms_test_support::env::pg_admin_url();
    let admin =
        sqlx::PgPool::connect(&format!("{}/postgres", admin_url.trim_end_matches('/'))).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;

    for n in 0..args.warmup {
        capture_one(&client, &url, n).await?;
    }
    let rows_before = dbstats::rows(&database_url).await?;
    let commits_before = dbstats::commits(&admin, dbstats::database_name(&database_url)).await?;

    let counter = Arc::new(AtomicUsize::new(args.warmup));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.clients {
        let (client, url, counter) = (client.clone(), url.clone(), counter.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                latencies.push(capture_one(&client, &url, n).await?);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    let orders = latencies.len();
    // Let the relay publish what was captured, so its commits are counted too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let commits =
        dbstats::commits(&admin, dbstats::database_name(&database_url)).await? - commits_before;
    let rows_after = dbstats::rows(&database_url).await?;
    let orders_per_s = rate(orders, elapsed);

    report("capture_clients", args.clients);
    report("capture_orders", orders);
    report("capture_items_per_order", 3);
    report("capture_orders_per_s", format!("{orders_per_s:.0}"));
    report(
        "capture_latency_p50_ms",
        format!("{:.1}", millis(percentile(&mut latencies, 50.0))),
    );
    report(
        "capture_latency_p99_ms",
        format!("{:.1}", millis(percentile(&mut latencies, 99.0))),
    );
    let orders_i64 = i64::try_from(orders.max(1)).unwrap_or(i64::MAX);
    let rows_per_order = (rows_after.rows - rows_before.rows) / orders_i64;
    let avg_row_bytes =
        (rows_after.bytes - rows_before.bytes) / (rows_after.rows - rows_before.rows).max(1);
    #[allow(clippy::cast_precision_loss)]
    let commits_per_order = commits as f64 / orders_i64 as f64;
    report("capture_db_rows_per_order", rows_per_order);
    report("capture_db_avg_row_bytes", avg_row_bytes);
    report(
        "capture_db_commits_per_order",
        format!("{commits_per_order:.2}"),
    );

    stack.shutdown().await;
    admin.close().await;

    // The same server's ceiling for an insert-only transaction of the capture's shape.
    let shape = TransactionShape {
        rows: u32::try_from(rows_per_order).unwrap_or(1),
        avg_row_bytes: u32::try_from(avg_row_bytes).unwrap_or(100),
    };
    let clients = u32::try_from(args.clients).unwrap_or(8);
    let ceiling = pgbench::commit_ceiling(&admin_url, shape, clients, 10)?;
    report("pg_insert_only_tx_per_s", format!("{ceiling:.0}"));
    report(
        "ratio_capture_to_pg_insert_only",
        format!("{:.2}", orders_per_s / ceiling),
    );
    Ok(())
}
