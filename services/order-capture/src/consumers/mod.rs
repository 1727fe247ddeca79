//! The inbox handlers of the consumed topics, routed in one consumer group
//! (`order-capture` behind the topic prefix):
//!
//! | topic | handler | effect |
//! |---|---|---|
//! | `cpq.quote.events.v1` | [`quote::QuoteAcceptedHandler`] | one order per tenant + quote + revision (VALIDATED and released, or REJECTED) |
//! | `oms.decomposition.events.v1` | [`lifecycle::DecompositionHandler`] | plan recorded (then released for fulfillment) or decomposition fallout |
//! | `oms.fulfillment.events.v1` | [`lifecycle::FulfillmentHandler`] | items started, waiting for the installed base, NO_CHANGE items completed, fallout, cancellation loop |
//! | `oms.asset.events.v1` | [`lifecycle::AssetHandler`] | asset snapshot projection; items completed with the actual asset id, or failed on an inconsistency |
//!
//! Each runs inside the consumer's transaction (inbox row, state, history, audit, outbox).
//! [`handler_error`] decides what is worth retrying and what is dead-lettered.

pub mod lifecycle;
pub mod quote;

use oms_messaging::{HandlerError, Router, ServiceMessaging};

use crate::app::AppError;
use crate::app::facts::FactError;
use crate::config::CaptureSettings;
use crate::store::{StoreError, constraint};

/// The router of the service's consumer (also used for dead-letter replay).
pub fn router(messaging: &ServiceMessaging, settings: &CaptureSettings) -> Router {
    let outbox = messaging.outbox().clone();
    let retries = settings.version_conflict_retries;
    messaging
        .router()
        .route(quote::QuoteAcceptedHandler {
            outbox: outbox.clone(),
        })
        .route(lifecycle::DecompositionHandler {
            outbox: outbox.clone(),
            retries,
        })
        .route(lifecycle::FulfillmentHandler {
            outbox: outbox.clone(),
            retries,
        })
        .route(lifecycle::AssetHandler { outbox, retries })
}

/// Transient: the database, registry or broker, a lost optimistic lock, or a unique guard
/// that a concurrent writer won (a retry reads the winner and decides again). Permanent:
/// the domain refused the fact, or the data can never be applied.
pub fn handler_error(error: AppError) -> HandlerError {
    if error.is_version_conflict() {
        return HandlerError::transient(error);
    }
    match error {
        AppError::Domain(domain) => HandlerError::permanent(domain.code(), domain.to_string()),
        AppError::OrderNotFound => HandlerError::permanent("ORDER_NOT_FOUND", "order not found"),
        AppError::Store(StoreError::Constraint {
            constraint: name, ..
        }) if [
            constraint::QUOTE_REVISION,
            constraint::EXTERNAL_REF,
            constraint::ASSET_IN_FLIGHT,
        ]
        .contains(&name.as_str()) =>
        {
            HandlerError::transient(anyhow::anyhow!("lost a race on {name}; retrying"))
        }
        AppError::Store(StoreError::Constraint {
            constraint: name,
            sqlstate,
        }) => HandlerError::permanent(format!("DATABASE_{sqlstate}"), format!("constraint {name}")),
        AppError::Store(StoreError::Corrupt { what, reason }) => {
            HandlerError::permanent("STORED_DATA_CORRUPT", format!("{what}: {reason}"))
        }
        other => HandlerError::transient(other),
    }
}

pub fn fact_error(error: FactError) -> HandlerError {
    match error {
        FactError::UnknownOrder(order_id) => HandlerError::permanent(
            "ORDER_NOT_FOUND",
            format!("order {order_id} does not exist"),
        ),
        FactError::TenantMismatch { fact } => HandlerError::permanent(
            "TENANT_MISMATCH",
            format!("tenant {fact} is not the order's tenant"),
        ),
        contended @ FactError::Contended(_) => HandlerError::transient(contended),
        FactError::App(app) => handler_error(app),
    }
}
