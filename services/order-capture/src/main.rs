//! `oms-order-capture`: reads configuration, starts telemetry, runs the service until
//! SIGTERM/Ctrl-C.

use anyhow::Context as _;
use oms_order_capture::{Application, SERVICE, load_config};
use oms_runtime::Shutdown;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = load_config().context("loading the configuration")?;
    let _telemetry = oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env(SERVICE))
        .context("starting telemetry")?;
    Application::build(config, Shutdown::on_signal())
        .await
        .context("starting order-capture")?
        .run_until_stopped()
        .await
}
