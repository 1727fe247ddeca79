//! The order topic: `OrderReleasedForFulfillment` records that order-capture released the
//! plan (with the order content the tasks and `OrderItemFulfilled` need), then starts it if
//! the plan is already stored; a release after the plan started changes nothing.
//! `OrderFailedClosed` and `OrderCancelled` close the order (see `flow::closing`).

use super::start::{check_tenant, try_start};
use crate::change;
use crate::events::FactMeta;
use crate::flow::Flow;
use crate::store::{changes, orders};
use oms_contracts::OrderEventV1;
use oms_domain::events::{OrderEvent, OrderEventBase};
use oms_domain::meta::Actor;
use oms_domain::value::OrderItemId;
use oms_messaging::{Handler, HandlerError, MessageContext};
use sqlx::PgConnection;
use uuid::Uuid;

/// Consumes `oms.order.events.v1`.
#[derive(Debug, Clone)]
pub struct ReleaseHandler {
    flow: Flow,
}

impl ReleaseHandler {
    pub fn new(flow: Flow) -> Self {
        Self { flow }
    }
}

impl ReleaseHandler {
    /// Closes the order. An order fulfillment has not heard of yet is recorded as closed, so
    /// a plan arriving later is stored but never started (and the sweep cancels its tasks).
    async fn close(
        &self,
        conn: &mut PgConnection,
        base: &OrderEventBase,
        event_type: &str,
        items: Option<&[Uuid]>,
    ) -> Result<(), HandlerError> {
        let order_id = base.order_id.as_uuid();
        orders::ensure(
            conn,
            order_id,
            base.tenant_id.as_str(),
            base.meta.correlation_id.as_str(),
        )
        .await
        .map_err(super::store_error)?;
        let order = orders::lock(conn, order_id)
            .await
            .map_err(super::store_error)?
            .ok_or_else(|| HandlerError::transient(anyhow::anyhow!("order row missing")))?;
        check_tenant(&order, base.tenant_id.as_str())?;
        self.flow
            .close_order(conn, order_id, event_type, items)
            .await
            .map_err(super::handler_error)?;
        Ok(())
    }
}

/// The base of a change-order event (cancellation, amendment), if `event` is one.
fn change_base(event: &OrderEvent) -> Option<&OrderEventBase> {
    match event {
        OrderEvent::OrderCancellationRequested(e) => Some(&e.base),
        OrderEvent::OrderCancellationAssessed(e) => Some(&e.base),
        OrderEvent::OrderCancellationRejected(e) => Some(&e.base),
        OrderEvent::OrderAmendmentRequested(e) => Some(&e.base),
        OrderEvent::OrderAmendmentApplied(e) => Some(&e.base),
        OrderEvent::OrderAmendmentRejected(e) => Some(&e.base),
        _ => None,
    }
}

impl ReleaseHandler {
    /// Cancellation and amendment events (see `crate::change`), under the order row's lock.
    async fn change(
        &self,
        conn: &mut PgConnection,
        base: &OrderEventBase,
        event: &OrderEvent,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let order_id = base.order_id.as_uuid();
        orders::ensure(
            conn,
            order_id,
            base.tenant_id.as_str(),
            base.meta.correlation_id.as_str(),
        )
        .await
        .map_err(super::store_error)?;
        let order = orders::lock(conn, order_id)
            .await
            .map_err(super::store_error)?
            .ok_or_else(|| HandlerError::transient(anyhow::anyhow!("order row missing")))?;
        check_tenant(&order, base.tenant_id.as_str())?;
        let meta = change::caused_by(&order.correlation_id, ctx.envelope.event_id);
        let fail = super::handler_error;
        match event {
            OrderEvent::OrderCancellationRequested(e) => {
                change::cancel::requested(conn, &self.flow, e, &meta)
                    .await
                    .map_err(fail)
            }
            OrderEvent::OrderCancellationAssessed(e) => {
                change::cancel::decided(conn, &self.flow, e, &meta)
                    .await
                    .map_err(fail)
            }
            OrderEvent::OrderCancellationRejected(e) => {
                change::cancel::rejected(conn, order_id, e.request_id.as_uuid())
                    .await
                    .map_err(fail)
            }
            OrderEvent::OrderAmendmentRequested(e) => {
                change::amend::requested(conn, &self.flow, e, &order.correlation_id)
                    .await
                    .map_err(fail)
            }
            OrderEvent::OrderAmendmentApplied(e) => {
                change::amend::applied(conn, e).await.map_err(fail)
            }
            OrderEvent::OrderAmendmentRejected(e) => {
                change::amend::failed(conn, order_id, e.request_id.as_uuid())
                    .await
                    .map_err(fail)
            }
            _ => Ok(()),
        }
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
            OrderEventV1::OrderReleasedForFulfillment(_)
                | OrderEventV1::OrderFailedClosed(_)
                | OrderEventV1::OrderCancelled(_)
                | OrderEventV1::OrderCancellationRequested(_)
                | OrderEventV1::OrderCancellationAssessed(_)
                | OrderEventV1::OrderCancellationRejected(_)
                | OrderEventV1::OrderAmendmentRequested(_)
                | OrderEventV1::OrderAmendmentApplied(_)
                | OrderEventV1::OrderAmendmentRejected(_)
        ) {
            return Ok(());
        }
        let event = OrderEvent::try_from(event)?;
        if let Some(base) = change_base(&event) {
            return self.change(conn, base, &event, ctx).await;
        }
        let released = match event {
            OrderEvent::OrderReleasedForFulfillment(released) => released,
            OrderEvent::OrderFailedClosed(closed) => {
                let items: Vec<Uuid> = closed
                    .closed_item_ids
                    .iter()
                    .map(OrderItemId::as_uuid)
                    .collect();
                return self
                    .close(conn, &closed.base, "OrderFailedClosed", Some(&items))
                    .await;
            }
            OrderEvent::OrderCancelled(cancelled) => {
                return self
                    .close(conn, &cancelled.base, "OrderCancelled", None)
                    .await;
            }
            _ => return Ok(()),
        };
        let order_id = released.base.order_id.as_uuid();
        let tenant_id = released.base.tenant_id.as_str();
        let correlation_id = released.base.meta.correlation_id.as_str();
        orders::ensure(conn, order_id, tenant_id, correlation_id)
            .await
            .map_err(super::store_error)?;
        let order = orders::lock(conn, order_id)
            .await
            .map_err(super::store_error)?
            .ok_or_else(|| HandlerError::transient(anyhow::anyhow!("order row missing")))?;
        check_tenant(&order, tenant_id)?;
        // An amendment applied before the release moved the order onto its re-plan: the
        // release (decided on order-capture's view, possibly older) starts that plan.
        let plan_id = changes::amended_plan(conn, order_id)
            .await
            .map_err(super::store_error)?
            .unwrap_or_else(|| released.plan_id.as_uuid());
        if let Some(started) = order.started_plan_id {
            tracing::info!(%order_id, %plan_id, %started, "release of an order already started; nothing to do");
            return Ok(());
        }
        orders::record_release(
            conn,
            order_id,
            plan_id,
            released.order_number.as_str(),
            &released.content,
        )
        .await
        .map_err(super::store_error)?;
        tracing::info!(%order_id, %plan_id, "order released for fulfillment");
        let meta = FactMeta {
            actor: Actor::service("fulfillment"),
            reason: None,
            correlation_id: correlation_id.to_owned(),
            causation_id: Some(ctx.envelope.event_id.to_string()),
        };
        try_start(conn, &self.flow, order_id, &meta).await?;
        Ok(())
    }
}
