//! `oms-probe [PATH]`: exits 0 when the service in this container answers `GET PATH`
//! (default `/health/live`) with 200, 1 otherwise. The address is the service's `http.addr`
//! (`OMS_HTTP__ADDR`, or the file in `OMS_CONFIG_FILE`), asked on loopback when it is a
//! wildcard. For the image's `HEALTHCHECK`; Kubernetes probes the same paths with httpGet.

use oms_deploy::probe::{get_status, target_addr};
use oms_runtime::config::{ConfigLoader, HttpConfig};
use serde::{Deserialize, Serialize};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProbeConfig {
    http: HttpConfig,
}

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/health/live".to_owned());
    let config = match ConfigLoader::new("oms-probe").load_one(&ProbeConfig::default()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("oms-probe: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = target_addr(config.http.addr);
    match get_status(addr, &path, Duration::from_secs(3)) {
        Ok(200) => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("oms-probe: GET http://{addr}{path} answered {status}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("oms-probe: GET http://{addr}{path}: {error}");
            ExitCode::FAILURE
        }
    }
}
