//! PostgreSQL repositories. Every function takes `&mut PgConnection` so the caller owns the
//! transaction: a command's state, history, audit, event and outbox rows commit together.
//!
//! Errors are [`StoreError`]: integrity violations are recognised by SQLSTATE class 23 and
//! carry the constraint *name* (see [`constraint`]); callers branch on the name, never on
//! message text. A lost optimistic lock is [`StoreError::VersionConflict`].

pub mod assets;
pub mod changes;
pub mod execution;
pub mod idempotency;
pub mod orders;
pub mod queries;
pub mod records;
pub mod validation_log;

use oms_domain::value::OrderId;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Names of the constraints that carry business invariants.
pub mod constraint {
    /// One order per tenant + quote + revision.
    pub const QUOTE_REVISION: &str = "orders_quote_revision_unique";
    /// One order per tenant + external order reference.
    pub const EXTERNAL_REF: &str = "orders_external_ref_unique";
    /// One in-flight order per tenant + asset.
    pub const ASSET_IN_FLIGHT: &str = "asset_in_flight_pkey";
    /// One idempotency record per tenant + command + key.
    pub const IDEMPOTENCY_KEY: &str = "idempotency_records_pkey";
    /// One event per order version (a second writer of the same version lost the race).
    pub const ORDER_EVENT_VERSION: &str = "order_events_pkey";
}

/// SQLSTATE class of integrity constraint violations.
const INTEGRITY_CLASS: &str = "23";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The order changed since it was loaded (`version` no longer matches).
    #[error("order {order_id} changed since version {expected} was loaded")]
    VersionConflict { order_id: OrderId, expected: u64 },
    /// A constraint refused the write; `constraint` is its name.
    #[error("constraint {constraint} refused the write (SQLSTATE {sqlstate})")]
    Constraint {
        constraint: String,
        sqlstate: String,
    },
    /// A stored row does not map back onto the domain (a bug or a manual edit).
    #[error("stored data of {what} cannot be read: {reason}")]
    Corrupt { what: String, reason: String },
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// The violated constraint, if this is an integrity violation.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Self::Constraint { constraint, .. } => Some(constraint),
            _ => None,
        }
    }

    pub fn is_constraint(&self, name: &str) -> bool {
        self.constraint() == Some(name)
    }

    pub(crate) fn corrupt(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what: what.into(),
            reason: reason.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        let integrity = error.as_database_error().and_then(|db| {
            let code = db.code()?;
            if !code.starts_with(INTEGRITY_CLASS) {
                return None;
            }
            Some((
                db.constraint().unwrap_or_default().to_owned(),
                code.into_owned(),
            ))
        });
        match integrity {
            Some((constraint, sqlstate)) => Self::Constraint {
                constraint,
                sqlstate,
            },
            None => Self::Database(error),
        }
    }
}

/// The wire spelling of a domain enum (`OrderState::InProgress` -> `IN_PROGRESS`).
pub fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A domain enum from its wire spelling.
pub fn from_wire<T: DeserializeOwned>(raw: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_domain::lifecycle::OrderState;

    #[test]
    fn enums_round_trip_through_their_wire_spelling() {
        assert_eq!(wire(&OrderState::PartiallyCompleted), "PARTIALLY_COMPLETED");
        assert_eq!(
            from_wire::<OrderState>("IN_PROGRESS"),
            Some(OrderState::InProgress)
        );
        assert_eq!(from_wire::<OrderState>("nope"), None);
    }
}
