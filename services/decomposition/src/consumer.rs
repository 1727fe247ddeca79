//! The order topic's handler: `OrderReleasedForDecomposition` goes to [`crate::release`],
//! `OrderAmendmentRequested` to [`crate::amend`];
//! every other order fact (capture, holds, progress, cancellation) is not decomposition's
//! business and is acknowledged at once, before any mapping or database work beyond the
//! inbox row the consumer already wrote.

use oms_contracts::OrderEventV1;
use oms_domain::OrderEvent;
use oms_messaging::{Handler, HandlerError, MessageContext, Outbox};
use sqlx::PgConnection;
use std::sync::Arc;

use crate::amend::replan_amendment;
use crate::registry::CatalogRegistry;
use crate::release::decompose_release;

/// Decomposes released orders; appends decomposition events to `outbox`.
#[derive(Debug, Clone)]
pub struct ReleaseHandler {
    outbox: Outbox,
    registry: Arc<CatalogRegistry>,
}

impl ReleaseHandler {
    pub fn new(outbox: Outbox, registry: Arc<CatalogRegistry>) -> Self {
        Self { outbox, registry }
    }
}

impl Handler for ReleaseHandler {
    type Event = OrderEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &OrderEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        if !matches!(
            event,
            OrderEventV1::OrderReleasedForDecomposition(_)
                | OrderEventV1::OrderAmendmentRequested(_)
        ) {
            return Ok(());
        }
        // A record that does not map onto the domain (an invalid value) can never be
        // decomposed: `MappingError` converts into a permanent error, so it is dead-lettered.
        match OrderEvent::try_from(event)? {
            OrderEvent::OrderReleasedForDecomposition(release) => {
                decompose_release(conn, &self.outbox, &self.registry, &release, &ctx.envelope)
                    .await?;
            }
            OrderEvent::OrderAmendmentRequested(request) => {
                replan_amendment(conn, &self.outbox, &self.registry, &request, &ctx.envelope)
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }
}
