//! Facts of decomposition, fulfillment and asset, applied through the aggregate.
//!
//! Each maps its event to order commands with the domain's mapping
//! (`DecompositionEvent::to_order_command`, `FulfillmentEvent::to_order_commands`,
//! `AssetEvent::to_order_command`) and hands them to `app::facts::apply`. The transition
//! meta: the reporting actor and its reason, the fact's correlation id, the consumed event
//! id as causation, and now as the time of our transition.

use oms_contracts::{AssetEventV1, DecompositionEventV1, FulfillmentEventV1};
use oms_domain::events::{AssetEvent, DecompositionEvent, DomainEvent, FulfillmentEvent};
use oms_domain::value::{CausationId, FalloutId, OrderId};
use oms_domain::{OrderCommand, TransitionMeta};
use oms_messaging::{Handler, HandlerError, MessageContext, Outbox};
use sqlx::PgConnection;

use super::{fact_error, handler_error};
use crate::app::facts::{self, FactError};
use crate::app::now;
use crate::store::{assets, execution};

fn fact_meta<E: DomainEvent>(
    fact: &E,
    ctx: &MessageContext,
) -> Result<TransitionMeta, HandlerError> {
    let reported = fact.meta();
    let causation = CausationId::parse(&ctx.envelope.event_id.to_string())
        .map_err(|e| HandlerError::permanent(e.code(), e.to_string()))?;
    let mut meta = TransitionMeta::new(
        reported.actor.clone(),
        now(),
        reported.correlation_id.clone(),
    )
    .caused_by(causation);
    // A reported decision (e.g. an operator's waiver in fulfillment) keeps its reason.
    meta.reason.clone_from(&reported.reason);
    Ok(meta)
}

fn order_of<E: DomainEvent>(fact: &E) -> Result<OrderId, HandlerError> {
    OrderId::parse(&fact.aggregate_id())
        .map_err(|e| HandlerError::permanent("CONTRACT_VALUE_INVALID", format!("order id: {e}")))
}

/// Applies the commands of one fact. `unknown_order_ok`: an asset changed by an order
/// this service does not know (e.g. a migrated installed base) only updates the projection.
#[allow(clippy::too_many_arguments)]
async fn apply_commands<E: DomainEvent>(
    conn: &mut PgConnection,
    outbox: &Outbox,
    fact: &E,
    order_id: OrderId,
    commands: Vec<OrderCommand>,
    ctx: &MessageContext,
    retries: u32,
    unknown_order_ok: bool,
) -> Result<(), HandlerError> {
    if commands.is_empty() {
        return Ok(());
    }
    let meta = fact_meta(fact, ctx)?;
    match Box::pin(facts::apply(
        conn,
        outbox,
        fact.tenant_id(),
        order_id,
        commands,
        &meta,
        retries,
    ))
    .await
    {
        Ok(outcome) => {
            facts::record_metrics(&outcome);
            Ok(())
        }
        Err(FactError::UnknownOrder(order_id)) if unknown_order_ok => {
            tracing::warn!(%order_id, "fact for an unknown order; nothing to apply");
            Ok(())
        }
        Err(error) => Err(fact_error(error)),
    }
}

#[derive(Debug, Clone)]
pub struct DecompositionHandler {
    pub outbox: Outbox,
    pub retries: u32,
}

impl Handler for DecompositionHandler {
    type Event = DecompositionEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &DecompositionEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let fact = DecompositionEvent::try_from(event)?;
        let order_id = order_of(&fact)?;
        let commands = fact
            .to_order_command()
            .map_err(|e| HandlerError::permanent(e.code(), e.to_string()))?
            .into_iter()
            .collect::<Vec<_>>();
        if matches!(fact, DecompositionEvent::OrderRedecomposed(_))
            && !orders_exists(conn, order_id).await?
        {
            return Err(HandlerError::permanent(
                "ORDER_UNKNOWN",
                format!("a re-plan of order {order_id}, which does not exist"),
            ));
        }
        apply_commands(
            conn,
            &self.outbox,
            &fact,
            order_id,
            commands,
            ctx,
            self.retries,
            false,
        )
        .await?;
        // the execution view (ADR 0008 §1), after the order accepted the fact
        let view = match &fact {
            DecompositionEvent::OrderDecomposed(e) => {
                execution::record_plan(conn, order_id, &e.plan, true).await
            }
            DecompositionEvent::OrderRedecomposed(e) => {
                execution::record_plan(conn, order_id, &e.plan, false).await
            }
            _ => Ok(()),
        };
        view.map_err(|e| handler_error(e.into()))
    }
}

#[derive(Debug, Clone)]
pub struct FulfillmentHandler {
    pub outbox: Outbox,
    pub retries: u32,
}

impl Handler for FulfillmentHandler {
    type Event = FulfillmentEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &FulfillmentEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let fact = FulfillmentEvent::try_from(event)?;
        let order_id = order_of(&fact)?;
        let commands = fact.to_order_commands();
        // a fact with nothing to decide about an order this service does not have: nothing
        // to record either (as before the execution view existed)
        if commands.is_empty() && !orders_exists(conn, order_id).await? {
            return Ok(());
        }
        apply_commands(
            conn,
            &self.outbox,
            &fact,
            order_id,
            commands,
            ctx,
            self.retries,
            false,
        )
        .await?;
        record_execution(conn, order_id, &fact)
            .await
            .map_err(|e| handler_error(e.into()))
    }
}

async fn orders_exists(conn: &mut PgConnection, order_id: OrderId) -> Result<bool, HandlerError> {
    crate::store::orders::load(conn, order_id)
        .await
        .map(|o| o.is_some())
        .map_err(|e| handler_error(e.into()))
}

/// What a fulfillment fact tells the execution view (ADR 0008 §1).
async fn record_execution(
    conn: &mut PgConnection,
    order_id: OrderId,
    fact: &FulfillmentEvent,
) -> Result<(), crate::store::StoreError> {
    use crate::store::execution::state;
    match fact {
        FulfillmentEvent::FulfillmentTaskStarted(e) if e.compensates_task_id.is_none() => {
            execution::record_task(conn, order_id, e.task_id, state::DISPATCHED).await
        }
        FulfillmentEvent::FulfillmentTaskSucceeded(e) => match e.compensates_task_id {
            Some(original) => {
                execution::record_task(conn, order_id, original, state::COMPENSATED).await
            }
            None => execution::record_task(conn, order_id, e.task_id, state::SUCCEEDED).await,
        },
        FulfillmentEvent::FulfillmentTaskFailed(e) if e.compensates_task_id.is_none() => {
            let to = if e.will_retry {
                state::RETRY_SCHEDULED
            } else {
                state::FALLOUT
            };
            execution::record_task(conn, order_id, e.task_id, to).await
        }
        FulfillmentEvent::PlanAmendmentApplied(e) => {
            execution::apply_replan(conn, order_id, e).await
        }
        FulfillmentEvent::OrderItemCompensated(e) => {
            execution::end_item_tasks(conn, order_id, e.item_id).await
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Clone)]
pub struct AssetHandler {
    pub outbox: Outbox,
    pub retries: u32,
}

impl Handler for AssetHandler {
    type Event = AssetEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &AssetEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let fact = AssetEvent::try_from(event)?;
        let base = fact.base();
        if let Some(asset) = fact.installed_asset() {
            assets::upsert_snapshot(
                conn,
                &base.tenant_id,
                &base.asset_id,
                asset,
                ctx.envelope.event_id,
                base.meta.at,
            )
            .await
            .map_err(|e| handler_error(e.into()))?;
        }
        // Derived from the event id: a redelivery names the same fallout case.
        let fallout_id = FalloutId::from_uuid(ctx.envelope.event_id);
        let command = fact
            .to_order_command(fallout_id)
            .map_err(|e| HandlerError::permanent(e.code(), e.to_string()))?;
        apply_commands(
            conn,
            &self.outbox,
            &fact,
            base.order_id,
            command.into_iter().collect(),
            ctx,
            self.retries,
            true,
        )
        .await
    }
}
