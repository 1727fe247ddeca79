//! The fulfillment topic's handler: `OrderItemFulfilled` records go to [`crate::apply`],
//! `OrderItemCompensated` (a cancelled item whose change is undone) to [`crate::revert`];
//! every other fulfillment fact is not about the installed base and is acknowledged without
//! effect.

use oms_contracts::FulfillmentEventV1;
use oms_domain::events::FulfillmentEvent;
use oms_messaging::{Handler, HandlerError, MessageContext, Outbox};
use sqlx::PgConnection;

use crate::apply::apply;
use crate::revert::revert;

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
        if !matches!(
            event,
            FulfillmentEventV1::OrderItemFulfilled(_) | FulfillmentEventV1::OrderItemCompensated(_)
        ) {
            return Ok(());
        }
        match FulfillmentEvent::try_from(event)? {
            FulfillmentEvent::OrderItemFulfilled(fulfilled) => {
                apply(conn, &self.outbox, &fulfilled, &ctx.envelope).await?;
            }
            FulfillmentEvent::OrderItemCompensated(compensated) => {
                revert(conn, &self.outbox, &compensated, &ctx.envelope).await?;
            }
            _ => {}
        }
        Ok(())
    }
}
