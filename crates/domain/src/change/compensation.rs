//! Compensation order (004 §12-13; ADR 0008 §2): a plan is undone in exactly the reverse of
//! the order it was done. The compensation of task A waits for the compensation of every
//! compensated task that depends on A, directly or through tasks that need no compensation
//! (a read-only check between two reservations still orders them).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::execution::ExecutionView;
use crate::value::{OrderItemId, TaskId};

/// One compensation to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompensationStep {
    /// The task whose effect this undoes.
    pub compensates_task_id: TaskId,
    /// The task type that undoes it (the plan's compensation type).
    pub task_type: String,
    pub target_system: String,
    pub item_ids: Vec<OrderItemId>,
    /// Originals whose compensation must finish before this one starts.
    pub after: Vec<TaskId>,
}

/// The steps for `compensated` (tasks of `view`), in an order in which each step comes
/// after everything in its `after` list: reverse plan order. A compensated task without a
/// compensation type (a plan that did not say) is undone by `UNDO_<task type>`.
pub fn compensation_steps(view: &ExecutionView, compensated: &[TaskId]) -> Vec<CompensationStep> {
    let set: BTreeSet<TaskId> = compensated.iter().copied().collect();
    view.tasks
        .iter()
        .rev()
        .filter(|t| set.contains(&t.task_id))
        .map(|task| {
            let dependents = view.dependents(&BTreeSet::from([task.task_id]));
            // in reverse plan order, like the steps
            let after = view
                .tasks
                .iter()
                .rev()
                .filter(|t| dependents.contains(&t.task_id) && set.contains(&t.task_id))
                .map(|t| t.task_id)
                .collect();
            CompensationStep {
                compensates_task_id: task.task_id,
                task_type: task
                    .compensation_task_type
                    .clone()
                    .unwrap_or_else(|| format!("UNDO_{}", task.task_type)),
                target_system: task.target_system.clone(),
                item_ids: task.item_ids.clone(),
                after,
            }
        })
        .collect()
}
