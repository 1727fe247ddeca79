//! `oms-migrate <service>`: applies the service's database migrations and exits.
//!
//! Reads `database.*` like the service (`OMS_DATABASE__URL`, `OMS_DATABASE__CREATE_IF_MISSING`,
//! ...; defaults < `OMS_CONFIG_FILE` < `OMS_*`). Kubernetes runs it as an init container, so a
//! migration that fails keeps the new pod from starting and the old replicas keep serving.

use anyhow::Context as _;
use clap::Parser;
use oms_deploy::migrate::{TARGETS, target};

#[derive(Debug, Parser)]
#[command(about = "Applies one service's database migrations and exits")]
struct Args {
    /// The service whose database to migrate: order-capture, decomposition, fulfillment, asset,
    /// projections.
    service: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let Some(target) = target(&args.service) else {
        let known: Vec<_> = TARGETS.iter().map(|t| t.service).collect();
        anyhow::bail!(
            "unknown service `{}` (known: {})",
            args.service,
            known.join(", ")
        );
    };
    let config = target.load_config().context("loading the configuration")?;
    let _telemetry = oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env("oms-migrate"))?;
    let pool = oms_runtime::db::connect_and_migrate(&config.database, target.migrator)
        .await
        .with_context(|| format!("migrating the {} database", target.service))?;
    pool.close().await;
    tracing::info!(
        service = target.service,
        latest_version = target.latest_version(),
        "database migrated"
    );
    Ok(())
}
