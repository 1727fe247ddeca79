//! Persistence of the read model. Writers take `&mut PgConnection`, so the inbox consumer's
//! transaction covers the inbox row and every row an event changes; readers are the API's
//! tenant-scoped queries.
//!
//! - [`orders`]: the order summary (`order_view`) with the folded aggregate;
//! - [`tasks`]: plan tasks and their execution (`order_task`);
//! - [`fallouts`]: fallout cases (`fallout_case`);
//! - [`timeline`]: every event (`timeline_event`) and per-order activity (`order_activity`);
//! - [`flow`]: throughput per minute and idle orders;
//! - [`generation`]: the read model's generation, the rebuild, and the canonical dump.

pub mod fallouts;
pub mod flow;
pub mod generation;
pub mod orders;
pub mod tasks;
pub mod timeline;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value no longer reads as its type (a bug, or a manual edit).
    #[error("stored column `{column}` is invalid: {detail}")]
    Corrupt {
        column: &'static str,
        detail: String,
    },
}

/// A closed enum as the SCREAMING_SNAKE text it has in events and the API (`IN_PROGRESS`).
pub fn text_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => format!("{other:?}"),
    }
}

/// Text written by [`text_of`] back as its enum.
pub fn enum_of<T: DeserializeOwned>(column: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|error| {
        StoreError::Corrupt {
            column,
            detail: format!("'{text}': {error}"),
        }
    })
}
