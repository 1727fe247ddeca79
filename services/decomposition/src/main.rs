//! `oms-decomposition`: reads configuration, starts telemetry, builds and runs the
//! decomposition service.

use oms_decomposition::config::{LOCAL_DATABASE, LOCAL_PORT};
use oms_decomposition::{Application, SERVICE, Settings};
use oms_runtime::Shutdown;
use oms_runtime::config::{self, CommonConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let defaults = CommonConfig::local(SERVICE, LOCAL_DATABASE, LOCAL_PORT);
    let config = config::load::<Settings>(SERVICE, &defaults)?;
    let _telemetry = oms_telemetry::init(&oms_telemetry::TelemetryConfig::from_env(SERVICE))?;
    Application::build(config, Shutdown::on_signal())
        .await?
        .run_until_stopped()
        .await
}
