//! Persistence of the decomposition service. Every function takes `&mut PgConnection`, so the
//! caller owns the transaction: the consumer writes a plan (or a failure) and its outbox row
//! in the one transaction the inbox consumer opened; publication writes a catalog version
//! under its own lock.
//!
//! - [`catalog`]: published rules versions (immutable rows, a trigger refuses changes);
//! - [`outcomes`]: the per-order lock and "was this order decomposed already";
//! - [`plans`]: stored plans (canonical JSON kept byte for byte) and their reads;
//! - [`failures`]: recorded decomposition failures and their reads.

pub mod catalog;
pub mod failures;
pub mod outcomes;
pub mod plans;
pub mod replans;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value no longer reads as its type (a bug or a manual edit).
    #[error("stored column `{column}` is invalid: {detail}")]
    Corrupt {
        column: &'static str,
        detail: String,
    },
}

impl StoreError {
    pub(crate) fn corrupt(column: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            column,
            detail: format!("{detail}"),
        }
    }
}

/// A count or number that must fit a PostgreSQL `integer`.
pub(crate) fn to_i32(
    column: &'static str,
    value: impl TryInto<i32> + Copy + ToString,
) -> Result<i32, StoreError> {
    value
        .try_into()
        .map_err(|_| StoreError::corrupt(column, format!("{} does not fit", value.to_string())))
}

/// A stored `integer` that must be a positive version number or count.
pub(crate) fn to_u32(column: &'static str, value: i32) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::corrupt(column, format!("{value} is negative")))
}
