//! Commands on an existing order: load, decide (with the automatic follow-ups), write.
//!
//! The API path runs in its own transaction and answers a lost optimistic lock with a
//! conflict (the client retries with fresh data). Consumers call [`execute_loaded`] inside
//! their transaction and retry on a lost lock themselves (see `facts`).

use oms_domain::value::{OrderId, TenantId};
use oms_domain::{Order, OrderCommand, TransitionMeta};
use oms_messaging::Outbox;
use sqlx::{PgConnection, PgPool};

use super::AppError;
use super::persist::{self, Decided};
use crate::metrics;
use crate::store::{StoreError, orders};

/// Decides `command` on the loaded `order` and writes the outcome in `conn`'s transaction.
#[tracing::instrument(skip_all, fields(order_id = %order.id), err(level = "debug"))]
pub async fn execute_loaded(
    conn: &mut PgConnection,
    outbox: &Outbox,
    order: Order,
    command: OrderCommand,
    meta: &TransitionMeta,
) -> Result<Decided, AppError> {
    let decided = persist::plan(Some(order), command, meta)?;
    Box::pin(persist::write(conn, outbox, &decided)).await?;
    Ok(decided)
}

/// An operator or client command on an order of `tenant`, in its own transaction.
/// `build` turns the current order into the command (e.g. finds the hold to release).
#[tracing::instrument(skip_all, fields(order_id = %order_id), err(level = "debug"))]
pub async fn execute_for_tenant(
    pool: &PgPool,
    outbox: &Outbox,
    tenant: &TenantId,
    order_id: OrderId,
    meta: &TransitionMeta,
    build: impl FnOnce(&Order) -> Result<OrderCommand, AppError>,
) -> Result<Order, AppError> {
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let order = orders::load_for_tenant(&mut tx, tenant, order_id)
        .await?
        .ok_or(AppError::OrderNotFound)?;
    let command = build(&order)?;
    let decided = match execute_loaded(&mut tx, outbox, order, command, meta).await {
        Ok(decided) => decided,
        Err(error) => {
            if error.is_version_conflict() {
                metrics::version_conflict("api");
            }
            return Err(error);
        }
    };
    outbox.commit(tx).await.map_err(StoreError::from)?;
    persist::record_metrics(&decided);
    Ok(decided.after)
}
