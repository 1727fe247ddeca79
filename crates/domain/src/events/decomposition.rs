//! The decomposition topic (`oms.decomposition.events.v1`), written by the decomposition
//! service. Order-capture turns `OrderDecomposed` into `RecordDecomposition` and
//! `OrderDecompositionFailed` into `RecordDecompositionFailure`.

use serde::{Deserialize, Serialize};

use super::OrderFactBase;
use crate::value::{AmendmentRequestId, FalloutId, OrderItemId, PlanId, TaskId};
use crate::vocab::{
    AssetEffect, DecompositionFailureCode, ExternalEffectLevel, ItemInput, TaskReversibility,
};

/// One task of a fulfillment plan, with the metadata cancellation needs later.
///
/// The four optional fields at the end let fulfillment plan compensations and item
/// completion without calling decomposition back. They were added after the first release
/// of the topic: a record written before them reads as `None` ("not said"), never as
/// "irreversible" or "no effect".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedTask {
    pub task_id: TaskId,
    /// Order items this task fulfils (usually one).
    pub item_ids: Vec<OrderItemId>,
    /// e.g. `RESERVE_RESOURCE`, `SCHEDULE_APPOINTMENT`, `ACTIVATE_SERVICE`.
    pub task_type: String,
    /// Downstream system, e.g. `inventory`, `workforce`, `network`, `billing`.
    pub target_system: String,
    pub depends_on: Vec<TaskId>,
    pub reversibility: TaskReversibility,
    pub external_effect_level: ExternalEffectLevel,
    /// Key of the catalog template the task came from (e.g. `reserve_port`): names "the
    /// same step" across rules versions.
    #[serde(default)]
    pub template_key: Option<String>,
    /// Task type that undoes this one (e.g. `RELEASE_RESERVATION`). The producer sends it
    /// exactly when `reversibility` is not NONE.
    #[serde(default)]
    pub compensation_task_type: Option<String>,
    /// `Some(true)` for the milestone task of its item: once it completes, the item's
    /// change is live (other items wait for it).
    #[serde(default)]
    pub item_milestone: Option<bool>,
    /// Effect of the task's item on the installed base once its tasks are done (the
    /// catalog may say NONE for a one-off service, e.g. an on-site installation).
    #[serde(default)]
    pub item_asset_effect: Option<AssetEffect>,
    /// The item inputs the task uses (its id is derived from them): a change to another
    /// input keeps the task. `None`: the plan does not say, so every input counts.
    #[serde(default)]
    pub inputs: Option<Vec<ItemInput>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentPlan {
    pub plan_id: PlanId,
    /// Version of the decomposition rules that produced the plan (determinism evidence).
    pub rules_version: String,
    pub tasks: Vec<PlannedTask>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDecomposed {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub plan: FulfillmentPlan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDecompositionFailed {
    #[serde(flatten)]
    pub base: OrderFactBase,
    /// Case id for the fallout this failure opens on the order.
    pub fallout_id: FalloutId,
    pub code: DecompositionFailureCode,
    pub item_id: Option<OrderItemId>,
    pub message: String,
    pub remediation: String,
}

/// An amended order was decomposed again, with the rules version of its current plan
/// (ADR 0008 §3). Fulfillment diffs it against the running plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRedecomposed {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: AmendmentRequestId,
    pub previous_plan_id: PlanId,
    pub plan: FulfillmentPlan,
}

/// The amended order could not be decomposed; the amendment is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderRedecompositionFailed {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: AmendmentRequestId,
    pub code: DecompositionFailureCode,
    pub item_id: Option<OrderItemId>,
    pub message: String,
    pub remediation: String,
}

topic_events! {
    DecompositionEvent, topic = "oms.decomposition.events.v1", aggregate = "Order", id = |b| b.order_id.to_string(),
    { OrderDecomposed, OrderDecompositionFailed, OrderRedecomposed, OrderRedecompositionFailed }
}
