//! Facts reported by decomposition, fulfillment and asset, applied to the order they are
//! about through the aggregate (order-capture is the single writer of order state).
//!
//! For each command a fact maps to: load the order, check the fact's tenant, decide, write.
//! A lost optimistic lock reloads and decides again (the consumer's transaction is still
//! usable: the losing `update` changed no row). A refusal is classified:
//! - "already applied" or stale (a second completion of an item, a start after completion,
//!   a plan recorded twice, a fact about an order that is already closed) is absorbed as a
//!   no-op: redeliveries and the lack of ordering between topics make these normal;
//! - anything else is a contract violation by the reporting service: a permanent error with
//!   the domain's code, which the consumer dead-letters for an operator.

use oms_domain::lifecycle::{ItemState, ItemTrigger, OrderState, OrderTrigger};
use oms_domain::value::{OrderId, TenantId};
use oms_domain::{DomainError, Order, OrderCommand, TransitionMeta};
use oms_messaging::Outbox;
use sqlx::PgConnection;

use super::AppError;
use super::commands::execute_loaded;
use super::persist::{self, Decided};
use crate::metrics;
use crate::store::orders;

/// What applying a fact did.
#[derive(Debug, Default)]
pub struct FactOutcome {
    /// Decided outcomes, to count after the commit.
    pub decided: Vec<Decided>,
    /// Commands absorbed as already applied or stale, with why.
    pub absorbed: Vec<&'static str>,
}

/// Why a fact cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum FactError {
    /// The fact names an order this service does not have.
    #[error("order {0} does not exist")]
    UnknownOrder(OrderId),
    /// The fact's tenant is not the order's.
    #[error("the fact's tenant {fact} is not the order's tenant")]
    TenantMismatch { fact: TenantId },
    /// Still losing the optimistic lock after the configured retries.
    #[error("order {0} kept changing concurrently")]
    Contended(OrderId),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Whether refusing `command` with `error` means the fact was already applied or is stale.
pub fn already_applied(order: &Order, error: &DomainError) -> Option<&'static str> {
    let closed = matches!(
        order.state,
        OrderState::Completed | OrderState::Cancelled | OrderState::FailedClosed
    );
    match error {
        DomainError::ItemTransitionNotAllowed { from, trigger, .. } => match trigger {
            ItemTrigger::Start | ItemTrigger::ReportProgress if !from.is_in_flight() => {
                Some("stale item progress")
            }
            ItemTrigger::Complete
                if matches!(
                    from,
                    ItemState::Completed
                        | ItemState::Waived
                        | ItemState::Cancelled
                        | ItemState::Cancelling
                ) =>
            {
                Some("item already completed")
            }
            ItemTrigger::Fail if *from == ItemState::Failed => Some("item already failed"),
            _ => None,
        },
        DomainError::TransitionNotAllowed { trigger, .. } => match trigger {
            OrderTrigger::RecordDecomposition | OrderTrigger::RecordDecompositionFailure
                if order.decomposition.is_some() || closed =>
            {
                Some("decomposition already recorded")
            }
            OrderTrigger::RecordItemStarted
            | OrderTrigger::RecordItemProgress
            | OrderTrigger::RecordItemCompleted
            | OrderTrigger::RecordItemFailed
            | OrderTrigger::RaiseFallout
                if closed =>
            {
                Some("order already closed")
            }
            _ => None,
        },
        DomainError::FalloutAlreadyOpen { .. } => Some("fallout already open"),
        DomainError::AlreadyReleasedForDecomposition => Some("already released"),
        _ => None,
    }
}

/// Applies `commands` (in order) to order `order_id` of `tenant` inside the consumer's
/// transaction; `retries` bounds the reloads after a lost optimistic lock.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn apply(
    conn: &mut PgConnection,
    outbox: &Outbox,
    tenant: &TenantId,
    order_id: OrderId,
    commands: Vec<OrderCommand>,
    meta: &TransitionMeta,
    retries: u32,
) -> Result<FactOutcome, FactError> {
    let mut outcome = FactOutcome::default();
    for command in commands {
        let mut attempt = 0;
        loop {
            let order = orders::load(conn, order_id)
                .await
                .map_err(AppError::from)?
                .ok_or(FactError::UnknownOrder(order_id))?;
            if &order.tenant != tenant {
                return Err(FactError::TenantMismatch {
                    fact: tenant.clone(),
                });
            }
            let snapshot = order.clone();
            match execute_loaded(conn, outbox, order, command.clone(), meta).await {
                Ok(decided) => {
                    outcome.decided.push(decided);
                    break;
                }
                Err(AppError::Domain(error)) => {
                    if let Some(reason) = already_applied(&snapshot, &error) {
                        tracing::info!(%order_id, reason, code = error.code(), "fact absorbed");
                        metrics::fact_absorbed(reason);
                        outcome.absorbed.push(reason);
                        break;
                    }
                    return Err(AppError::Domain(error).into());
                }
                Err(error) if error.is_version_conflict() && attempt < retries => {
                    metrics::version_conflict("consumer");
                    attempt += 1;
                }
                Err(error) if error.is_version_conflict() => {
                    metrics::version_conflict("consumer");
                    return Err(FactError::Contended(order_id));
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok(outcome)
}

/// Counts what a fact did (call after the commit).
pub fn record_metrics(outcome: &FactOutcome) {
    for decided in &outcome.decided {
        persist::record_metrics(decided);
    }
}
