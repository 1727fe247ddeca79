//! Use cases. Each runs inside a transaction its caller owns (an HTTP handler or the inbox
//! consumer), asks the domain to decide, and persists through [`persist`]:
//!
//! - [`capture`]: capture from the API (idempotent) and from `QuoteAccepted`;
//! - [`commands`]: a command on an existing order (holds, repairs, facts of other services);
//! - [`facts`]: the facts of decomposition, fulfillment and asset, mapped to commands, with
//!   "already applied" absorbed and contract violations refused;
//! - [`context`]: the capture context (caller, today, asset snapshots, conversions);
//! - [`gate`]: queues same-key API captures in memory on one replica;
//! - [`persist`]: decide + the automatic follow-ups, then one write of the order, its items,
//!   events, history, audit and outbox rows.

pub mod capture;
pub mod changes;
pub mod commands;
pub mod context;
pub mod facts;
pub mod gate;
pub mod persist;

use chrono::{DateTime, Utc};
use oms_domain::command::IdSource;
use oms_domain::{Actor, DomainError};
use oms_messaging::OutboxError;
use uuid::Uuid;

use crate::store::StoreError;

/// Errors of the use cases, before they become HTTP answers or handler outcomes.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain refused the command.
    #[error("domain: {0}")]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("outbox: {0}")]
    Outbox(#[from] OutboxError),
    /// No such order for this tenant (also the answer for another tenant's order).
    #[error("order not found")]
    OrderNotFound,
}

impl AppError {
    /// Whether a concurrent writer won the optimistic lock.
    pub fn is_version_conflict(&self) -> bool {
        match self {
            Self::Store(error) => {
                matches!(error, StoreError::VersionConflict { .. })
                    || error.is_constraint(crate::store::constraint::ORDER_EVENT_VERSION)
            }
            _ => false,
        }
    }
}

/// The actor of the service's own automatic decisions (release after validation, ...).
pub fn service_actor() -> Actor {
    Actor::service("order-capture")
}

/// Now, to the millisecond (what the Avro timestamps on the wire keep), so stored and
/// published times agree.
pub fn now() -> DateTime<Utc> {
    oms_messaging::envelope::truncate_to_millis(Utc::now())
}

/// Fresh UUID v7 ids for new orders, items and holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct NewIds;

impl IdSource for NewIds {
    fn next_uuid(&mut self) -> Uuid {
        Uuid::now_v7()
    }
}
