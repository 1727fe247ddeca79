//! Structural rules: unique line numbers and client refs, an acyclic bundle hierarchy, an
//! acyclic dependency graph over existing items, no new add-on under a disconnected parent,
//! and a stated order type that matches the actions.

use std::collections::BTreeMap;

use super::{Rule, RuleInput, item_path};
use crate::capture::codes::RuleCode;
use crate::capture::violation::Violation;
use crate::order::graph::find_cycle;
use crate::vocab::{ItemAction, OrderType};

pub(crate) const UNIQUE_LINES: Rule = Rule {
    name: "unique-line-numbers-and-client-refs",
    codes: &[
        RuleCode::DuplicateLineNumber,
        RuleCode::DuplicateClientItemRef,
    ],
    check: |input, out| {
        let mut lines = BTreeMap::new();
        let mut refs = BTreeMap::new();
        for (i, item) in input.intake.items.iter().enumerate() {
            if let Some(first) = lines.insert(item.line_number, i) {
                out.push(RuleCode::DuplicateLineNumber.at(
                    item_path(i, "lineNumber"),
                    format!(
                        "line number {} is also used by items[{first}]",
                        item.line_number
                    ),
                ));
            }
            if let Some(first) = refs.insert(item.client_item_ref.as_str(), i) {
                out.push(RuleCode::DuplicateClientItemRef.at(
                    item_path(i, "clientItemRef"),
                    format!(
                        "clientItemRef '{}' is also used by items[{first}]",
                        item.client_item_ref
                    ),
                ));
            }
        }
    },
};

pub(crate) const HIERARCHY: Rule = Rule {
    name: "item-hierarchy",
    codes: &[RuleCode::ParentItemNotFound, RuleCode::ItemHierarchyCycle],
    check: hierarchy,
};

fn hierarchy(input: &RuleInput<'_>, out: &mut Vec<Violation>) {
    let items = &input.intake.items;
    let parent = |i: usize| {
        items[i]
            .parent_ref
            .as_deref()
            .and_then(|p| input.index_of(p))
    };
    for (i, item) in items.iter().enumerate() {
        if let Some(p) = item.parent_ref.as_deref()
            && input.index_of(p).is_none()
        {
            out.push(RuleCode::ParentItemNotFound.at(
                item_path(i, "parentRef"),
                format!("no item has clientItemRef '{p}'"),
            ));
        }
    }
    if let Some(i) = find_cycle(items.len(), parent) {
        out.push(
            RuleCode::ItemHierarchyCycle
                .at(item_path(i, "parentRef"), "this item is its own ancestor"),
        );
    }
}

pub(crate) const DEPENDENCIES: Rule = Rule {
    name: "item-dependencies",
    codes: &[
        RuleCode::DependencyTargetNotFound,
        RuleCode::DependencyCycle,
    ],
    check: dependencies,
};

fn dependencies(input: &RuleInput<'_>, out: &mut Vec<Violation>) {
    let items = &input.intake.items;
    for (i, item) in items.iter().enumerate() {
        for (j, dep) in item.depends_on.iter().enumerate() {
            if input.index_of(&dep.client_item_ref).is_none() {
                out.push(RuleCode::DependencyTargetNotFound.at(
                    item_path(i, &format!("dependsOn[{j}].clientItemRef")),
                    format!("no item has clientItemRef '{}'", dep.client_item_ref),
                ));
            }
        }
    }
    let successors = |i: usize| -> Vec<usize> {
        items[i]
            .depends_on
            .iter()
            .filter_map(|d| input.index_of(&d.client_item_ref))
            .collect()
    };
    if let Some(i) = find_cycle(items.len(), successors) {
        out.push(RuleCode::DependencyCycle.at(
            item_path(i, "dependsOn"),
            "this item (transitively) depends on itself",
        ));
    }
}

pub(crate) const ADD_UNDER_DISCONNECT: Rule = Rule {
    name: "no-add-under-disconnected-parent",
    codes: &[RuleCode::AddUnderDisconnectedParent],
    check: |input, out| {
        for (i, item) in input.intake.items.iter().enumerate() {
            let parent = item.parent_ref.as_deref().and_then(|p| input.index_of(p));
            if item.action == ItemAction::Add
                && parent.is_some_and(|p| input.intake.items[p].action == ItemAction::Delete)
            {
                out.push(RuleCode::AddUnderDisconnectedParent.at(
                    item_path(i, "action"),
                    "ADD under a parent that is being disconnected",
                ));
            }
        }
    },
};

pub(crate) const ORDER_TYPE: Rule = Rule {
    name: "order-type-matches-actions",
    codes: &[RuleCode::OrderTypeInconsistent],
    check: |input, out| {
        let actions: Vec<ItemAction> = input.intake.items.iter().map(|i| i.action).collect();
        if let Some(stated) = input.intake.order_type
            && !stated.consistent_with(&actions)
        {
            let derived = OrderType::derive_from_actions(&actions);
            out.push(RuleCode::OrderTypeInconsistent.at(
                "orderType",
                format!(
                    "order type {stated:?} does not match the actions (they suggest {derived:?})"
                ),
            ));
        }
    },
};
