//! The fulfillment topic (`oms.fulfillment.events.v1`), written by the fulfillment
//! service: task progress, item results with their asset effect, fallout cases, and the
//! cancellation loop (assessment, compensation).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::OrderFactBase;
use crate::change::TaskDisposition;
use crate::order::{OrderContent, PriceSnapshot, ProductSnapshot, ServiceAddress};
use crate::value::{
    AccountId, AmendmentRequestId, AssetId, BillingAccountId, CancellationRequestId, CustomerId,
    FalloutId, LineNumber, OrderItemId, PlanId, PolicyRef, Quantity, ReasonCode, TaskId,
};
use crate::vocab::{
    AssetEffect, CancellationFeasibility, ExternalEffectLevel, ItemAction, RepairResolution,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentTaskStarted {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub plan_id: PlanId,
    pub task_id: TaskId,
    pub item_ids: Vec<OrderItemId>,
    pub attempt: u32,
    /// Set on a compensation task: the task whose effect it undoes.
    #[serde(default)]
    pub compensates_task_id: Option<TaskId>,
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
    /// Set on a compensation task: the task whose effect it undoes.
    #[serde(default)]
    pub compensates_task_id: Option<TaskId>,
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
    /// Set on a compensation task: the task whose effect it undoes.
    #[serde(default)]
    pub compensates_task_id: Option<TaskId>,
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
    /// What the asset service needs to create, change or end the asset without calling
    /// order-capture back; copied from `OrderReleasedForFulfillment`.
    pub item: Box<FulfilledItem>,
}

/// The order item as fulfillment received it, with the order's parties and address: the
/// item context the asset service acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfilledItem {
    pub line_number: LineNumber,
    pub action: ItemAction,
    pub quantity: Quantity,
    pub product: ProductSnapshot,
    /// The asset the action works on; absent for ADD.
    pub target_asset_id: Option<AssetId>,
    pub customer_id: CustomerId,
    pub account_id: AccountId,
    pub billing_account_id: BillingAccountId,
    /// Chosen characteristic values after the change.
    pub configuration: BTreeMap<String, String>,
    pub service_address: Option<ServiceAddress>,
    /// The accepted price (components, total, currency) the asset is billed at.
    pub price: PriceSnapshot,
    /// Contract term of the order, if any.
    pub term_months: Option<u32>,
}

impl FulfilledItem {
    /// The context of item `item_id` of the released order content; `None` if the content
    /// has no such item.
    pub fn from_content(content: &OrderContent, item_id: OrderItemId) -> Option<Self> {
        let item = content.items.iter().find(|i| i.id == item_id)?;
        let parties = &content.header.parties;
        Some(Self {
            line_number: item.line_number,
            action: item.action,
            quantity: item.quantity,
            product: item.product.clone(),
            target_asset_id: item.target_asset_id.clone(),
            customer_id: parties.customer_id.clone(),
            account_id: parties.account_id.clone(),
            billing_account_id: parties.billing_account_id.clone(),
            configuration: item.configuration.values().clone(),
            service_address: parties.service_location.clone(),
            price: item.price.clone(),
            term_months: content.header.commercial.term_months,
        })
    }
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

/// An operator waived an item in fulfillment by an audited policy decision (actor and
/// reason in the meta): its remaining tasks were stopped and it will not be fulfilled.
/// Order-capture records it with `WaiveItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentItemWaived {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub item_id: OrderItemId,
    pub policy_ref: PolicyRef,
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
    /// Every item the plan would cancel (older records: empty, see `to_order_commands`).
    #[serde(default)]
    pub cancelling_item_ids: Vec<OrderItemId>,
    /// What the assessment decided for each task of the plan.
    #[serde(default)]
    pub task_impacts: Vec<AssessedTask>,
}

/// One task's disposition in a cancellation assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssessedTask {
    pub task_id: TaskId,
    pub task_type: String,
    pub disposition: TaskDisposition,
    pub compensation_task_type: Option<String>,
}

/// Every compensation of an item finished (and its not-started tasks were dropped): the
/// item is cancelled in fulfillment. `reverted_effect` is the installed-base effect the item
/// had reached (the asset service reverts it), NONE when it never reached the installed base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderItemCompensated {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: CancellationRequestId,
    pub item_id: OrderItemId,
    pub reverted_effect: AssetEffect,
    pub asset_id: Option<AssetId>,
    pub item: Box<FulfilledItem>,
}

/// Fulfillment moved the running order onto the re-decomposed plan: kept tasks keep their
/// state, added ones start PENDING, cancelled ones had not started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanAmendmentApplied {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: AmendmentRequestId,
    pub plan_id: PlanId,
    pub kept_task_ids: Vec<TaskId>,
    pub added_task_ids: Vec<TaskId>,
    pub cancelled_task_ids: Vec<TaskId>,
    pub tasks_per_item: BTreeMap<OrderItemId, u32>,
}

/// The re-decomposed plan would replace tasks that started meanwhile: nothing changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanAmendmentRefused {
    #[serde(flatten)]
    pub base: OrderFactBase,
    pub request_id: AmendmentRequestId,
    pub code: ReasonCode,
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
        FulfillmentItemWaived,
        CancellationAssessmentCompleted,
        CompensationCompleted,
        OrderItemCompensated,
        PlanAmendmentApplied,
        PlanAmendmentRefused,
    }
}
