//! `oms-relay`: a standalone outbox relay for one service's database.
//!
//! Services run their relay in-process; this binary runs the same relay as its own process,
//! e.g. as a separate deployment that scales independently, or to drain an outbox while the
//! service is down. Several copies may run at once: shards are split between them by advisory
//! locks (ADR 0003).
//!
//! It reads the services' own `database.*` and `kafka.*` keys through the same layers (defaults
//! < `OMS_CONFIG_FILE` < `OMS_*` variables: `OMS_DATABASE__URL`, `OMS_KAFKA__BROKERS`,
//! `OMS_KAFKA__OUTBOX_SHARDS`, `OMS_KAFKA__PROPERTIES__SASL_PASSWORD`, ...), so one Secret and
//! ConfigMap serve a service and its relay alike; a command-line flag overrides its key.

use anyhow::Context as _;
use clap::Parser;
use oms_messaging::{KafkaSettings, Relay, RelaySettings};
use oms_runtime::config::{ConfigLoader, DatabaseConfig, KafkaConfig};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Parser)]
#[command(about = "Drains one service's transactional outbox to Kafka")]
struct Args {
    /// PostgreSQL URL of the service's database (overrides `database.url`).
    #[arg(long)]
    database_url: Option<String>,
    /// Service name: lock namespace and NOTIFY channel; must match the service's outbox.
    #[arg(long, env = "OMS_SERVICE")]
    service: String,
    /// Kafka bootstrap servers (overrides `kafka.brokers`).
    #[arg(long)]
    brokers: Option<String>,
    /// Shard count; must match the service's outbox (overrides `kafka.outbox_shards`).
    #[arg(long)]
    shards: Option<u16>,
    /// Rows per batch.
    #[arg(long, default_value_t = 500)]
    batch_size: i64,
    /// Polling fallback in milliseconds.
    #[arg(long, default_value_t = 500)]
    poll_ms: u64,
}

/// The configuration sections the relay shares with the services.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RelayConfig {
    database: DatabaseConfig,
    kafka: KafkaConfig,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            database: DatabaseConfig {
                // the service creates and migrates its database; the relay only reads and marks
                max_connections: 4,
                create_if_missing: false,
                ..DatabaseConfig::default()
            },
            kafka: KafkaConfig::default(),
        }
    }
}

impl RelayConfig {
    fn load() -> anyhow::Result<Self> {
        Ok(ConfigLoader::new("oms-relay").load_one(&Self::default())?)
    }

    /// Command-line flags over the loaded keys.
    fn with_args(mut self, args: &Args) -> Self {
        if let Some(url) = &args.database_url {
            self.database.url = url.clone().into();
        }
        if let Some(brokers) = &args.brokers {
            self.kafka.brokers.clone_from(brokers);
        }
        if let Some(shards) = args.shards {
            self.kafka.outbox_shards = shards;
        }
        self
    }

    fn relay_settings(&self, args: &Args) -> RelaySettings {
        let mut settings = RelaySettings::new(&args.service, self.kafka.outbox_shards);
        settings.batch_size = args.batch_size;
        settings.poll_interval = Duration::from_millis(args.poll_ms);
        settings
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = RelayConfig::load()
        .context("loading the configuration")?
        .with_args(&args);
    let _telemetry = oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env("oms-relay"))?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(config.database.max_connections)
        .acquire_timeout(config.database.acquire_timeout())
        .connect(config.database.url.expose())
        .await
        .context("connecting to the service database")?;
    let settings = config.relay_settings(&args);
    let shards = settings.shards;
    let relay = Relay::new(
        pool,
        KafkaSettings::from_config(&config.kafka),
        settings,
        None,
    );
    let stats = relay.stats();

    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        signal.cancel();
    });
    tracing::info!(service = %args.service, shards, "relay starting");
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

#[cfg(test)]
mod tests {
    // Jail closures must return `figment::Result`, whose error type is large; not ours to shrink.
    #![allow(clippy::result_large_err)]

    use super::*;
    use figment::Jail;

    fn args(extra: &[&str]) -> Args {
        let mut argv = vec!["oms-relay", "--service", "asset"];
        argv.extend_from_slice(extra);
        Args::parse_from(argv)
    }

    #[test]
    fn reads_the_services_keys_from_the_environment() {
        Jail::expect_with(|jail| {
            jail.set_env("OMS_DATABASE__URL", "postgres://relay:pw@db:5432/oms_asset");
            jail.set_env("OMS_DATABASE__MAX_CONNECTIONS", "2");
            jail.set_env("OMS_KAFKA__BROKERS", "kafka:9093");
            jail.set_env("OMS_KAFKA__OUTBOX_SHARDS", "16");
            jail.set_env("OMS_KAFKA__PROPERTIES__SECURITY_PROTOCOL", "SASL_SSL");
            jail.set_env("OMS_KAFKA__PROPERTIES__SASL_PASSWORD", "kafka-pa55word");
            let args = args(&[]);
            let config = RelayConfig::load().expect("loads").with_args(&args);
            assert_eq!(
                config.database.url.expose(),
                "postgres://relay:pw@db:5432/oms_asset"
            );
            assert_eq!(config.database.max_connections, 2);
            assert_eq!(config.relay_settings(&args).shards, 16);
            let kafka = KafkaSettings::from_config(&config.kafka);
            assert_eq!(kafka.brokers, "kafka:9093");
            assert_eq!(kafka.extra["security.protocol"], "SASL_SSL");
            assert_eq!(kafka.extra["sasl.password"], "kafka-pa55word");
            assert!(!format!("{config:?} {kafka:?}").contains("pa55word"));
            Ok(())
        });
    }

    #[test]
    fn flags_override_the_configuration() {
        Jail::expect_with(|jail| {
            jail.set_env("OMS_KAFKA__BROKERS", "kafka:9093");
            jail.set_env("OMS_KAFKA__OUTBOX_SHARDS", "16");
            let args = args(&[
                "--brokers",
                "127.0.0.1:9092",
                "--shards",
                "4",
                "--database-url",
                "postgres://postgres@127.0.0.1:5432/x",
            ]);
            let config = RelayConfig::load().expect("loads").with_args(&args);
            assert_eq!(config.kafka.brokers, "127.0.0.1:9092");
            assert_eq!(config.relay_settings(&args).shards, 4);
            assert_eq!(
                config.database.url.expose(),
                "postgres://postgres@127.0.0.1:5432/x"
            );
            assert!(!config.database.create_if_missing);
            Ok(())
        });
    }
}
