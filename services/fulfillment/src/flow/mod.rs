//! What follows a task transition, in the same transaction: facts on the outbox, the item
//! results, and the dependents that become READY. The engine (dispatch results), the
//! downstream callbacks and the operator actions all go through this module, so every
//! path applies the same rules:
//!
//! - an item is FULFILLED once, when every task of it in the started plan SUCCEEDED, and
//!   that is when `OrderItemFulfilled` is emitted;
//! - a PENDING task becomes READY once every dependency is SUCCEEDED, SKIPPED or FAILED
//!   (the latter two only by an operator's waiver).
//!
//! Callers lock the task's item rows before the task row (store lock order) and before
//! calling [`Flow::after_success`], which is what makes the item check race-free.

mod callbacks;
mod closing;
mod outcome;

pub use callbacks::Callbacks;
pub use outcome::{DispatchOutcome, ENGINE_ACTOR};

use crate::events::{self, EventError, EventWriter, FactMeta};
use crate::model::{Backoff, TaskTrigger};
use crate::store::{self, StoreError, items, orders, tasks::TaskRow};
use sqlx::PgConnection;
use uuid::Uuid;

/// Why a flow step failed; the caller's transaction rolls back.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Event(#[from] EventError),
}

impl From<sqlx::Error> for FlowError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(error))
    }
}

/// The shared rules, with the outbox and the retry schedule.
#[derive(Debug, Clone)]
pub struct Flow {
    events: EventWriter,
    backoff: Backoff,
}

impl Flow {
    pub fn new(events: EventWriter, backoff: Backoff) -> Self {
        Self { events, backoff }
    }

    pub fn events(&self) -> &EventWriter {
        &self.events
    }

    pub fn backoff(&self) -> &Backoff {
        &self.backoff
    }

    /// Promotes the PENDING tasks of the order's started plan that wait on `finished` (all
    /// PENDING tasks when `finished` is empty) and whose dependencies are now all met.
    /// Returns how many became READY.
    pub async fn promote(
        &self,
        conn: &mut PgConnection,
        order_id: Uuid,
        finished: &[Uuid],
        actor: &str,
    ) -> Result<usize, FlowError> {
        let candidates = store::tasks::lock_pending_dependents(conn, order_id, finished).await?;
        let mut promoted = 0;
        for task in candidates {
            if store::tasks::unmet_dependencies(conn, &task).await? > 0 {
                continue;
            }
            let next = task.after(TaskTrigger::DependenciesMet)?;
            store::tasks::persist(
                conn,
                &task,
                &next,
                TaskTrigger::DependenciesMet,
                actor,
                None,
            )
            .await?;
            promoted += 1;
        }
        Ok(promoted)
    }

    /// After `task` SUCCEEDED (already persisted; its item rows locked by the caller):
    /// fulfils the items whose tasks all succeeded and promotes the task's dependents.
    pub async fn after_success(
        &self,
        conn: &mut PgConnection,
        task: &TaskRow,
        meta: &FactMeta,
        actor: &str,
    ) -> Result<(), FlowError> {
        for item_id in &task.item_ids {
            self.fulfil_if_done(conn, task.order_id, &task.tenant_id, *item_id, meta)
                .await?;
        }
        self.promote(conn, task.order_id, &[task.task_id], actor)
            .await?;
        Ok(())
    }

    /// Emits `OrderItemFulfilled` if every task of the item succeeded and the item had not
    /// finished yet. Returns whether it did.
    pub async fn fulfil_if_done(
        &self,
        conn: &mut PgConnection,
        order_id: Uuid,
        tenant_id: &str,
        item_id: Uuid,
        meta: &FactMeta,
    ) -> Result<bool, FlowError> {
        let progress = items::progress(conn, order_id, item_id).await?;
        if !progress.all_succeeded() {
            return Ok(false);
        }
        self.fulfil(conn, order_id, tenant_id, item_id, &progress, meta)
            .await
    }

    /// Marks the item FULFILLED and emits its fact (once: `false` if it had finished).
    pub async fn fulfil(
        &self,
        conn: &mut PgConnection,
        order_id: Uuid,
        tenant_id: &str,
        item_id: Uuid,
        progress: &items::ItemProgress,
        meta: &FactMeta,
    ) -> Result<bool, FlowError> {
        let order = orders::contexts(conn, &[order_id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::corrupt("order", format!("{order_id} is missing")))?;
        let content = order
            .content()?
            .ok_or_else(|| StoreError::corrupt("order", format!("{order_id} has no content")))?;
        let fulfilled =
            events::item_fulfilled(order_id, tenant_id, item_id, &content, progress, meta)?;
        let effect = store::spelling(&fulfilled.asset_effect);
        let finished = items::finish(
            conn,
            order_id,
            item_id,
            items::FULFILLED,
            Some(&effect),
            fulfilled.asset_id.as_deref(),
        )
        .await?;
        if finished {
            self.events.append(conn, &fulfilled.event).await?;
            metrics::counter!("oms_fulfillment_items_fulfilled_total").increment(1);
            tracing::info!(%order_id, %item_id, asset_effect = %effect, "item fulfilled");
        }
        Ok(finished)
    }
}
