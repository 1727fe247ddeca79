//! Configuration: the shared sections (`http`, `database`, `kafka`, `schema_registry`,
//! `auth`) plus `[capture]`, layered as the runtime does (defaults < `OMS_CONFIG_FILE` <
//! `OMS_*` variables). Everything environment-specific (database, brokers, topic prefix,
//! tokens) is configuration, so one binary runs locally, in tests and in benchmarks.

use oms_runtime::config::{self, CommonConfig, ConfigError, ServiceConfig};
use serde::{Deserialize, Serialize};

/// `[capture]` keys (`OMS_CAPTURE__...`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureSettings {
    /// Largest number of items one order may carry (protocol layer, 001 §8.1).
    pub max_items_per_order: usize,
    /// Largest page the order search returns.
    pub max_page_size: i64,
    /// How often a consumer retries a command whose optimistic lock lost to a concurrent
    /// writer before handing the record back for a transient retry.
    pub version_conflict_retries: u32,
}

impl Default for CaptureSettings {
    fn default() -> Self {
        Self {
            max_items_per_order: 200,
            max_page_size: 200,
            version_conflict_retries: 5,
        }
    }
}

/// The service's own sections.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServiceSettings {
    #[serde(default)]
    pub capture: CaptureSettings,
}

/// Local-stack defaults: port 8080, database `oms_order_capture`.
pub fn defaults() -> CommonConfig {
    CommonConfig::local(crate::SERVICE, "oms_order_capture", 8080)
}

/// Loads the layered configuration.
pub fn load_config() -> Result<ServiceConfig<ServiceSettings>, ConfigError> {
    config::load::<ServiceSettings>(crate::SERVICE, &defaults())
}
