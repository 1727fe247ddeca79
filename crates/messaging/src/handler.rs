//! What a service implements to consume a topic: a [`Handler`] that applies one event inside
//! the transaction the inbox consumer opened, and says whether a failure is worth retrying.

use crate::{Envelope, EventContract};
use sqlx::PgConnection;
use std::future::Future;

/// Where a record came from and what it is; handed to the handler with the event.
#[derive(Debug, Clone)]
pub struct MessageContext {
    pub consumer: String,
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub envelope: Envelope,
}

/// A handler's failure.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Worth retrying the same record (database or dependency unavailable, serialization
    /// conflict). The consumer backs off and retries without skipping.
    #[error("transient: {0:#}")]
    Transient(anyhow::Error),
    /// The record can never be applied as it is; it goes to the dead-letter topic with this
    /// stable code and message, and the partition moves on.
    #[error("permanent {code}: {message}")]
    Permanent { code: String, message: String },
}

impl HandlerError {
    pub fn transient(error: impl Into<anyhow::Error>) -> Self {
        Self::Transient(error.into())
    }

    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Permanent {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Database errors are transient unless their SQLSTATE says the data itself is wrong
/// (class 22 data exception, class 23 integrity constraint violation): retrying those would
/// stall the partition forever.
impl From<sqlx::Error> for HandlerError {
    fn from(error: sqlx::Error) -> Self {
        let permanent_code = error
            .as_database_error()
            .and_then(sqlx::error::DatabaseError::code)
            .filter(|code| code.starts_with("22") || code.starts_with("23"))
            .map(|code| format!("DATABASE_{code}"));
        match permanent_code {
            Some(code) => Self::Permanent {
                code,
                message: error.to_string(),
            },
            None => Self::Transient(error.into()),
        }
    }
}

/// Applies events of one topic family.
///
/// `handle` runs inside the consumer's transaction, after the inbox row for the event was
/// inserted: everything written through `conn` (state, outbox rows) commits together with it,
/// or not at all. It must not commit, and must not call other systems.
pub trait Handler: Send + Sync + 'static {
    type Event: EventContract;

    fn handle(
        &self,
        conn: &mut PgConnection,
        event: &Self::Event,
        ctx: &MessageContext,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}
