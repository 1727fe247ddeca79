//! `oms-schema-registry` binary: the local stand-in for a Confluent Schema Registry.

use clap::Parser as _;
use oms_schema_registry::{Application, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    let app = Application::build(config).await?;
    app.run_until_stopped().await
}
