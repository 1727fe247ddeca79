//! `QuoteAccepted` (CPQ) -> one order per tenant + quote + revision.
//!
//! A redelivery of the same event is absorbed by the inbox; a second event (another event
//! id) for a converted revision finds the order in the capture context and does nothing. A
//! quote that fails validation becomes a REJECTED order with its violations and an
//! `OrderRejected` event, never a dead letter. Only an event that cannot be read as an
//! intake at all (an unusable tenant id) is dead-lettered.

use oms_contracts::QuoteEventV1;
use oms_domain::value::TenantId;
use oms_messaging::{Handler, HandlerError, MessageContext, Outbox};
use sqlx::PgConnection;

use super::handler_error;
use crate::app::capture::{QuoteOutcome, capture_from_quote};
use crate::app::{now, persist};

#[derive(Debug, Clone)]
pub struct QuoteAcceptedHandler {
    pub outbox: Outbox,
}

impl Handler for QuoteAcceptedHandler {
    type Event = QuoteEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &QuoteEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let QuoteEventV1::QuoteAccepted(accepted) = event;
        let quote = accepted.quote();
        let tenant = TenantId::parse(&quote.tenant_id)
            .map_err(|e| HandlerError::permanent("TENANT_INVALID", format!("tenantId: {e}")))?;
        let meta = oms_contracts::quote::capture_meta(accepted, now())?;
        let intake = accepted.to_capture_order();
        match capture_from_quote(conn, &self.outbox, &tenant, intake, &meta)
            .await
            .map_err(handler_error)?
        {
            QuoteOutcome::Captured(decided) => {
                tracing::info!(order_id = %decided.after.id, state = ?decided.after.state,
                    quote_id = %quote.quote_id, revision = quote.quote_revision, "quote captured");
                persist::record_metrics(&decided);
            }
            QuoteOutcome::AlreadyConverted { existing_order_id } => {
                tracing::info!(%existing_order_id, event_id = %ctx.envelope.event_id,
                    quote_id = %quote.quote_id, revision = quote.quote_revision,
                    "quote revision already converted; nothing to do");
            }
        }
        Ok(())
    }
}
