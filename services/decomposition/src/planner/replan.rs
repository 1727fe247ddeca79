//! Re-decomposition diff of two plans of one order (004 §18.1 "replace pending tasks"). The
//! rule itself is the domain's (`oms_domain::change::replan`, applied by fulfillment to its
//! running plan); this adapts it to the planner's plans, for tests and tooling that compare
//! two plans the planner made.
//!
//! Task ids are derived from everything a task does and uses (see `build`), so "the same
//! task" is simply "the same id".

use oms_domain::value::TaskId;
use std::collections::BTreeSet;

pub use oms_domain::change::ReplanDiff;

use super::plan::DecompositionPlan;

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
    let ids = |plan: &DecompositionPlan| plan.tasks.iter().map(|t| t.task_id).collect::<Vec<_>>();
    oms_domain::change::replan(&ids(old), &ids(new), started)
}
