//! The technical catalog: versioned decomposition rules that map a product offering (and
//! version range) and an item action to the fulfillment tasks it takes (DOMAIN §6,
//! 000 §12, 002 §16).
//!
//! - [`model`]: [`DecompositionRule`], [`TaskTemplate`], [`VersionRange`] and names;
//! - [`system`]: the closed list of downstream [`TargetSystem`]s;
//! - [`version`]: [`RulesVersion`] (number + content hash);
//! - [`lookup`]: the loaded [`TechnicalCatalog`] and rule resolution with classified misses;
//! - `load`/`validate`/`shape`/`file`: reading a TOML catalog file with positioned, coded
//!   [`CatalogError`]s (format documented in `docs/catalog.md`).
//!
//! A catalog is immutable once loaded; publishing means loading a new file under a higher
//! version number. Plans record the version and their own hash, so a new version never
//! changes a plan already made.

mod error;
mod file;
mod load;
pub mod lookup;
pub mod model;
mod shape;
pub mod system;
mod validate;
pub mod version;

pub use error::{CatalogError, CatalogErrorCode, CatalogErrors, Location};
pub use lookup::{RuleMiss, TechnicalCatalog};
pub use model::{
    ActionClass, DecompositionRule, TaskTemplate, TaskType, TemplateKey, VersionRange, action_str,
};
pub use system::TargetSystem;
pub use version::RulesVersion;
