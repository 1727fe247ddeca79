//! The projection: one inbox handler per topic family, each applying an event inside the
//! consumer's transaction (the inbox row and every read-model row commit together).
//!
//! Every handler does the same three things in order:
//! 1. checks the read model's generation (FOR SHARE): a consumer of an older generation rolls
//!    back instead of writing into a rebuilt model;
//! 2. records the event on the order's timeline ([`timeline`], generic over the envelope plus
//!    the record's [`crate::describe`] line);
//! 3. applies what the event means to its read model: [`order`] folds order events into the
//!    summary and fallout cases, [`tasks`] maps plans and fulfillment progress onto tasks;
//!    asset events only reach the timeline.
//!
//!
//! A record that does not map onto the domain (a blank tenant id, a nil id: a writer's bug) is
//! refused before step 2 with the mapping's stable code and dead-lettered, for every topic:
//! the read model holds only what a writer could have decided. Order events are mapped by the
//! fold itself; the other families are mapped first and then projected from the record.
//!
//! Which read-model columns each topic writes is fixed (see the migration), so the result does
//! not depend on how the consumer interleaved the topics: a rebuild produces the same rows.

pub mod order;
pub mod tasks;
pub mod timeline;

use oms_contracts::{AssetEventV1, DecompositionEventV1, FulfillmentEventV1, OrderEventV1};
use oms_domain::events::{AssetEvent, DecompositionEvent, FulfillmentEvent};
use oms_messaging::{EventContract, Handler, HandlerError, MessageContext};
use sqlx::PgConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::describe;
use crate::store::{StoreError, generation};

/// The generation this process's consumer writes. The supervisor sets it while no consumer
/// runs ([`crate::rebuild::Projector`]); handlers compare it with the stored one.
#[derive(Debug, Clone, Default)]
pub struct ActiveGeneration(Arc<AtomicI64>);

impl ActiveGeneration {
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn set(&self, generation: i64) {
        self.0.store(generation, Ordering::SeqCst);
    }

    /// `Ok` when the stored generation is this consumer's, holding the row FOR SHARE until the
    /// transaction ends; a transient failure otherwise (the consumer is being replaced).
    async fn check(&self, conn: &mut PgConnection) -> Result<(), HandlerError> {
        let stored = generation::share(conn).await.map_err(store_error)?;
        let active = self.get();
        if stored == active {
            Ok(())
        } else {
            Err(HandlerError::transient(anyhow::anyhow!(
                "the read model is at generation {stored}, this consumer writes generation \
                 {active}: it is being replaced"
            )))
        }
    }
}

/// Database errors keep their transient/permanent classification; corrupt rows are permanent.
pub(crate) fn store_error(error: StoreError) -> HandlerError {
    match error {
        StoreError::Database(error) => HandlerError::from(error),
        corrupt @ StoreError::Corrupt { .. } => {
            HandlerError::permanent("READ_MODEL_CORRUPT", corrupt.to_string())
        }
    }
}

/// Writer of each topic, as the timeline names it.
pub const ORDER_CAPTURE: &str = "order-capture";
pub const DECOMPOSITION: &str = "decomposition";
pub const FULFILLMENT: &str = "fulfillment";
pub const ASSET: &str = "asset";

/// `oms.order.events.v1`.
#[derive(Debug, Clone)]
pub struct OrderEvents {
    pub generation: ActiveGeneration,
}

impl Handler for OrderEvents {
    type Event = OrderEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &OrderEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        self.generation.check(conn).await?;
        let fact = describe::order_event(event);
        timeline::record(conn, ctx, OrderEventV1::TOPIC, ORDER_CAPTURE, fact).await?;
        order::apply(conn, event).await
    }
}

/// `oms.decomposition.events.v1`.
#[derive(Debug, Clone)]
pub struct DecompositionEvents {
    pub generation: ActiveGeneration,
}

impl Handler for DecompositionEvents {
    type Event = DecompositionEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &DecompositionEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        self.generation.check(conn).await?;
        // The task columns are written from the record; it must map onto the domain first.
        DecompositionEvent::try_from(event)?;
        let fact = describe::decomposition_event(event);
        timeline::record(conn, ctx, DecompositionEventV1::TOPIC, DECOMPOSITION, fact).await?;
        tasks::apply_decomposition(conn, event).await
    }
}

/// `oms.fulfillment.events.v1`.
#[derive(Debug, Clone)]
pub struct FulfillmentEvents {
    pub generation: ActiveGeneration,
}

impl Handler for FulfillmentEvents {
    type Event = FulfillmentEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &FulfillmentEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        self.generation.check(conn).await?;
        FulfillmentEvent::try_from(event)?;
        let fact = describe::fulfillment_event(event);
        timeline::record(conn, ctx, FulfillmentEventV1::TOPIC, FULFILLMENT, fact).await?;
        tasks::apply_fulfillment(conn, event).await
    }
}

/// `oms.asset.events.v1`: the timeline only (the installed base is the asset service's read
/// model; the order's items already carry their asset ids from `OrderItemCompleted`).
#[derive(Debug, Clone)]
pub struct AssetEvents {
    pub generation: ActiveGeneration,
}

impl Handler for AssetEvents {
    type Event = AssetEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &AssetEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        self.generation.check(conn).await?;
        AssetEvent::try_from(event)?;
        let fact = describe::asset_event(event);
        timeline::record(conn, ctx, AssetEventV1::TOPIC, ASSET, fact).await
    }
}
