//! The execution view of an order from fulfillment's own rows (the truth the change rules
//! decide on in this service; ADR 0008 §1).

use crate::model::TaskState;
use crate::store::{StoreError, tasks::TaskRow, vocab};
use oms_domain::change::{ExecutionView, TaskProgress, TaskView};
use oms_domain::value::{OrderItemId, PlanId, TaskId};
use oms_domain::vocab::ItemInput;
use std::collections::BTreeSet;
use uuid::Uuid;

/// What a task state means to the change rules.
pub fn progress(state: TaskState) -> TaskProgress {
    match state {
        TaskState::Pending | TaskState::Ready | TaskState::RetryScheduled | TaskState::Fallout => {
            TaskProgress::NotStarted
        }
        TaskState::Dispatched => TaskProgress::Dispatched,
        TaskState::WaitingForCallback => TaskProgress::AwaitingCallback,
        TaskState::Succeeded => TaskProgress::Succeeded,
        TaskState::Failed | TaskState::Skipped | TaskState::Cancelled | TaskState::Compensated => {
            TaskProgress::Ended
        }
    }
}

/// The execution tasks of `plan_id` among `tasks`, as a view in dependency order (ties by
/// task id, so the order is deterministic).
pub fn of_plan(plan_id: Uuid, tasks: &[TaskRow]) -> Result<ExecutionView, StoreError> {
    let mine: Vec<&TaskRow> = tasks
        .iter()
        .filter(|t| t.plan_id == plan_id && !t.is_compensation())
        .collect();
    let mut placed: BTreeSet<Uuid> = BTreeSet::new();
    let mut ordered: Vec<&TaskRow> = Vec::with_capacity(mine.len());
    while ordered.len() < mine.len() {
        let mut ready: Vec<&TaskRow> = mine
            .iter()
            .copied()
            .filter(|t| !placed.contains(&t.task_id))
            .filter(|t| {
                t.depends_on
                    .iter()
                    .all(|d| placed.contains(d) || !mine.iter().any(|m| m.task_id == *d))
            })
            .collect();
        if ready.is_empty() {
            return Err(StoreError::corrupt(
                "plan",
                format!("plan {plan_id} has a cycle"),
            ));
        }
        ready.sort_by_key(|t| t.task_id);
        for t in ready {
            placed.insert(t.task_id);
            ordered.push(t);
        }
    }
    let tasks = ordered
        .into_iter()
        .map(task_view)
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(ExecutionView {
        plan_id: Some(PlanId::from_uuid(plan_id)),
        version: 0,
        tasks,
    })
}

fn task_view(t: &TaskRow) -> Result<TaskView, StoreError> {
    Ok(TaskView {
        task_id: TaskId::from_uuid(t.task_id),
        item_ids: t
            .item_ids
            .iter()
            .copied()
            .map(OrderItemId::from_uuid)
            .collect(),
        task_type: t.task_type.clone(),
        target_system: t.target_system.clone(),
        depends_on: t
            .depends_on
            .iter()
            .copied()
            .map(TaskId::from_uuid)
            .collect(),
        reversibility: vocab("reversibility", &t.reversibility)?,
        external_effect_level: vocab("external effect level", &t.external_effect_level)?,
        compensation_task_type: t.compensation_task_type.clone(),
        item_milestone: t.item_milestone.unwrap_or(false),
        inputs: t
            .inputs
            .as_ref()
            .map(|i| {
                i.iter()
                    .map(|raw| {
                        ItemInput::parse(raw)
                            .ok_or_else(|| StoreError::corrupt("task input", raw.clone()))
                    })
                    .collect()
            })
            .transpose()?,
        progress: progress(t.state),
    })
}
