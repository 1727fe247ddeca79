//! `oms-projections`: the projections service, and its two maintenance commands.
//!
//! - `oms-projections` (or `serve`): reads configuration, starts telemetry, builds and runs the
//!   service;
//! - `oms-projections rebuild`: drops the read model and starts the next generation; a running
//!   service notices within `projections.generation_poll_ms` (at once through NOTIFY) and
//!   replays every topic from the beginning;
//! - `oms-projections dump`: prints the read model canonically (one `<table>\t<json>` line per
//!   row, in key order), to compare two read models byte for byte.
//!
//! All three read the same configuration (`OMS_CONFIG_FILE`, `OMS_*`).

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use oms_projections::config::{LOCAL_DATABASE, LOCAL_PORT};
use oms_projections::{Application, MIGRATOR, SERVICE, Settings};
use oms_runtime::Shutdown;
use oms_runtime::config::{self, CommonConfig, ServiceConfig};
use std::io::Write as _;

#[derive(Debug, Parser)]
#[command(
    name = "oms-projections",
    about = "The OMS read side: read models and the operations dashboard",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Drop the read model and replay every topic from the beginning (a new generation).
    Rebuild,
    /// Print the read model canonically, for byte-for-byte comparison.
    Dump,
}

async fn pool(config: &ServiceConfig<Settings>) -> anyhow::Result<sqlx::PgPool> {
    oms_runtime::db::connect_and_migrate(&config.common.database, &MIGRATOR)
        .await
        .context("connecting to the projections database")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let defaults = CommonConfig::local(SERVICE, LOCAL_DATABASE, LOCAL_PORT);
    let config = config::load::<Settings>(SERVICE, &defaults)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let _telemetry =
                oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env(SERVICE))?;
            Application::build(config, Shutdown::on_signal())
                .await?
                .run_until_stopped()
                .await
        }
        Command::Rebuild => {
            let pool = pool(&config).await?;
            let by = format!(
                "CLI:{}",
                std::env::var("USER").unwrap_or_else(|_| "operator".to_owned())
            );
            let settings = &config.service.projections;
            let generation =
                oms_projections::rebuild::rebuild(&pool, &settings.consumer, &by).await?;
            println!(
                "read model dropped; generation {generation} replays every topic in consumer group {}",
                settings.group(generation)
            );
            Ok(())
        }
        Command::Dump => {
            let pool = pool(&config).await?;
            let mut conn = pool.acquire().await?;
            let lines = oms_projections::store::generation::dump(&mut conn).await?;
            let mut out = std::io::stdout().lock();
            for line in lines {
                writeln!(out, "{line}")?;
            }
            Ok(())
        }
    }
}
