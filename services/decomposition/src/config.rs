//! The decomposition service's own configuration keys, next to the shared sections (`http`,
//! `database`, `kafka`, `schema_registry`, `auth`; see `oms_runtime::config`):
//!
//! ```toml
//! [decomposition]
//! catalog_files = ["deploy/catalog/catalog-v1.toml"]  # OMS_DECOMPOSITION__CATALOG_FILES='["a.toml","b.toml"]'
//! max_catalog_bytes = 262144                           # OMS_DECOMPOSITION__MAX_CATALOG_BYTES
//! ```

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Database the service owns on the local stack.
pub const LOCAL_DATABASE: &str = "oms_decomposition";
/// HTTP port on the local stack.
pub const LOCAL_PORT: u16 = 8082;

/// Keys outside the shared sections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub decomposition: DecompositionSettings,
}

/// `decomposition.*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DecompositionSettings {
    /// Technical catalog files published at start-up, in this order (relative paths from the
    /// working directory). Each is validated completely; publishing is idempotent (a version
    /// already published with the same rules is left alone), and a file that re-uses a
    /// published version number with other rules, or is lower than the latest published
    /// version, stops start-up. The service then decomposes with the latest published version,
    /// which may be one published later through the operator API. Empty is allowed once the
    /// database holds a published version.
    pub catalog_files: Vec<PathBuf>,
    /// Largest catalog text `POST /api/v1/catalog/versions` accepts (413 above it).
    pub max_catalog_bytes: usize,
}

impl Default for DecompositionSettings {
    fn default() -> Self {
        Self {
            catalog_files: Vec::new(),
            max_catalog_bytes: 256 * 1024,
        }
    }
}
