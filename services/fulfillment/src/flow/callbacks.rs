//! The callback entrance of asynchronous downstream work (a technician visit that finishes
//! hours later): the same state machine as a synchronous answer, entered from
//! WAITING_FOR_CALLBACK. Delivery is at least once; a repeated or stale callback (the task
//! already moved on, or the key is of an earlier request) is acknowledged and ignored.

use super::{Flow, FlowError};
use crate::downstream::{CallbackError, CallbackOutcome, CallbackSink, DownstreamCallback};
use crate::engine::EngineWaker;
use crate::events::FactMeta;
use crate::model::{TaskState, TaskTrigger};
use crate::store::{self, orders};
use futures::future::BoxFuture;
use sqlx::PgPool;
use tracing::Instrument as _;

/// Applies callbacks to tasks.
#[derive(Debug, Clone)]
pub struct Callbacks {
    pool: PgPool,
    flow: Flow,
    waker: EngineWaker,
}

impl Callbacks {
    pub fn new(pool: PgPool, flow: Flow, waker: EngineWaker) -> Self {
        Self { pool, flow, waker }
    }

    async fn apply(&self, callback: &DownstreamCallback) -> Result<(), CallbackError> {
        let unavailable = |e: FlowError| CallbackError::Unavailable(e.to_string());
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| CallbackError::Unavailable(e.to_string()))?;
        // Items before the task (store lock order): read the task's items first.
        let Some(peek) = store::tasks::of_task(&mut tx, callback.task_id)
            .await
            .map_err(|e| unavailable(e.into()))?
        else {
            tracing::warn!(task_id = %callback.task_id, "callback for an unknown task; ignored");
            return Ok(());
        };
        store::items::lock(&mut tx, peek.order_id, &peek.item_ids)
            .await
            .map_err(|e| unavailable(e.into()))?;
        let Some(task) = store::tasks::lock_one(&mut tx, callback.task_id)
            .await
            .map_err(|e| unavailable(e.into()))?
        else {
            return Ok(());
        };
        if task.idempotency_key() != callback.idempotency_key {
            tracing::info!(task_id = %task.task_id, key = %callback.idempotency_key, "callback of an earlier request; ignored");
            return Ok(());
        }
        match task.state {
            TaskState::WaitingForCallback => {}
            TaskState::Dispatched => return Err(CallbackError::NotYetWaiting(task.task_id)),
            other => {
                tracing::info!(task_id = %task.task_id, state = %other, "callback for a task that moved on; ignored");
                return Ok(());
            }
        }
        let correlation = orders::contexts(&mut tx, &[task.order_id])
            .await
            .map_err(|e| unavailable(e.into()))?
            .into_iter()
            .next()
            .map_or_else(|| task.order_id.to_string(), |o| o.correlation_id);
        let meta = FactMeta::engine(&correlation);
        match &callback.outcome {
            CallbackOutcome::Completed(refs) => {
                self.flow
                    .complete(
                        &mut tx,
                        &task,
                        TaskTrigger::Complete,
                        refs,
                        &meta,
                        super::outcome::ENGINE_ACTOR,
                    )
                    .await
                    .map_err(unavailable)?;
            }
            CallbackOutcome::Failed { failure, transient } => {
                self.flow
                    .fail(&mut tx, &task, failure, *transient, true, &meta)
                    .await
                    .map_err(unavailable)?;
            }
        }
        self.flow
            .events()
            .outbox()
            .commit(tx)
            .await
            .map_err(|e| CallbackError::Unavailable(e.to_string()))?;
        self.waker.wake();
        Ok(())
    }
}

impl CallbackSink for Callbacks {
    fn deliver(&self, callback: DownstreamCallback) -> BoxFuture<'_, Result<(), CallbackError>> {
        let span = tracing::info_span!(
            "downstream.callback",
            system = %callback.system,
            task_id = %callback.task_id,
            idempotency_key = %callback.idempotency_key,
        );
        Box::pin(async move { self.apply(&callback).await }.instrument(span))
    }
}
