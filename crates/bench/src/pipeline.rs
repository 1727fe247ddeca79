//! Pipeline benchmark (issue 7): orders of 4 items (the fiber bundle) from `QuoteAccepted`
//! to `OrderCompleted` through every service binary, with zero-latency simulated downstream
//! systems, at maximum rate and at a moderate fixed rate. Measured in the same run: the
//! PostgreSQL commit ceiling for a transaction shaped like ours (pgbench) and the raw broker
//! produce/consume rates, giving `pipeline_commit_efficiency`.

use crate::{
    dbstats,
    pgbench::{self, TransactionShape},
    rawkafka,
    stats::{millis, percentile, rate, report},
};
use chrono::{DateTime, Utc};
use oms_e2e::{Service, ServiceStack, StackOptions};
use oms_messaging::ensure_topic;
use oms_omsctl::{publish::Publisher, samples};
use rdkafka::{
    ClientConfig, Message as _, Offset, TopicPartitionList,
    consumer::{BaseConsumer, Consumer as _},
    message::Headers as _,
};
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Knobs of the pipeline benchmark.
#[derive(Debug, Clone, clap::Args)]
pub struct PipelineArgs {
    /// Orders published at maximum rate.
    #[arg(long, default_value_t = 200)]
    pub orders: usize,
    /// Orders per second of the moderate phase: about a third of the maximum rate measured
    /// on the 2-core reference machine (docs/performance.md), so the system is not saturated.
    #[arg(long, default_value_t = 2.0)]
    pub moderate_rate: f64,
    /// Seconds of the moderate phase.
    #[arg(long, default_value_t = 30)]
    pub moderate_secs: u64,
    /// Build profile of the service binaries.
    #[arg(long, default_value = "release")]
    pub profile: String,
}

const TOPICS: [&str; 4] = [
    "oms.order.events.v1",
    "oms.decomposition.events.v1",
    "oms.fulfillment.events.v1",
    "oms.asset.events.v1",
];

/// What the reader saw of one record: enough to follow orders and causation without
/// decoding a single Avro body.
#[derive(Debug, Clone)]
struct Seen {
    topic: &'static str,
    event_type: String,
    correlation_id: String,
    causation_id: Option<String>,
    occurred_at: Option<DateTime<Utc>>,
    received: Instant,
}

type Log = Arc<Mutex<HashMap<String, Seen>>>;

/// Reads every OMS topic of the stack from the end, from a background thread.
fn start_reader(
    stack: &ServiceStack,
    log: Log,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<std::thread::JoinHandle<()>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &stack.kafka().brokers)
        .set(
            "group.id",
            format!("bench-pipeline-{}", uuid::Uuid::now_v7()),
        )
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "20")
        .create()?;
    let mut assignment = TopicPartitionList::new();
    let names: HashMap<String, &'static str> = TOPICS
        .iter()
        .map(|t| (stack.naming().name(t), *t))
        .collect();
    for (name, contract) in &names {
        let partitions = oms_e2e::stack::topics()?
            .into_iter()
            .find(|(t, _)| t == contract)
            .map_or(1, |(_, n)| n);
        for partition in 0..partitions {
            assignment.add_partition_offset(name, partition, Offset::End)?;
        }
    }
    consumer.assign(&assignment)?;
    Ok(std::thread::spawn(move || {
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let Some(Ok(message)) = consumer.poll(Duration::from_millis(100)) else {
                continue;
            };
            let received = Instant::now();
            let Some(&topic) = names.get(message.topic()) else {
                continue;
            };
            let mut headers = BTreeMap::new();
            if let Some(h) = message.headers() {
                for header in h.iter() {
                    headers.insert(
                        header.key.to_owned(),
                        String::from_utf8_lossy(header.value.unwrap_or_default()).into_owned(),
                    );
                }
            }
            let Some(event_id) = headers.get("event_id").cloned() else {
                continue;
            };
            let seen = Seen {
                topic,
                event_type: headers.get("event_type").cloned().unwrap_or_default(),
                correlation_id: headers.get("correlation_id").cloned().unwrap_or_default(),
                causation_id: headers.get("causation_id").cloned(),
                occurred_at: headers
                    .get("occurred_at")
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc)),
                received,
            };
            if let Ok(mut log) = log.lock() {
                log.entry(event_id).or_insert(seen);
            }
        }
    }))
}

/// Zero-latency simulated downstream systems (the technician visit still completes through a
/// callback, due at once and polled every 10 ms); everything else as the local stack runs it.
fn options(profile: &str) -> StackOptions {
    let mut options = StackOptions {
        profile: profile.to_owned(),
        ..StackOptions::default()
    };
    for system in [
        "INVENTORY",
        "WORKFORCE_SCHEDULING",
        "SHIPPING",
        "NETWORK_PROVISIONING",
        "BILLING_ACTIVATION",
    ] {
        for knob in ["LATENCY_MS", "LATENCY_JITTER_MS", "ASYNC_COMPLETION_MS"] {
            options = options.with_env(
                Service::Fulfillment,
                &format!("OMS_SIMULATORS__{system}__{knob}"),
                "0",
            );
        }
    }
    options
        .with_env(
            Service::Fulfillment,
            "OMS_SIMULATORS__CALLBACK_POLL_MS",
            "10",
        )
        .with_env(Service::Fulfillment, "OMS_ENGINE__POLL_INTERVAL_MS", "50")
}

/// Publishes one quote per tick of `interval` (or back to back) and returns each quote's
/// correlation id with the instant it was handed to the producer.
async fn publish(
    publisher: &Arc<Publisher>,
    count: usize,
    interval: Option<Duration>,
) -> anyhow::Result<Vec<(String, Instant)>> {
    let mut tasks = Vec::with_capacity(count);
    let started = Instant::now();
    for n in 0..count {
        if let Some(interval) = interval {
            tokio::time::sleep_until(
                (started + interval * u32::try_from(n).unwrap_or(u32::MAX)).into(),
            )
            .await;
        }
        let party = oms_e2e::scenario::party("bench");
        let quote = samples::quote("fiber-bundle", &party, None)?;
        let correlation = quote.correlation_id.clone().unwrap_or_default();
        let publisher = publisher.clone();
        let at = Instant::now();
        tasks.push(tokio::spawn(async move {
            publisher.publish(quote).await?;
            anyhow::Ok((correlation, at))
        }));
    }
    let mut published = Vec::with_capacity(count);
    for task in tasks {
        published.push(task.await??);
    }
    Ok(published)
}

/// Waits until every published correlation has an `OrderCompleted`; returns the latencies
/// (produced -> OrderCompleted consumed) and the last completion instant.
async fn completions(
    log: &Log,
    published: &[(String, Instant)],
    timeout: Duration,
) -> anyhow::Result<(Vec<Duration>, Instant)> {
    let deadline = Instant::now() + timeout;
    loop {
        let (latencies, last) = {
            let log = log.lock().map_err(|_| anyhow::anyhow!("lock"))?;
            let completed: HashMap<&str, Instant> = log
                .values()
                .filter(|s| s.event_type == "OrderCompleted")
                .map(|s| (s.correlation_id.as_str(), s.received))
                .collect();
            let latencies: Vec<Duration> = published
                .iter()
                .filter_map(|(corr, at)| {
                    completed
                        .get(corr.as_str())
                        .map(|done| done.saturating_duration_since(*at))
                })
                .collect();
            let last = published
                .iter()
                .filter_map(|(corr, _)| completed.get(corr.as_str()).copied())
                .max();
            (latencies, last)
        };
        if latencies.len() == published.len() {
            return Ok((latencies, last.unwrap_or_else(Instant::now)));
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{} of {} orders completed within {timeout:?}",
            latencies.len(),
            published.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Per-hop latency: the effect's occurredAt minus its cause's, by (cause topic -> effect topic).
fn hops(
    log: &Log,
    correlations: &std::collections::HashSet<String>,
) -> BTreeMap<String, Vec<Duration>> {
    let Ok(log) = log.lock() else {
        return BTreeMap::new();
    };
    let mut hops: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for effect in log
        .values()
        .filter(|e| correlations.contains(&e.correlation_id))
    {
        let Some(cause) = effect.causation_id.as_ref().and_then(|id| log.get(id)) else {
            continue;
        };
        if cause.topic == effect.topic {
            continue; // same service: not a hop between services
        }
        if let (Some(from), Some(to)) = (cause.occurred_at, effect.occurred_at)
            && let Ok(gap) = (to - from).to_std()
        {
            let name = format!(
                "{}_to_{}",
                cause.topic.split('.').nth(1).unwrap_or(cause.topic),
                effect.topic.split('.').nth(1).unwrap_or(effect.topic)
            );
            hops.entry(name).or_default().push(gap);
        }
    }
    hops
}

struct DbSnapshot {
    per_service: Vec<(Service, i64)>,
    commits: i64,
    rows: i64,
    bytes: i64,
}

async fn snapshot(stack: &ServiceStack, admin: &sqlx::PgPool) -> anyhow::Result<DbSnapshot> {
    let mut total = DbSnapshot {
        per_service: Vec::new(),
        commits: 0,
        rows: 0,
        bytes: 0,
    };
    for service in Service::WRITE_SIDE {
        let url = stack.database_url(service);
        let commits = dbstats::commits(admin, dbstats::database_name(&url)).await?;
        total.per_service.push((service, commits));
        total.commits += commits;
        let rows = dbstats::rows(&url).await?;
        total.rows += rows.rows;
        total.bytes += rows.bytes;
    }
    Ok(total)
}

pub async fn run(args: &PipelineArgs) -> anyhow::Result<()> {
    // The write side only: the figures are the order pipeline's (docs/performance.md).
    let stack = ServiceStack::start(&Service::WRITE_SIDE, options(&args.profile)).await?;
    let admin_url = oms_test_support::env::pg_admin_url();
    let admin =
        sqlx::PgPool::connect(&format!("{}/postgres", admin_url.trim_end_matches('/'))).await?;
    let publisher = Arc::new(
        Publisher::connect(
            &stack.kafka().brokers,
            &oms_test_support::env::schema_registry_url(),
            stack.naming().prefix(),
        )
        .await?,
    );
    let log: Log = Arc::new(Mutex::new(HashMap::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = start_reader(&stack, log.clone(), stop.clone())?;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Warm-up: the first orders pay for connections, schema lookups and JIT-free caches.
    let warm = publish(&publisher, 5, None).await?;
    completions(&log, &warm, Duration::from_secs(120)).await?;

    // Maximum rate.
    let before = snapshot(&stack, &admin).await?;
    let started = Instant::now();
    let published = publish(&publisher, args.orders, None).await?;
    let (_, last) = completions(&log, &published, Duration::from_secs(900)).await?;
    let orders_per_s = rate(args.orders, last.saturating_duration_since(started));
    tokio::time::sleep(Duration::from_secs(2)).await; // relays mark the last rows
    let after = snapshot(&stack, &admin).await?;
    let orders = i64::try_from(args.orders).unwrap_or(1).max(1);
    #[allow(clippy::cast_precision_loss)]
    let commits_per_order = (after.commits - before.commits) as f64 / orders as f64;
    let rows = (after.rows - before.rows).max(1);
    let rows_per_commit = rows / (after.commits - before.commits).max(1);
    let avg_row_bytes = (after.bytes - before.bytes) / rows;
    report("pipeline_items_per_order", 4);
    report("pipeline_max_rate_orders", args.orders);
    report(
        "pipeline_max_rate_completed_orders_per_s",
        format!("{orders_per_s:.1}"),
    );
    report(
        "pipeline_db_commits_per_order",
        format!("{commits_per_order:.1}"),
    );
    report("pipeline_db_rows_per_order", rows / orders);
    for ((service, after), (_, before)) in after.per_service.iter().zip(&before.per_service) {
        #[allow(clippy::cast_precision_loss)]
        let per_order = (after - before) as f64 / orders as f64;
        report(
            &format!(
                "pipeline_db_commits_per_order_{}",
                service.name().replace('-', "_")
            ),
            format!("{per_order:.1}"),
        );
    }

    // Moderate fixed rate: end-to-end latency.
    let count = {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let n = (args.moderate_rate * args.moderate_secs as f64).round() as usize;
        n.max(1)
    };
    let interval = Duration::from_secs_f64(1.0 / args.moderate_rate.max(0.01));
    let published = publish(&publisher, count, Some(interval)).await?;
    let (mut latencies, _) = completions(&log, &published, Duration::from_secs(300)).await?;
    report("pipeline_moderate_rate_orders_per_s", args.moderate_rate);
    report("pipeline_moderate_orders", count);
    report(
        "pipeline_e2e_latency_p50_ms",
        format!("{:.0}", millis(percentile(&mut latencies, 50.0))),
    );
    report(
        "pipeline_e2e_latency_p95_ms",
        format!("{:.0}", millis(percentile(&mut latencies, 95.0))),
    );
    report(
        "pipeline_e2e_latency_p99_ms",
        format!("{:.0}", millis(percentile(&mut latencies, 99.0))),
    );
    let moderate: std::collections::HashSet<String> =
        published.iter().map(|(c, _)| c.clone()).collect();
    for (hop, mut gaps) in hops(&log, &moderate) {
        report(&format!("hop_{hop}_samples"), gaps.len());
        report(
            &format!("hop_{hop}_p50_ms"),
            format!("{:.0}", millis(percentile(&mut gaps, 50.0))),
        );
        report(
            &format!("hop_{hop}_p99_ms"),
            format!("{:.0}", millis(percentile(&mut gaps, 99.0))),
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = reader.join();

    // Raw broker rates on the same broker (same message size as our order events, ~0.6 KB).
    let raw_topic = stack.naming().name("bench.raw.v1");
    ensure_topic(stack.kafka(), &raw_topic, 4)
        .await
        .map_err(anyhow::Error::msg)?;
    let payload = vec![b'x'; 600];
    let headers: Vec<(String, String)> =
        (0..10).map(|i| (format!("h{i}"), "x".repeat(20))).collect();
    let produce =
        rawkafka::raw_produce(stack.kafka(), &raw_topic, &payload, &headers, 10_000).await?;
    let consume = rawkafka::raw_consume(stack.kafka(), &raw_topic, 4, 10_000)?;
    report("raw_broker_produce_msgs_per_s", format!("{produce:.0}"));
    report("raw_broker_consume_msgs_per_s", format!("{consume:.0}"));
    stack.shutdown().await;
    admin.close().await;

    // The commit ceiling of a transaction shaped like ours, on the same server.
    let shape = TransactionShape {
        rows: u32::try_from(rows_per_commit.max(1)).unwrap_or(1),
        avg_row_bytes: u32::try_from(avg_row_bytes.max(1)).unwrap_or(100),
    };
    let ceiling = pgbench::commit_ceiling(&admin_url, shape, 8, 10)?;
    report("pg_commit_ceiling_tx_per_s", format!("{ceiling:.0}"));
    report(
        "pipeline_commit_efficiency",
        format!("{:.2}", orders_per_s * commits_per_order / ceiling),
    );
    Ok(())
}
