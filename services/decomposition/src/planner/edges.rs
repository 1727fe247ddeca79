//! Cross-item edges: how one item's tasks wait for another item's (DOMAIN §1: the
//! hierarchy says what belongs to what, the dependency graph what happens before what).
//!
//! Every cross-item edge targets the other item's *milestone* task (its activation for a
//! build-up action, its deactivation for DELETE): "wait until that item's change is live".
//! Items without tasks (NO_CHANGE) take part in no edge: the installed base already has
//! what they stand for.
//!
//! 1. **Parent, both build-up** (ADD, MODIFY, MOVE, RENEW, RESUME): the child's tasks
//!    flagged `after_parent` wait for the parent's milestone; if the child's rule flags
//!    none, the child's milestone waits (a child's activation waits for its parent's).
//!    A rule marked `independent_of_parent` gets no parent edge (an on-site installation
//!    is a prerequisite of its parent, not a dependent).
//! 2. **Parent, both tear-down** (DELETE, SUSPEND): the parent's milestone waits for the
//!    child's: children are taken down before what they hang off.
//! 3. **Parent build-up, child tear-down**: no edge (removing a static IP does not wait for
//!    a speed change). Parent tear-down with a build-up child is refused by readiness.
//! 4. **Declared prerequisite** (the order's item dependencies, any type): the dependent's
//!    tasks flagged `after_prerequisites` wait for the prerequisite's milestone; if none is
//!    flagged, the dependent's milestone waits.

use oms_domain::value::OrderItemId;
use std::collections::BTreeMap;

use super::input::PlanningInput;
use super::input::PlanningItem;
use super::readiness::ResolvedRules;
use crate::catalog::ActionClass;

/// Plan nodes of one item.
#[derive(Debug, Default)]
pub(super) struct ItemNodes {
    pub milestone: Option<usize>,
    pub after_parent: Vec<usize>,
    pub after_prerequisites: Vec<usize>,
}

/// `(waiter, waited_for)` node pairs across items, in a deterministic order.
pub(super) fn cross_item_waits(
    input: &PlanningInput,
    rules: &ResolvedRules<'_>,
    nodes: &[ItemNodes],
) -> Vec<(usize, usize)> {
    let index: BTreeMap<OrderItemId, usize> = input
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.item_id, i))
        .collect();
    let position = |id: OrderItemId| index.get(&id).copied();
    let mut waits = Vec::new();
    for (c, child) in input.items.iter().enumerate() {
        let Some(child_milestone) = nodes[c].milestone else {
            continue;
        };
        let waiters = |flagged: &Vec<usize>| {
            if flagged.is_empty() {
                vec![child_milestone]
            } else {
                flagged.clone()
            }
        };
        if let Some(p) = child.parent_id.and_then(position)
            && let Some(parent_milestone) = nodes[p].milestone
        {
            match (class(&input.items[p]), class(child)) {
                (ActionClass::BuildUp, ActionClass::BuildUp)
                    if !rules[c].is_some_and(|r| r.independent_of_parent) =>
                {
                    for w in waiters(&nodes[c].after_parent) {
                        waits.push((w, parent_milestone));
                    }
                }
                (ActionClass::TearDown, ActionClass::TearDown) => {
                    waits.push((parent_milestone, child_milestone));
                }
                _ => {}
            }
        }
        for dep in &child.prerequisites {
            if let Some(q) = position(dep.depends_on)
                && let Some(prerequisite_milestone) = nodes[q].milestone
            {
                for w in waiters(&nodes[c].after_prerequisites) {
                    waits.push((w, prerequisite_milestone));
                }
            }
        }
    }
    waits
}

fn class(item: &PlanningItem) -> ActionClass {
    ActionClass::of(item.action)
}
