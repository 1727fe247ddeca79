//! Persistence of the installed base. Every function takes `&mut PgConnection`, so the caller
//! owns the transaction: the consumer applies a fulfilled item (guard row, asset, history,
//! inconsistency case, outbox row) in the one transaction the inbox consumer opened.
//!
//! - [`assets`]: current state, locked and version-checked on write;
//! - [`history`]: the append-only change log (a trigger refuses updates and deletes);
//! - [`guard`]: `asset_change_applied`, the per-order-item idempotency guard;
//! - [`cases`]: inconsistency cases;
//! - [`queries`]: the API's tenant-scoped reads.

pub mod assets;
pub mod cases;
pub mod guard;
pub mod history;
pub mod queries;
pub(crate) mod text;

pub use assets::StoredAsset;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value no longer parses into its domain type (a bug or a manual edit).
    #[error("stored column `{column}` is invalid: {detail}")]
    Corrupt {
        column: &'static str,
        detail: String,
    },
    /// The asset moved past the version the writer read: a concurrent change.
    #[error("asset {asset_id} is no longer at version {expected}")]
    VersionConflict { asset_id: String, expected: i64 },
    #[error("value {value} does not fit its column")]
    OutOfRange { value: i64 },
}
