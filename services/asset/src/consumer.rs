//! The fulfillment topic's handler: `OrderItemFulfilled` records go to [`crate::apply`]; every
//! other fulfillment fact (task progress, fallout, cancellation) is not about the installed
//! base and is acknowledged without effect.

use oms_contracts::FulfillmentEventV1;
use oms_domain::events::FulfillmentEvent;
use oms_messaging::{Handler, HandlerError, MessageContext, Outbox};
use sqlx::PgConnection;

use crate::apply::apply;

/// Applies fulfilled items; appends asset events to `outbox`.
#[derive(Debug, Clone)]
pub struct FulfillmentHandler {
    outbox: Outbox,
}

impl FulfillmentHandler {
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

impl Handler for FulfillmentHandler {
    type Event = FulfillmentEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &FulfillmentEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        if !matches!(event, FulfillmentEventV1::OrderItemFulfilled(_)) {
            return Ok(());
        }
        let FulfillmentEvent::OrderItemFulfilled(fulfilled) = FulfillmentEvent::try_from(event)?
        else {
            return Ok(());
        };
        apply(conn, &self.outbox, &fulfilled, &ctx.envelope).await?;
        Ok(())
    }
}
