//! Repositories over fulfillment's tables. Every function takes `&mut PgConnection` so the
//! caller owns the transaction (a state change and its outbox events commit together).
//!
//! Lock order, kept by every writer so concurrent transactions cannot deadlock:
//! `fulfillment_order` row, then `fulfillment_item` rows (sorted by item id), then
//! `fulfillment_task` rows (sorted by task id).

pub mod audit;
pub mod changes;
pub mod fallout;
pub mod items;
pub mod orders;
pub mod tasks;

use crate::model::TransitionRefused;

/// Why a repository call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The row changed since it was read (optimistic lock on `version`).
    #[error("{entity} {id} changed concurrently")]
    Stale { entity: &'static str, id: String },
    #[error(transparent)]
    Refused(#[from] TransitionRefused),
    /// A stored value does not parse (a bug or a manual edit of the table).
    #[error("stored {what} is not valid: {detail}")]
    Corrupt { what: &'static str, detail: String },
}

impl StoreError {
    pub fn corrupt(what: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }
}

/// Reads a stored SCREAMING_SNAKE enum through its serde spelling.
pub fn vocab<T: serde::de::DeserializeOwned>(
    what: &'static str,
    raw: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|e| StoreError::corrupt(what, format!("{raw}: {e}")))
}

/// The SCREAMING_SNAKE spelling of a domain enum.
pub fn spelling<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}
