//! Re-decomposition diff (004 §18.1 "replace pending tasks"; ADR 0008 §3): given the
//! current plan, the plan the amended order decomposes into, and what has started, which
//! tasks stay, which are new, which are dropped, and which block the amendment.
//!
//! Task ids are derived from everything a task does and uses (see the decomposition
//! planner), so "the same task" is "the same id": an unchanged task keeps its id across the
//! two plans, a task whose template, used item inputs or upstream changed gets a new one.
//!
//! - `keep`: in both plans (started or not): its row, state and results stay;
//! - `add`: only in the new plan: created PENDING;
//! - `cancel`: only in the old plan and not started: dropped (no effect to undo);
//! - `blocked_by_started`: only in the old plan but started (or done): replacing it needs
//!   compensation or a person, so the amendment is refused instead of applied.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::value::TaskId;

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

/// Diffs two plans of one order, given as their task ids in plan order. `started` holds
/// ids of tasks that may have applied their effect; ids not in the old plan are ignored.
pub fn replan(old: &[TaskId], new: &[TaskId], started: &BTreeSet<TaskId>) -> ReplanDiff {
    let old_ids: BTreeSet<TaskId> = old.iter().copied().collect();
    let new_ids: BTreeSet<TaskId> = new.iter().copied().collect();
    let mut diff = ReplanDiff::default();
    for id in new {
        if old_ids.contains(id) {
            diff.keep.push(*id);
        } else {
            diff.add.push(*id);
        }
    }
    for id in old.iter().filter(|id| !new_ids.contains(id)) {
        if started.contains(id) {
            diff.blocked_by_started.push(*id);
        } else {
            diff.cancel.push(*id);
        }
    }
    diff
}
