//! The process-wide Prometheus recorder behind `/metrics`.
//!
//! `metrics` has one global recorder per process, so [`install`] installs ours once and returns
//! the same handle on every later call (several apps in one test process share it). A thread runs
//! the exporter's upkeep every few seconds so histograms do not grow without bound.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Installs the Prometheus recorder (first call) and returns its handle.
///
/// If another recorder was installed globally first, metrics go there; the handle returned then
/// belongs to a recorder nobody writes to, and a warning is logged.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = match PrometheusBuilder::new().install_recorder() {
                Ok(handle) => handle,
                Err(error) => {
                    tracing::warn!(%error, "another metrics recorder is installed; /metrics will be empty");
                    PrometheusBuilder::new().build_recorder().handle()
                }
            };
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".to_owned())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_INTERVAL);
                        upkeep.run_upkeep();
                    }
                });
            if let Err(error) = spawned {
                tracing::warn!(%error, "cannot start the metrics upkeep thread");
            }
            handle
        })
        .clone()
}

/// The current metrics in the Prometheus text exposition format.
pub fn render() -> String {
    install().render()
}
