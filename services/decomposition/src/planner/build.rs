//! Builds the plan from the items' rules: one task per template, in-item edges from
//! `depends_on`, cross-item edges from `edges`, a deterministic order and derived ids.
//!
//! Determinism: nodes are numbered by (item in line order, template in rule order); the
//! plan lists tasks in dependency order, ties broken by that numbering. Nothing random,
//! no clock, no hash-map iteration.
//!
//! Task ids are UUID v5 over: order id, item id, template key, the template's content
//! digest (the version of the rule that matters for this task), the item's input digest
//! (offering, version, action, quantity, target asset, configuration, service location)
//! and the ids of the tasks it depends on. So an id changes exactly when what the task
//! does, what it acts on, or anything upstream of it changes; re-publishing or changing
//! unrelated rules keeps it. That is what lets `replan` keep unchanged tasks by id.

use oms_domain::value::TaskId;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::edges::{ItemNodes, cross_item_waits};
use super::failure::DecompositionFailure;
use super::input::PlanningInput;
use super::plan::{DecompositionPlan, PlanTask, PlannedItem};
use super::readiness::ResolvedRules;
use crate::canonical::hash_json;
use crate::catalog::{TaskTemplate, TechnicalCatalog};
use crate::graph::dependency_order;

/// Namespace of task ids (UUID v5).
const TASK_NAMESPACE: Uuid = Uuid::from_u128(0x3c5d_8e21_0f47_4b9a_a6d3_91e8_7c20_4f6b);
const TASK_ID_TAG: &str = "oms.decomposition.task-id.v1";

struct Node<'c> {
    item: usize,
    template: &'c TaskTemplate,
}

pub(super) fn build(
    input: &PlanningInput,
    catalog: &TechnicalCatalog,
    rules: &ResolvedRules<'_>,
) -> Result<DecompositionPlan, DecompositionFailure> {
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut deps: Vec<Vec<usize>> = Vec::new();
    let mut item_nodes: Vec<ItemNodes> = Vec::with_capacity(rules.len());
    for (item, rule) in rules.iter().enumerate() {
        let mut mine = ItemNodes::default();
        if let Some(rule) = rule {
            let first = nodes.len();
            let node_of: BTreeMap<_, usize> = rule
                .tasks
                .iter()
                .enumerate()
                .map(|(k, t)| (&t.key, first + k))
                .collect();
            for template in &rule.tasks {
                let n = nodes.len();
                nodes.push(Node { item, template });
                deps.push(
                    template
                        .depends_on
                        .iter()
                        .filter_map(|k| node_of.get(k).copied())
                        .collect(),
                );
                if template.after_parent {
                    mine.after_parent.push(n);
                }
                if template.after_prerequisites {
                    mine.after_prerequisites.push(n);
                }
                if rule.milestone.as_ref() == Some(&template.key) {
                    mine.milestone = Some(n);
                }
            }
        }
        item_nodes.push(mine);
    }
    for (waiter, waited_for) in cross_item_waits(input, rules, &item_nodes) {
        if !deps[waiter].contains(&waited_for) {
            deps[waiter].push(waited_for);
        }
    }
    let order = dependency_order(&deps).map_err(|cycle| cycle_failure(input, &nodes, &cycle))?;

    let mut position = vec![0; nodes.len()];
    for (pos, &n) in order.iter().enumerate() {
        position[n] = pos;
    }
    let item_digests: Vec<String> = input.items.iter().map(|i| input.item_digest(i)).collect();
    let rules_number = catalog.version().number;
    let mut ids: Vec<Option<TaskId>> = vec![None; nodes.len()];
    let mut tasks = Vec::with_capacity(nodes.len());
    for &n in &order {
        let Node { item, template } = nodes[n];
        let mut upstream: Vec<usize> = deps[n].clone();
        upstream.sort_by_key(|d| position[*d]);
        let depends_on: Vec<TaskId> = upstream
            .iter()
            .map(|d| ids[*d].expect("dependencies are placed before their dependents"))
            .collect();
        let planning_item = &input.items[item];
        let digest = template.inputs.as_ref().map_or_else(
            || item_digests[item].clone(),
            |inputs| input.item_digest_for(planning_item, inputs),
        );
        let id = task_id(input, planning_item.item_id, template, &digest, &depends_on);
        ids[n] = Some(id);
        tasks.push(PlanTask {
            task_id: id,
            item_id: planning_item.item_id,
            template_key: template.key.clone(),
            task_type: template.task_type.clone(),
            target_system: template.target_system,
            depends_on,
            reversibility: template.reversibility,
            external_effect_level: template.external_effect_level,
            compensation: template.compensation.clone(),
            mutates_externally: template.mutates_externally(),
            rules_version: rules_number,
            inputs: template.inputs.clone(),
        });
    }

    let items = input
        .items
        .iter()
        .zip(rules)
        .zip(&item_nodes)
        .map(|((item, rule), mine)| PlannedItem {
            item_id: item.item_id,
            line_number: item.line_number,
            action: item.action,
            offering_id: item.offering_id.clone(),
            asset_effect: rule.map_or(item.action.expected_effect(), |r| r.asset_effect),
            milestone_task_id: mine.milestone.and_then(|n| ids[n]),
            task_ids: tasks
                .iter()
                .filter(|t| t.item_id == item.item_id)
                .map(|t| t.task_id)
                .collect(),
        })
        .collect();
    Ok(DecompositionPlan::assemble(
        input.order_id,
        catalog.version().clone(),
        input.input_hash(),
        items,
        tasks,
    ))
}

fn task_id(
    input: &PlanningInput,
    item_id: oms_domain::value::OrderItemId,
    template: &TaskTemplate,
    item_digest: &str,
    depends_on: &[TaskId],
) -> TaskId {
    let mut upstream: Vec<String> = depends_on.iter().map(ToString::to_string).collect();
    upstream.sort();
    let name = hash_json(
        TASK_ID_TAG,
        &(
            input.order_id,
            item_id,
            &template.key,
            template.digest(),
            item_digest,
            upstream,
        ),
    );
    TaskId::from_uuid(Uuid::new_v5(&TASK_NAMESPACE, name.as_bytes()))
}

/// Phase 6 of readiness: the rules turned the order's hierarchy and dependencies into a
/// wait cycle (e.g. an access that declares a dependency on its own static IP add-on,
/// whose activation waits for the access).
fn cycle_failure(
    input: &PlanningInput,
    nodes: &[Node<'_>],
    cycle: &[usize],
) -> DecompositionFailure {
    let step = |n: &usize| {
        let node = &nodes[*n];
        format!("{} {}", input.items[node.item].label(), node.template.key)
    };
    let steps: Vec<String> = cycle.iter().chain(cycle.first()).map(step).collect();
    DecompositionFailure::order_invalid(
        cycle.first().map(|n| input.items[nodes[*n].item].item_id),
        format!(
            "tasks wait for each other in a cycle once the hierarchy and the declared \
             dependencies are applied: {} (each waits for the next); remove the declared \
             dependency that makes an item wait for its own child, or for an item that waits \
             for it",
            steps.join(" -> ")
        ),
    )
}
