//! `oms-relay`: a standalone outbox relay for one service's database.
//!
//! Services run their relay in-process; this binary runs the same relay as its own process,
//! e.g. as a separate deployment that scales independently, or to drain an outbox while the
//! service is down. Several copies may run at once: shards are split between them by advisory
//! locks (ADR 0003).

use anyhow::Context as _;
use clap::Parser;
use oms_messaging::{KafkaSettings, Relay, RelaySettings};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
#[command(about = "Drains one service's transactional outbox to Kafka")]
struct Args {
    /// PostgreSQL URL of the service's database.
    #[arg(long, env = "OMS_DATABASE__URL")]
    database_url: String,
    /// Service name: lock namespace and NOTIFY channel; must match the service's outbox.
    #[arg(long, env = "OMS_SERVICE")]
    service: String,
    /// Kafka bootstrap servers.
    #[arg(long, env = "OMS_KAFKA__BROKERS", default_value = "127.0.0.1:9092")]
    brokers: String,
    /// Shard count; must match the service's outbox.
    #[arg(long, env = "OMS_OUTBOX__SHARDS", default_value_t = 8)]
    shards: u16,
    /// Rows per batch.
    #[arg(long, default_value_t = 500)]
    batch_size: i64,
    /// Polling fallback in milliseconds.
    #[arg(long, default_value_t = 500)]
    poll_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let _telemetry = oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env("oms-relay"))?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&args.database_url)
        .await
        .context("connecting to the service database")?;
    let mut settings = RelaySettings::new(&args.service, args.shards);
    settings.batch_size = args.batch_size;
    settings.poll_interval = Duration::from_millis(args.poll_ms);
    let relay = Relay::new(pool, KafkaSettings::new(args.brokers), settings, None);
    let stats = relay.stats();

    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        signal.cancel();
    });
    tracing::info!(service = %args.service, shards = args.shards, "relay starting");
    relay.run(shutdown).await?;
    tracing::info!(published = stats.published(), "relay exited");
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
