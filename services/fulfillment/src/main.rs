//! `oms-fulfillment`: reads configuration (defaults < `OMS_CONFIG_FILE` < `OMS_*`), starts
//! telemetry, builds the application and runs it until SIGTERM/Ctrl-C.

use oms_fulfillment::{Application, Settings, config};
use oms_runtime::Shutdown;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = oms_runtime::config::load::<Settings>(config::SERVICE, &config::local_defaults())?;
    let _telemetry =
        oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env(config::SERVICE))?;
    Application::build(config, Shutdown::on_signal())
        .await?
        .run_until_stopped()
        .await
}
