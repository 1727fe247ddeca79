//! Re-decomposition diff (004 §18.1 "replace pending tasks"): given the current plan, the
//! plan an amended order decomposes into, and the tasks fulfillment has already started,
//! which tasks stay, which are new, which are cancelled, and which block the amendment.
//!
//! Task ids are derived from everything a task does and depends on (see `build`), so "the
//! same task" is simply "the same id": an unchanged task keeps its id across the two plans;
//! a task whose template, item input or upstream changed gets a new one.
//!
//! - `keep`: in both plans (started or not); nothing to do.
//! - `add`: only in the new plan; fulfillment creates them.
//! - `cancel`: only in the old plan and not started; fulfillment drops them (they had no
//!   external effect yet, so no compensation is needed).
//! - `blocked_by_started`: only in the old plan but already started (or done): replacing
//!   them needs compensation or a human, so the amendment goes to manual review (004 §18.3)
//!   instead of being applied automatically.

use oms_domain::value::TaskId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::plan::DecompositionPlan;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplanDiff {
    /// In new-plan order.
    pub keep: Vec<TaskId>,
    /// In new-plan order.
    pub add: Vec<TaskId>,
    /// In old-plan order.
    pub cancel: Vec<TaskId>,
    /// In old-plan order.
    pub blocked_by_started: Vec<TaskId>,
}

impl ReplanDiff {
    /// The new plan can replace the old one automatically: nothing started is affected.
    pub fn is_safe(&self) -> bool {
        self.blocked_by_started.is_empty()
    }

    /// Nothing changes at all.
    pub fn is_noop(&self) -> bool {
        self.add.is_empty() && self.cancel.is_empty() && self.blocked_by_started.is_empty()
    }
}

/// Diffs two plans of the same order. `started` holds ids of tasks fulfillment has started
/// or finished; ids that are not in the old plan are ignored.
pub fn replan(
    old: &DecompositionPlan,
    new: &DecompositionPlan,
    started: &BTreeSet<TaskId>,
) -> ReplanDiff {
    debug_assert_eq!(
        old.order_id, new.order_id,
        "replan compares plans of one order"
    );
    let old_ids: BTreeSet<TaskId> = old.tasks.iter().map(|t| t.task_id).collect();
    let new_ids: BTreeSet<TaskId> = new.tasks.iter().map(|t| t.task_id).collect();
    let mut diff = ReplanDiff::default();
    for task in &new.tasks {
        if old_ids.contains(&task.task_id) {
            diff.keep.push(task.task_id);
        } else {
            diff.add.push(task.task_id);
        }
    }
    for task in old.tasks.iter().filter(|t| !new_ids.contains(&t.task_id)) {
        if started.contains(&task.task_id) {
            diff.blocked_by_started.push(task.task_id);
        } else {
            diff.cancel.push(task.task_id);
        }
    }
    diff
}
