//! Stopping work order-capture no longer wants: `OrderFailedClosed` (a FALLOUT order closed
//! by business decision; its unfinished items are cancelled) and `OrderCancelled` (before
//! execution: nothing ran yet). The order is marked closed, so nothing of it is claimed or
//! started again; its waiting, retrying and fallen-out tasks are CANCELLED (their open
//! fallout cases resolved as ORDER_CLOSED) and its unfinished items CANCELLED. A call in
//! flight is not interrupted: it finishes, and the engine's sweep cancels whatever it left
//! waiting. Compensation of work already done is the cancellation issue's (ADR 0007).
//! No fact is emitted: order-capture decided the closing and already knows.

use super::{ENGINE_ACTOR, Flow, FlowError};
use crate::model::{TaskState, TaskTrigger};
use crate::store::{self, items, orders};
use sqlx::PgConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

impl Flow {
    /// Closes the order (once) and cancels what can be cancelled. `closed_items`: the items
    /// order-capture closed; `None` means every unfinished item. Returns the tasks cancelled.
    pub async fn close_order(
        &self,
        conn: &mut PgConnection,
        order_id: Uuid,
        event_type: &str,
        closed_items: Option<&[Uuid]>,
    ) -> Result<usize, FlowError> {
        orders::mark_closed(conn, order_id, event_type).await?;
        // items before tasks (store lock order)
        let all: Vec<Uuid> = items::of_order(conn, order_id)
            .await?
            .iter()
            .map(|i| i.item_id)
            .collect();
        items::lock(conn, order_id, &all).await?;
        let closed: Option<BTreeSet<Uuid>> = closed_items.map(|ids| ids.iter().copied().collect());
        let open: Vec<Uuid> = store::tasks::of_order(conn, order_id)
            .await?
            .into_iter()
            .filter(|t| {
                !t.state.is_terminal()
                    && !t.state.is_in_flight()
                    && closed
                        .as_ref()
                        .is_none_or(|c| t.item_ids.iter().all(|i| c.contains(i)))
            })
            .map(|t| t.task_id)
            .collect();
        let tasks = store::tasks::lock(conn, &open).await?;
        let detail = format!("order closed ({event_type})");
        let mut cancelled = 0;
        for task in tasks
            .iter()
            .filter(|t| !t.state.is_terminal() && !t.state.is_in_flight())
        {
            let next = task.after(TaskTrigger::Cancel)?;
            store::tasks::persist(
                conn,
                task,
                &next,
                TaskTrigger::Cancel,
                ENGINE_ACTOR,
                Some(&detail),
            )
            .await?;
            if task.state == TaskState::Fallout {
                store::fallout::resolve_open(conn, task.task_id, "ORDER_CLOSED", ENGINE_ACTOR)
                    .await?;
            }
            cancelled += 1;
        }
        let to_cancel: Vec<Uuid> = match &closed {
            Some(c) => c.iter().copied().collect(),
            None => all,
        };
        items::cancel(conn, order_id, &to_cancel).await?;
        if cancelled > 0 {
            tracing::info!(%order_id, cancelled, event_type, "order closed; its open tasks were cancelled");
        }
        Ok(cancelled)
    }
}
