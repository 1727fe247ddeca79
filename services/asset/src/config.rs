//! The asset service's own configuration keys, next to the shared sections (`http`,
//! `database`, `kafka`, `schema_registry`, `auth`; see `oms_runtime::config`):
//!
//! ```toml
//! [asset]
//! consumer = "asset"   # OMS_ASSET__CONSUMER
//! ```

use serde::{Deserialize, Serialize};

/// Database the service owns on the local stack.
pub const LOCAL_DATABASE: &str = "oms_asset";
/// HTTP port on the local stack.
pub const LOCAL_PORT: u16 = 8084;

/// Keys outside the shared sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub asset: AssetSettings,
}

/// `asset.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssetSettings {
    /// Inbox consumer name and Kafka consumer group (behind `kafka.topic_prefix`) of the
    /// fulfillment consumer. Keep the default; a new name makes the service re-read the whole
    /// fulfillment topic (a rebuild), which changes nothing already applied because each order
    /// item is applied at most once (`asset_change_applied`).
    pub consumer: String,
}

impl Default for AssetSettings {
    fn default() -> Self {
        Self {
            consumer: crate::SERVICE.to_owned(),
        }
    }
}
