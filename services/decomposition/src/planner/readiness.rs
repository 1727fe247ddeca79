//! Readiness checks (000 §12): everything that must hold before a plan is built, in the
//! phases documented on [`super::failure`]. The result is the rule of every item (`None`
//! for a NO_CHANGE item without a rule), aligned with `input.items`.

use oms_domain::vocab::{DecompositionFailureCode as Code, ItemAction};
use std::collections::BTreeMap;

use super::failure::DecompositionFailure;
use super::input::{PlanningInput, PlanningItem};
use crate::catalog::{DecompositionRule, TechnicalCatalog, action_str};
use crate::graph::find_cycle;

/// Rules per item, aligned with `input.items`.
pub(super) type ResolvedRules<'c> = Vec<Option<&'c DecompositionRule>>;

pub(super) fn check<'c>(
    input: &PlanningInput,
    catalog: &'c TechnicalCatalog,
) -> Result<ResolvedRules<'c>, DecompositionFailure> {
    let index = structure(input)?;
    item_data(input, &index)?;
    target_assets(input)?;
    let rules = catalog_rules(input, catalog)?;
    context(input, &rules)?;
    Ok(rules)
}

/// Position of each item in `input.items`.
pub(super) type ItemIndex = BTreeMap<oms_domain::value::OrderItemId, usize>;

/// Phase 1: ids, references and acyclic hierarchy/dependencies.
fn structure(input: &PlanningInput) -> Result<ItemIndex, DecompositionFailure> {
    if input.items.is_empty() {
        return Err(DecompositionFailure::order_invalid(
            None,
            "the order has no items; there is nothing to decompose",
        ));
    }
    let mut index = ItemIndex::new();
    for (i, item) in input.items.iter().enumerate() {
        if index.insert(item.item_id, i).is_some() {
            return Err(DecompositionFailure::order_invalid(
                Some(item.item_id),
                format!("item id {} appears twice in the order", item.item_id),
            ));
        }
    }
    for item in &input.items {
        if let Some(parent) = item.parent_id
            && (parent == item.item_id || !index.contains_key(&parent))
        {
            return Err(DecompositionFailure::order_invalid(
                Some(item.item_id),
                format!(
                    "item {} names parent {parent}, which is {}",
                    item.label(),
                    if parent == item.item_id {
                        "the item itself"
                    } else {
                        "not an item of this order"
                    }
                ),
            ));
        }
        for dep in &item.prerequisites {
            if dep.depends_on == item.item_id || !index.contains_key(&dep.depends_on) {
                return Err(DecompositionFailure::order_invalid(
                    Some(item.item_id),
                    format!(
                        "item {} depends on {}, which is {}",
                        item.label(),
                        dep.depends_on,
                        if dep.depends_on == item.item_id {
                            "the item itself"
                        } else {
                            "not an item of this order"
                        }
                    ),
                ));
            }
        }
    }
    let parents: Vec<Vec<usize>> = input
        .items
        .iter()
        .map(|i| i.parent_id.map(|p| index[&p]).into_iter().collect())
        .collect();
    if let Some(cycle) = find_cycle(&parents) {
        let item = &input.items[cycle[0]];
        return Err(DecompositionFailure::order_invalid(
            Some(item.item_id),
            format!(
                "the item hierarchy has a cycle through {}",
                labels(input, &cycle)
            ),
        ));
    }
    let deps: Vec<Vec<usize>> = input
        .items
        .iter()
        .map(|i| {
            i.prerequisites
                .iter()
                .map(|d| index[&d.depends_on])
                .collect()
        })
        .collect();
    if let Some(cycle) = find_cycle(&deps) {
        let item = &input.items[cycle[0]];
        return Err(DecompositionFailure::order_invalid(
            Some(item.item_id),
            format!(
                "the declared item dependencies have a cycle: {} (each waits for the next)",
                labels(input, &cycle)
            ),
        ));
    }
    Ok(index)
}

pub(super) fn labels(input: &PlanningInput, items: &[usize]) -> String {
    items
        .iter()
        .map(|i| input.items[*i].label())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Phase 2: per-item data the rules cannot work without.
fn item_data(input: &PlanningInput, index: &ItemIndex) -> Result<(), DecompositionFailure> {
    for item in &input.items {
        let invalid = |message: String| {
            Err(DecompositionFailure::order_invalid(
                Some(item.item_id),
                message,
            ))
        };
        if item.action == ItemAction::Add && item.target_asset_id.is_some() {
            return invalid(format!(
                "item {} is an ADD but names target asset {}; ADD creates a new asset",
                item.label(),
                item.target_asset_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ));
        }
        if item.action.is_mutating() && item.offering_version.is_none() {
            return invalid(format!(
                "item {} has no product offering version; the technical mapping is chosen by \
                 offering version",
                item.label()
            ));
        }
        if let Some(parent) = item.parent_id.map(|p| &input.items[index[&p]])
            && let Some(why) = hierarchy_conflict(parent, item)
        {
            return invalid(why);
        }
    }
    if input.items.iter().all(|i| !i.action.is_mutating()) {
        return Err(DecompositionFailure::order_invalid(
            None,
            "every item is NO_CHANGE; the order changes nothing and has nothing to fulfil",
        ));
    }
    Ok(())
}

/// A child must not build up under a parent being taken down, and a disconnected parent
/// takes all its children with it.
fn hierarchy_conflict(parent: &PlanningItem, child: &PlanningItem) -> Option<String> {
    let allowed = match parent.action {
        ItemAction::Delete => child.action == ItemAction::Delete,
        ItemAction::Suspend => matches!(
            child.action,
            ItemAction::Suspend | ItemAction::Delete | ItemAction::NoChange
        ),
        _ => true,
    };
    (!allowed).then(|| {
        format!(
            "item {} is a child of item {}: a child of a {} parent can only be {}",
            child.label(),
            parent.label(),
            action_str(parent.action),
            if parent.action == ItemAction::Delete {
                "DELETE (it would be orphaned otherwise)"
            } else {
                "SUSPEND, DELETE or NO_CHANGE"
            }
        )
    })
}

/// Phase 3: every action except ADD works on an existing asset (DOMAIN §3).
fn target_assets(input: &PlanningInput) -> Result<(), DecompositionFailure> {
    for item in &input.items {
        if item.action.requires_target_asset() && item.target_asset_id.is_none() {
            return Err(DecompositionFailure::new(
                Code::TargetAssetNotFound,
                Some(item.item_id),
                format!(
                    "item {} is a {} but names no target asset; the installed-base asset it \
                     changes cannot be found",
                    item.label(),
                    action_str(item.action)
                ),
                "Set the item's target asset to the customer's existing asset (look it up in \
                 the installed base for the account) in order-capture, or change the action to \
                 ADD if the customer does not have the product yet; then release the order \
                 again.",
            ));
        }
    }
    Ok(())
}

/// Phase 4: the rule of each item, or the classified miss.
fn catalog_rules<'c>(
    input: &PlanningInput,
    catalog: &'c TechnicalCatalog,
) -> Result<ResolvedRules<'c>, DecompositionFailure> {
    let version_label = catalog.version().label();
    let mut rules = Vec::with_capacity(input.items.len());
    for item in &input.items {
        let Some(version) = item.offering_version else {
            rules.push(None); // NO_CHANGE without version (phase 2 refused mutating ones)
            continue;
        };
        match catalog.resolve(&item.offering_id, version, item.action) {
            Ok(rule) => rules.push(Some(rule)),
            Err(_) if !item.action.is_mutating() => rules.push(None),
            Err(miss) => {
                return Err(DecompositionFailure::catalog_miss(
                    item,
                    version,
                    &miss,
                    &version_label,
                ));
            }
        }
    }
    Ok(rules)
}

/// Phase 5: context the chosen rules need (000 §12 "service address context sufficient").
fn context(input: &PlanningInput, rules: &ResolvedRules<'_>) -> Result<(), DecompositionFailure> {
    if input.service_location.is_some() {
        return Ok(());
    }
    for (item, rule) in input.items.iter().zip(rules) {
        let Some(rule) = rule else { continue };
        if let Some(task) = rule
            .tasks
            .iter()
            .find(|t| t.target_system.needs_service_location())
        {
            return Err(DecompositionFailure::order_invalid(
                Some(item.item_id),
                format!(
                    "item {} needs a service location for task {} on {}, but the order has \
                     none",
                    item.label(),
                    task.task_type,
                    task.target_system
                ),
            ));
        }
    }
    Ok(())
}
