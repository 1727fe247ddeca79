//! The plan model the decomposition service owns and persists, and its projection onto the
//! domain's `FulfillmentPlan` (the `OrderDecomposed` summary).
//!
//! Built for re-decomposition (004 §18): every task records its item, template key and the
//! rules version it was planned under, and task ids are derived from what the task does
//! (see `build`), so an amended order's new plan can be diffed against the old one
//! (`replan`) and only tasks that have not started are replaced.
//!
//! Identity and evidence:
//! - `plan_hash`: SHA-256 over the plan's work (order id, items, tasks with edges), not its
//!   provenance (rules version, input hash). Two plans with the same hash make exactly the
//!   same calls; a new rules version that does not change this order's rules gives the same
//!   hash.
//! - `plan_id`: UUID v5 of the plan hash; `input_hash`: see `PlanningInput::input_hash`;
//!   `rules_version`: the catalog version that built it.

use oms_domain::events::{FulfillmentPlan, PlannedTask};
use oms_domain::value::{LineNumber, OrderId, OrderItemId, PlanId, ProductOfferingId, TaskId};
use oms_domain::vocab::{
    AssetEffect, ExternalEffectLevel, ItemAction, ItemInput, TaskReversibility,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::canonical::{canonical_json, hash_json};
use crate::catalog::{RulesVersion, TargetSystem, TaskType, TemplateKey};

/// Namespace of plan ids (UUID v5 over the plan hash).
const PLAN_NAMESPACE: Uuid = Uuid::from_u128(0x7b1e_52c4_9a0d_4f3e_8c61_d2a7_3e90_5b14);
const PLAN_HASH_TAG: &str = "oms.decomposition.plan.v1";

/// A fulfillment plan with everything fulfillment, cancellation and re-decomposition need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecompositionPlan {
    pub plan_id: PlanId,
    pub order_id: OrderId,
    pub rules_version: RulesVersion,
    pub input_hash: String,
    pub plan_hash: String,
    /// Every order item, in line order, including those without tasks.
    pub items: Vec<PlannedItem>,
    /// In dependency order: every task comes after the tasks it depends on.
    pub tasks: Vec<PlanTask>,
}

/// What the plan does for one order item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedItem {
    pub item_id: OrderItemId,
    pub line_number: LineNumber,
    pub action: ItemAction,
    pub offering_id: ProductOfferingId,
    /// Effect on the installed base once the item's tasks are done.
    pub asset_effect: AssetEffect,
    /// The task other items wait for; `None` when the item has no task (NO_CHANGE).
    pub milestone_task_id: Option<TaskId>,
    /// The item's tasks, in plan order.
    pub task_ids: Vec<TaskId>,
}

/// One task of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTask {
    pub task_id: TaskId,
    pub item_id: OrderItemId,
    /// The template this task came from: stable across rules versions.
    pub template_key: TemplateKey,
    pub task_type: TaskType,
    pub target_system: TargetSystem,
    /// Tasks (of this or other items) that must complete first, in plan order.
    pub depends_on: Vec<TaskId>,
    pub reversibility: TaskReversibility,
    pub external_effect_level: ExternalEffectLevel,
    /// Task type that undoes this one; present exactly when the task is reversible.
    pub compensation: Option<TaskType>,
    pub mutates_externally: bool,
    /// Number of the rules version this task was planned under (provenance, not hashed).
    pub rules_version: u32,
    /// The item inputs the task uses, as its template declares (`None`: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<ItemInput>>,
}

/// The hashed view of a task: everything but provenance.
#[derive(Serialize)]
struct HashedTask<'a> {
    task_id: &'a TaskId,
    item_id: &'a OrderItemId,
    template_key: &'a TemplateKey,
    task_type: &'a TaskType,
    target_system: TargetSystem,
    depends_on: &'a [TaskId],
    reversibility: TaskReversibility,
    external_effect_level: ExternalEffectLevel,
    compensation: Option<&'a TaskType>,
}

impl DecompositionPlan {
    /// Assembles a plan and stamps its hash and id.
    pub(crate) fn assemble(
        order_id: OrderId,
        rules_version: RulesVersion,
        input_hash: String,
        items: Vec<PlannedItem>,
        tasks: Vec<PlanTask>,
    ) -> Self {
        let mut plan = Self {
            plan_id: PlanId::from_uuid(Uuid::nil()),
            order_id,
            rules_version,
            input_hash,
            plan_hash: String::new(),
            items,
            tasks,
        };
        plan.plan_hash = plan.compute_hash();
        plan.plan_id = PlanId::from_uuid(Uuid::new_v5(&PLAN_NAMESPACE, plan.plan_hash.as_bytes()));
        plan
    }

    /// Recomputes the plan hash from the content (e.g. to verify a stored plan).
    pub fn compute_hash(&self) -> String {
        let tasks: Vec<HashedTask<'_>> = self
            .tasks
            .iter()
            .map(|t| HashedTask {
                task_id: &t.task_id,
                item_id: &t.item_id,
                template_key: &t.template_key,
                task_type: &t.task_type,
                target_system: t.target_system,
                depends_on: &t.depends_on,
                reversibility: t.reversibility,
                external_effect_level: t.external_effect_level,
                compensation: t.compensation.as_ref(),
            })
            .collect();
        hash_json(PLAN_HASH_TAG, &(&self.order_id, &self.items, &tasks))
    }

    /// The canonical serialised plan (compact JSON, fixed field and element order): the
    /// bytes the service stores. Byte-identical for the same input and rules version.
    pub fn to_canonical_json(&self) -> Vec<u8> {
        canonical_json(self)
    }

    pub fn task(&self, id: TaskId) -> Option<&PlanTask> {
        self.tasks.iter().find(|t| t.task_id == id)
    }

    pub fn item(&self, id: OrderItemId) -> Option<&PlannedItem> {
        self.items.iter().find(|i| i.item_id == id)
    }

    /// Tasks of one item, in plan order.
    pub fn tasks_of(&self, item: OrderItemId) -> impl Iterator<Item = &PlanTask> {
        self.tasks.iter().filter(move |t| t.item_id == item)
    }

    /// The summary `OrderDecomposed` carries (domain event type): every task with what
    /// fulfillment needs to run it, compensate it and complete its item without calling
    /// back (template key, compensation task type, whether it is its item's milestone, and
    /// the item's asset effect).
    pub fn to_fulfillment_plan(&self) -> FulfillmentPlan {
        FulfillmentPlan {
            plan_id: self.plan_id,
            rules_version: self.rules_version.label(),
            tasks: self
                .tasks
                .iter()
                .map(|t| {
                    let item = self.item(t.item_id);
                    PlannedTask {
                        task_id: t.task_id,
                        item_ids: vec![t.item_id],
                        task_type: t.task_type.to_string(),
                        target_system: t.target_system.as_str().to_owned(),
                        depends_on: t.depends_on.clone(),
                        reversibility: t.reversibility,
                        external_effect_level: t.external_effect_level,
                        template_key: Some(t.template_key.to_string()),
                        compensation_task_type: t.compensation.as_ref().map(ToString::to_string),
                        item_milestone: item.map(|i| i.milestone_task_id == Some(t.task_id)),
                        item_asset_effect: item.map(|i| i.asset_effect),
                        inputs: t.inputs.clone(),
                    }
                })
                .collect(),
        }
    }
}
