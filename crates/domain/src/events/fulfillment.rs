//! The fulfillment topic (`oms.fulfillment.events.v1`), written by the fulfillment
//! service: task progress, item results with their asset effect, fallout cases, and the
//! cancellation loop (assessment, compensation).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::OrderFactBase;
use crate::value::{
    AssetId, CancellationRequestId, FalloutId, OrderItemId, PlanId, ReasonCode, TaskId,
};
use crate::vocab::{AssetEffect, CancellationFeasibility, ExternalEffectLevel, RepairResolution};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentTaskStarted {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub plan_id: PlanId,
    pub task_id: TaskId,
    pub item_ids: Vec<OrderItemId>,
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentTaskSucceeded {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub task_id: TaskId,
    pub item_ids: Vec<OrderItemId>,
    pub external_effect_level: ExternalEffectLevel,
    /// Reference the downstream system returned (work order, reservation id, ...).
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentTaskFailed {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub task_id: TaskId,
    pub item_ids: Vec<OrderItemId>,
    pub code: ReasonCode,
    pub message: String,
    /// True while retries with backoff remain; exhausted retries raise fallout instead.
    pub will_retry: bool,
    pub attempt: u32,
}

/// All tasks of an item are done; what it did to the installed base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItemFulfilled {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub item_id: OrderItemId,
    pub asset_effect: AssetEffect,
    /// The asset created or changed (new id for CREATE, the target otherwise).
    pub asset_id: Option<AssetId>,
    pub service_refs: Vec<String>,
    pub resource_refs: Vec<String>,
    pub activation_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FalloutRaised {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub fallout_id: FalloutId,
    pub task_id: Option<TaskId>,
    pub item_id: Option<OrderItemId>,
    pub code: ReasonCode,
    pub message: String,
    pub remediation: Option<String>,
    /// True when raised by a failed compensation during cancellation.
    pub during_compensation: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FalloutResolved {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub fallout_id: FalloutId,
    pub resolution: RepairResolution,
    pub item_id: Option<OrderItemId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationAssessmentCompleted {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: CancellationRequestId,
    pub feasibility: CancellationFeasibility,
    /// COMPLETED items whose effect the compensation plan reverses.
    pub compensated_item_ids: Vec<OrderItemId>,
    pub blockers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompensationCompleted {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: CancellationRequestId,
}

topic_events! {
    FulfillmentEvent, topic = "oms.fulfillment.events.v1", aggregate = "Order", id = |b| b.order_id.to_string(),
    {
        FulfillmentTaskStarted,
        FulfillmentTaskSucceeded,
        FulfillmentTaskFailed,
        OrderItemFulfilled,
        FalloutRaised,
        FalloutResolved,
        CancellationAssessmentCompleted,
        CompensationCompleted,
    }
}
