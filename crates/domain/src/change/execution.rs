//! The execution view: what is known about each task of an order's plan, as input to the
//! change rules. Order-capture builds it from the plan and the fulfillment task facts it
//! consumes (a projection that lags by one event hop); fulfillment builds it from its own
//! locked task rows (the truth). The rules below take either and give the same answer for
//! the same data.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::events::PlannedTask;
use crate::value::{OrderItemId, PlanId, TaskId};
use crate::vocab::{ExternalEffectLevel, ItemInput, TaskReversibility};

/// How far a task got, in the terms cancellation and amendment decide on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskProgress {
    /// Never dispatched, or every attempt failed: by the adapter contract a failure applies
    /// nothing (PENDING, READY, RETRY_SCHEDULED, FALLOUT).
    NotStarted,
    /// Dispatched; the call may be applied right now (DISPATCHED).
    Dispatched,
    /// The downstream system accepted the request and works on it (WAITING_FOR_CALLBACK).
    AwaitingCallback,
    /// Applied (SUCCEEDED).
    Succeeded,
    /// Nothing (more) to undo: CANCELLED, SKIPPED, FAILED (waived) or COMPENSATED.
    Ended,
}

impl TaskProgress {
    /// The task's effect is, or may be, in the world.
    pub fn may_have_applied(self) -> bool {
        matches!(
            self,
            Self::Dispatched | Self::AwaitingCallback | Self::Succeeded
        )
    }

    /// A call is in flight and its outcome will change what there is to undo.
    pub fn is_in_flight(self) -> bool {
        self == Self::Dispatched
    }
}

/// One task of the plan with its change metadata and progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub task_id: TaskId,
    pub item_ids: Vec<OrderItemId>,
    pub task_type: String,
    pub target_system: String,
    pub depends_on: Vec<TaskId>,
    pub reversibility: TaskReversibility,
    pub external_effect_level: ExternalEffectLevel,
    pub compensation_task_type: Option<String>,
    pub item_milestone: bool,
    /// Item inputs the task uses; `None`: all of them (a plan that does not say).
    pub inputs: Option<Vec<ItemInput>>,
    pub progress: TaskProgress,
}

impl TaskView {
    /// A not-started view of a planned task.
    pub fn planned(task: &PlannedTask) -> Self {
        Self {
            task_id: task.task_id,
            item_ids: task.item_ids.clone(),
            task_type: task.task_type.clone(),
            target_system: task.target_system.clone(),
            depends_on: task.depends_on.clone(),
            reversibility: task.reversibility,
            external_effect_level: task.external_effect_level,
            compensation_task_type: task.compensation_task_type.clone(),
            item_milestone: task.item_milestone.unwrap_or(false),
            inputs: task.inputs.clone(),
            progress: TaskProgress::NotStarted,
        }
    }

    pub fn uses(&self, input: ItemInput) -> bool {
        self.inputs.as_ref().is_none_or(|i| i.contains(&input))
    }

    pub fn serves(&self, item: OrderItemId) -> bool {
        self.item_ids.contains(&item)
    }

    /// The task changes something outside our systems when it runs.
    pub fn mutates_externally(&self) -> bool {
        self.external_effect_level != ExternalEffectLevel::NoExternalEffect
    }
}

/// The plan of an order as the change rules see it. `version` counts the task facts the
/// view has absorbed; with the order version it makes the assessment version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionView {
    pub plan_id: Option<PlanId>,
    pub version: u64,
    /// In plan order (dependencies before dependents).
    pub tasks: Vec<TaskView>,
}

impl ExecutionView {
    pub fn task(&self, id: TaskId) -> Option<&TaskView> {
        self.tasks.iter().find(|t| t.task_id == id)
    }

    pub fn tasks_of(&self, item: OrderItemId) -> impl Iterator<Item = &TaskView> {
        self.tasks.iter().filter(move |t| t.serves(item))
    }

    /// Every task that depends on `of`, directly or through other tasks.
    pub fn dependents(&self, of: &BTreeSet<TaskId>) -> BTreeSet<TaskId> {
        let mut children: BTreeMap<TaskId, Vec<TaskId>> = BTreeMap::new();
        for task in &self.tasks {
            for dep in &task.depends_on {
                children.entry(*dep).or_default().push(task.task_id);
            }
        }
        let mut found = BTreeSet::new();
        let mut stack: Vec<TaskId> = of.iter().copied().collect();
        while let Some(next) = stack.pop() {
            for child in children.get(&next).into_iter().flatten() {
                if found.insert(*child) {
                    stack.push(*child);
                }
            }
        }
        found
    }
}
