//! Messaging benchmark (issue 3): the outbox, relay and inbox consumer against raw rdkafka on
//! the same broker, database and message size, in one run.
//!
//! Figures: raw produce and consume rates; outbox insert rate (transactions/s); relay drain
//! rate from a backlog and in steady state (writers running); effectively-once consumer rate;
//! per-hop latency (commit -> handler start) at a moderate fixed rate; and the ratios
//! relay/raw-produce and consumer/raw-consume.

use crate::{
    event::{BENCH_TOPIC, BenchEventV1, bench_event},
    stats::{millis, percentile, rate, report},
};
use oms_messaging::{
    Codec, ConsumerSettings, EventContract, Handler, HandlerError, InboxConsumer, KafkaSettings,
    MessageContext, Outbox, Relay, RelaySettings, Router, TopicNaming, ensure_topic,
};
use oms_test_support::TestDatabase;
use sqlx::PgConnection;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const PARTITIONS: i32 = 4;
const SHARDS: u16 = 4;

/// Knobs of the messaging benchmark.
#[derive(Debug, Clone, clap::Args)]
pub struct MessagingArgs {
    /// Events per throughput phase.
    #[arg(long, default_value_t = 10_000)]
    pub events: usize,
    /// Concurrent writer tasks appending to the outbox.
    #[arg(long, default_value_t = 8)]
    pub writers: usize,
    /// Seconds of the steady-state phase (writers and relay together).
    #[arg(long, default_value_t = 10)]
    pub steady_secs: u64,
    /// Events per second of the latency phase.
    #[arg(long, default_value_t = 200)]
    pub moderate_rate: u32,
    /// Seconds of the latency phase.
    #[arg(long, default_value_t = 10)]
    pub latency_secs: u64,
    /// Consumers' `fetch.wait.max.ms` (default: the messaging crate's).
    #[arg(long)]
    pub fetch_wait_ms: Option<u32>,
}

/// Commit instants by event id (writers) and handler-start instants (consumer).
type Instants = Arc<Mutex<HashMap<Uuid, Instant>>>;

#[derive(Clone)]
struct BenchHandler {
    started: Instants,
}

impl Handler for BenchHandler {
    type Event = BenchEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &BenchEventV1,
        _ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let id = event.envelope().event_id;
        if let Ok(mut started) = self.started.lock() {
            started.entry(id).or_insert_with(Instant::now);
        }
        sqlx::query("insert into effects (event_id, aggregate_id) values ($1, $2)")
            .bind(id)
            .bind(event.key())
            .execute(conn)
            .await?;
        Ok(())
    }
}

struct Env {
    db: TestDatabase,
    kafka: KafkaSettings,
    naming: TopicNaming,
    codec: Arc<Codec>,
    outbox: Outbox,
}

impl Env {
    async fn new(fetch_wait_ms: Option<u32>) -> anyhow::Result<Self> {
        let db = TestDatabase::create(&oms_messaging::MIGRATOR).await;
        sqlx::query("create table effects (event_id uuid primary key, aggregate_id text not null)")
            .execute(db.pool())
            .await?;
        let run = Uuid::now_v7().simple().to_string();
        let naming = TopicNaming::with_prefix(&format!("bench{}", &run[run.len() - 10..]));
        let mut kafka = KafkaSettings::new(oms_test_support::env::kafka_brokers());
        if let Some(wait) = fetch_wait_ms {
            kafka
                .extra
                .insert("fetch.wait.max.ms".into(), wait.to_string());
        }
        for topic in [BENCH_TOPIC, "bench.raw.v1"] {
            ensure_topic(&kafka, &naming.name(topic), PARTITIONS)
                .await
                .map_err(anyhow::Error::msg)?;
        }
        let codec = Arc::new(Codec::new(&oms_test_support::env::schema_registry_url())?);
        let outbox = Outbox::new(
            codec.clone(),
            naming.clone(),
            db.pool().clone(),
            "bench",
            SHARDS,
        );
        outbox.register::<BenchEventV1>().await?;
        Ok(Self {
            db,
            kafka,
            naming,
            codec,
            outbox,
        })
    }

    async fn unpublished(&self) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar("select count(*) from outbox where published_at is null")
                .fetch_one(self.db.pool())
                .await?,
        )
    }

    async fn effects(&self) -> anyhow::Result<i64> {
        Ok(sqlx::query_scalar("select count(*) from effects")
            .fetch_one(self.db.pool())
            .await?)
    }

    fn relay(&self) -> Relay {
        let mut settings = RelaySettings::new("bench", SHARDS);
        settings.poll_interval = Duration::from_millis(100);
        Relay::new(
            self.db.pool().clone(),
            self.kafka.clone(),
            settings,
            Some(self.outbox.waker()),
        )
    }

    /// `total` events by `writers` concurrent tasks, one transaction each, as fast as possible.
    /// Returns the elapsed time.
    async fn write(
        &self,
        total: usize,
        writers: usize,
        committed: Option<&Instants>,
    ) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for writer in 0..writers {
            let (outbox, pool, committed) = (
                self.outbox.clone(),
                self.db.pool().clone(),
                committed.cloned(),
            );
            let share = total / writers + usize::from(writer < total % writers);
            tasks.push(tokio::spawn(async move {
                let aggregate = Uuid::now_v7();
                for sequence in 0..share {
                    let event = bench_event(aggregate, i64::try_from(sequence).unwrap_or(i64::MAX));
                    let mut tx = pool.begin().await?;
                    outbox.append(&mut tx, &event).await?;
                    outbox.commit(tx).await?;
                    if let Some(committed) = &committed
                        && let Ok(mut map) = committed.lock()
                    {
                        map.insert(event.envelope().event_id, Instant::now());
                    }
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        Ok(started.elapsed())
    }
}

async fn wait_until<F, Fut>(mut done: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(600);
    while !done().await? {
        anyhow::ensure!(
            Instant::now() < deadline,
            "benchmark phase did not finish within 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

pub async fn run(args: &MessagingArgs) -> anyhow::Result<()> {
    let env = Env::new(args.fetch_wait_ms).await?;
    report(
        "consumer_fetch_wait_max_ms",
        args.fetch_wait_ms
            .map_or_else(|| "20 (default)".to_owned(), |w| w.to_string()),
    );
    let sample = bench_event(Uuid::now_v7(), 1);
    let payload = sample
        .encode(&env.codec, &env.naming.name(BENCH_TOPIC))
        .await?;
    let headers: Vec<(String, String)> = sample.envelope().to_headers().into_iter().collect();
    report("message_bytes", payload.len());
    report(
        "message_header_bytes",
        headers
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>(),
    );

    let raw_produce_rate = crate::rawkafka::raw_produce(
        &env.kafka,
        &env.naming.name("bench.raw.v1"),
        &payload,
        &headers,
        args.events,
    )
    .await?;
    report("raw_produce_msgs_per_s", format!("{raw_produce_rate:.0}"));
    let raw_consume_rate = crate::rawkafka::raw_consume(
        &env.kafka,
        &env.naming.name("bench.raw.v1"),
        PARTITIONS,
        args.events,
    )?;
    report("raw_consume_msgs_per_s", format!("{raw_consume_rate:.0}"));

    // Outbox inserts with no relay running: the business-transaction cost of an event.
    let elapsed = env.write(args.events, args.writers, None).await?;
    report(
        "outbox_insert_tx_per_s",
        format!("{:.0}", rate(args.events, elapsed)),
    );

    // Relay draining that backlog.
    let shutdown = CancellationToken::new();
    let relay = env.relay();
    let stats = relay.stats();
    let started = Instant::now();
    tokio::spawn(relay.run(shutdown.clone()));
    wait_until(|| async { Ok(env.unpublished().await? == 0) }).await?;
    let backlog_rate = rate(args.events, started.elapsed());
    report("relay_backlog_events_per_s", format!("{backlog_rate:.0}"));

    // Steady state: writers at full speed while the relay keeps up.
    let before = stats.published();
    let window = Instant::now();
    let steady_writes = tokio::spawn({
        let writers = args.writers;
        let env_outbox = env.outbox.clone();
        let pool = env.db.pool().clone();
        let deadline = Instant::now() + Duration::from_secs(args.steady_secs);
        async move {
            let mut tasks = Vec::new();
            for _ in 0..writers {
                let (outbox, pool) = (env_outbox.clone(), pool.clone());
                tasks.push(tokio::spawn(async move {
                    let aggregate = Uuid::now_v7();
                    let mut sequence = 0;
                    while Instant::now() < deadline {
                        let mut tx = pool.begin().await?;
                        outbox
                            .append(&mut tx, &bench_event(aggregate, sequence))
                            .await?;
                        outbox.commit(tx).await?;
                        sequence += 1;
                    }
                    anyhow::Ok(usize::try_from(sequence).unwrap_or(0))
                }));
            }
            let mut written = 0;
            for task in tasks {
                written += task.await??;
            }
            anyhow::Ok(written)
        }
    });
    let steady_written = steady_writes.await??;
    wait_until(|| async { Ok(env.unpublished().await? == 0) }).await?;
    let steady_elapsed = window.elapsed();
    let steady_published = usize::try_from(stats.published() - before).unwrap_or(0);
    let steady_rate = rate(steady_published, steady_elapsed);
    report("relay_steady_events_per_s", format!("{steady_rate:.0}"));
    report("relay_steady_written_events", steady_written);
    report("relay_lag_after_steady_ms", stats.lag().as_millis());
    report(
        "ratio_relay_to_raw_produce",
        format!("{:.2}", backlog_rate.max(steady_rate) / raw_produce_rate),
    );

    // Effectively-once consumption of everything published so far.
    let total = args.events + steady_published;
    let started_at: Instants = Arc::new(Mutex::new(HashMap::new()));
    let router = Arc::new(
        Router::new(
            "bench-consumer",
            env.db.pool().clone(),
            env.codec.clone(),
            env.naming.clone(),
        )
        .route(BenchHandler {
            started: started_at.clone(),
        }),
    );
    let consumer = InboxConsumer::new(
        router,
        env.kafka.clone(),
        ConsumerSettings::new(&env.naming.name("bench-consumer"), "bench.dlq.v1"),
    );
    let status = consumer.status();
    let consume_started = Instant::now();
    tokio::spawn(consumer.run(shutdown.clone()));
    wait_until(|| async { Ok(usize::try_from(env.effects().await?).unwrap_or(0) >= total) })
        .await?;
    let consumer_rate = rate(total, consume_started.elapsed());
    report(
        "consumer_effectively_once_events_per_s",
        format!("{consumer_rate:.0}"),
    );
    report(
        "ratio_consumer_to_raw_consume",
        format!("{:.2}", consumer_rate / raw_consume_rate),
    );
    report(
        "consumer_duplicates_absorbed",
        status.processed().saturating_sub(total as u64),
    );

    let mut raw = crate::rawkafka::raw_latency(
        &env.kafka,
        &env.naming.name("bench.rawlatency.v1"),
        PARTITIONS,
        &payload,
        args.moderate_rate,
        args.latency_secs,
    )
    .await?;
    report("raw_broker_latency_samples", raw.len());
    report(
        "raw_broker_latency_p50_ms",
        format!("{:.1}", millis(percentile(&mut raw, 50.0))),
    );
    report(
        "raw_broker_latency_p99_ms",
        format!("{:.1}", millis(percentile(&mut raw, 99.0))),
    );

    // Per-hop latency at a moderate fixed rate: commit (writer) -> handler start (consumer).
    let committed: Instants = Arc::new(Mutex::new(HashMap::new()));
    started_at
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .clear();
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.moderate_rate.max(1)));
    let count = usize::try_from(u64::from(args.moderate_rate) * args.latency_secs).unwrap_or(0);
    let aggregates: Vec<Uuid> = (0..32).map(|_| Uuid::now_v7()).collect();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut writes = Vec::with_capacity(count);
    for i in 0..count {
        ticker.tick().await;
        let (outbox, pool, committed) =
            (env.outbox.clone(), env.db.pool().clone(), committed.clone());
        let event = bench_event(
            aggregates[i % aggregates.len()],
            i64::try_from(i).unwrap_or(0),
        );
        writes.push(tokio::spawn(async move {
            let mut tx = pool.begin().await?;
            outbox.append(&mut tx, &event).await?;
            outbox.commit(tx).await?;
            if let Ok(mut map) = committed.lock() {
                map.insert(event.envelope().event_id, Instant::now());
            }
            anyhow::Ok(())
        }));
    }
    for write in writes {
        write.await??;
    }
    wait_until(|| async {
        Ok(usize::try_from(env.effects().await?).unwrap_or(0) >= total + count)
    })
    .await?;
    let mut latencies: Vec<Duration> = {
        let committed = committed.lock().map_err(|_| anyhow::anyhow!("lock"))?;
        let started = started_at.lock().map_err(|_| anyhow::anyhow!("lock"))?;
        committed
            .iter()
            .filter_map(|(id, at)| {
                started
                    .get(id)
                    .map(|start| start.saturating_duration_since(*at))
            })
            .collect()
    };
    report("hop_latency_rate_per_s", args.moderate_rate);
    report("hop_latency_samples", latencies.len());
    report(
        "hop_latency_p50_ms",
        format!("{:.1}", millis(percentile(&mut latencies, 50.0))),
    );
    report(
        "hop_latency_p99_ms",
        format!("{:.1}", millis(percentile(&mut latencies, 99.0))),
    );

    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}
