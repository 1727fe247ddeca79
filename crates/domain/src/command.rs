//! Commands the order aggregate decides. Each is an intention (imperative name); facts
//! reported by other services arrive as `Record...` commands built from their events
//! (`DecompositionEvent::to_order_command`, `FulfillmentEvent::to_order_commands`,
//! `AssetEvent::to_order_command`).
//! Whatever a decision needs from outside is inside the command: ids allocated by the
//! caller, the looked-up capture context, the reported plan.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::capture::{CaptureContext, CaptureOrder};
use crate::change::{AmendmentChange, CancellationSpec, ExecutionView};
use crate::events::FulfillmentPlan;
use crate::lifecycle::{FulfillmentState, OrderTrigger};
use crate::value::{
    AmendmentRequestId, AssetId, CancellationRequestId, FalloutId, HoldId, OrderId, OrderItemId,
    OrderNumber, PlanId, PolicyRef, ReasonCode, TaskId, TenantId,
};
use crate::vocab::{
    AssetEffect, CancellationFeasibility, DecompositionFailureCode, FalloutCategory, HoldType,
    RepairResolution,
};

/// Source of fresh UUIDs, implemented by the caller (`Uuid::now_v7` in services, a counter
/// in tests). The domain itself never generates ids.
pub trait IdSource {
    fn next_uuid(&mut self) -> Uuid;
}

/// Ids the caller allocates for a new order: order id, number, one id per intake item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureIds {
    pub order_id: OrderId,
    pub order_number: OrderNumber,
    /// Aligned by position with `intake.items`.
    pub item_ids: Vec<OrderItemId>,
}

impl CaptureIds {
    pub fn allocate(ids: &mut impl IdSource, order_number: OrderNumber, item_count: usize) -> Self {
        Self {
            order_id: OrderId::from_uuid(ids.next_uuid()),
            order_number,
            item_ids: (0..item_count)
                .map(|_| OrderItemId::from_uuid(ids.next_uuid()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureOrderCommand {
    pub ids: CaptureIds,
    pub intake: CaptureOrder,
    pub context: CaptureContext,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureDraftCommand {
    pub ids: CaptureIds,
    /// Tenant of the caller creating the draft.
    pub tenant: TenantId,
    pub intake: CaptureOrder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordDecompositionFailure {
    pub fallout_id: FalloutId,
    pub code: DecompositionFailureCode,
    pub item_id: Option<OrderItemId>,
    pub message: String,
    pub remediation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordItemCompleted {
    pub item_id: OrderItemId,
    pub asset_effect: AssetEffect,
    /// Asset created or changed; defaults to the item's target asset when absent.
    pub actual_asset_id: Option<AssetId>,
    pub activation_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordItemFailed {
    pub item_id: OrderItemId,
    /// Fallout case opened for the failure.
    pub fallout_id: FalloutId,
    pub code: ReasonCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaiseFallout {
    pub fallout_id: FalloutId,
    pub category: FalloutCategory,
    pub code: ReasonCode,
    pub item_id: Option<OrderItemId>,
    pub task_id: Option<TaskId>,
    pub message: String,
    pub remediation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordCancellationAssessment {
    pub request_id: CancellationRequestId,
    pub feasibility: CancellationFeasibility,
    /// COMPLETED items whose effect compensation reverses (PARTIALLY_CANCELLABLE only;
    /// FULLY_CANCELLABLE compensates every completed item).
    pub compensated_item_ids: Vec<OrderItemId>,
    pub blockers: Vec<String>,
    /// Every item the assessment cancels; empty: derived from the feasibility as above
    /// (assessments recorded before the field existed).
    #[serde(default)]
    pub cancelling_item_ids: Vec<OrderItemId>,
}

/// A cancellation request (ADR 0008 §2): what it covers and the execution view the
/// assessment is made from (looked up by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestCancellation {
    pub request_id: CancellationRequestId,
    pub reason_code: ReasonCode,
    pub spec: CancellationSpec,
    pub execution: ExecutionView,
}

/// An amendment request (ADR 0008 §3) with the execution view it is assessed against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAmendment {
    pub request_id: AmendmentRequestId,
    pub reason_code: ReasonCode,
    pub changes: Vec<AmendmentChange>,
    pub execution: ExecutionView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordAmendmentApplied {
    pub request_id: AmendmentRequestId,
    pub plan_id: PlanId,
    pub tasks_per_item: BTreeMap<OrderItemId, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordAmendmentRejected {
    pub request_id: AmendmentRequestId,
    pub code: ReasonCode,
    pub message: String,
    pub remediation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderCommand {
    /// Create the order from an intake and validate it at once (SUBMITTED, then VALIDATED
    /// or REJECTED).
    CaptureOrder(Box<CaptureOrderCommand>),
    /// Stage an intake as DRAFT without validating it.
    CaptureDraft(Box<CaptureDraftCommand>),
    SubmitOrder,
    ValidateOrder {
        context: Box<CaptureContext>,
    },
    ReleaseForDecomposition,
    RecordDecomposition {
        plan: FulfillmentPlan,
    },
    RecordDecompositionFailure(RecordDecompositionFailure),
    ReleaseForFulfillment,
    RecordItemStarted {
        item_id: OrderItemId,
    },
    RecordItemProgress {
        item_id: OrderItemId,
        fulfillment_state: FulfillmentState,
    },
    RecordItemCompleted(RecordItemCompleted),
    RecordItemFailed(RecordItemFailed),
    /// Audited policy decision; needs a reason in the meta.
    WaiveItem {
        item_id: OrderItemId,
        policy_ref: PolicyRef,
    },
    RaiseFallout(RaiseFallout),
    /// Manual repair; needs a reason in the meta.
    RepairFallout {
        fallout_id: FalloutId,
        resolution: RepairResolution,
    },
    /// Needs a reason in the meta.
    PlaceHold {
        hold_id: HoldId,
        hold_type: HoldType,
        blocking: bool,
    },
    /// Needs a reason in the meta.
    ReleaseHold {
        hold_id: HoldId,
    },
    /// Needs a reason in the meta.
    RequestCancellation(Box<RequestCancellation>),
    RecordCancellationAssessment(RecordCancellationAssessment),
    /// An operator's decision on an assessment that REQUIRES_MANUAL_REVIEW; needs a reason.
    ReviewCancellation {
        request_id: CancellationRequestId,
        approve: bool,
    },
    /// A CANCELLING item's work is undone (and its asset reverted, if it had one).
    RecordItemCancelled {
        item_id: OrderItemId,
        asset_reverted: Option<AssetEffect>,
    },
    /// Needs a reason in the meta.
    RequestAmendment(Box<RequestAmendment>),
    RecordAmendmentApplied(RecordAmendmentApplied),
    RecordAmendmentRejected(RecordAmendmentRejected),
    /// Close a FALLOUT order by business decision; needs a reason in the meta.
    CloseAsFailed,
}

impl OrderCommand {
    /// The trigger column of the transition table this command is checked against.
    pub fn trigger(&self) -> OrderTrigger {
        match self {
            Self::CaptureOrder(_) => OrderTrigger::CaptureOrder,
            Self::CaptureDraft(_) => OrderTrigger::CaptureDraft,
            Self::SubmitOrder => OrderTrigger::SubmitOrder,
            Self::ValidateOrder { .. } => OrderTrigger::ValidateOrder,
            Self::ReleaseForDecomposition => OrderTrigger::ReleaseForDecomposition,
            Self::RecordDecomposition { .. } => OrderTrigger::RecordDecomposition,
            Self::RecordDecompositionFailure(_) => OrderTrigger::RecordDecompositionFailure,
            Self::ReleaseForFulfillment => OrderTrigger::ReleaseForFulfillment,
            Self::RecordItemStarted { .. } => OrderTrigger::RecordItemStarted,
            Self::RecordItemProgress { .. } => OrderTrigger::RecordItemProgress,
            Self::RecordItemCompleted(_) => OrderTrigger::RecordItemCompleted,
            Self::RecordItemFailed(_) => OrderTrigger::RecordItemFailed,
            Self::WaiveItem { .. } => OrderTrigger::WaiveItem,
            Self::RaiseFallout(_) => OrderTrigger::RaiseFallout,
            Self::RepairFallout { .. } => OrderTrigger::RepairFallout,
            Self::PlaceHold { .. } => OrderTrigger::PlaceHold,
            Self::ReleaseHold { .. } => OrderTrigger::ReleaseHold,
            Self::RequestCancellation(_) => OrderTrigger::RequestCancellation,
            Self::RecordCancellationAssessment(_) => OrderTrigger::RecordCancellationAssessment,
            Self::ReviewCancellation { .. } => OrderTrigger::ReviewCancellation,
            Self::RecordItemCancelled { .. } => OrderTrigger::RecordItemCancelled,
            Self::RequestAmendment(_) => OrderTrigger::RequestAmendment,
            Self::RecordAmendmentApplied(_) => OrderTrigger::RecordAmendmentApplied,
            Self::RecordAmendmentRejected(_) => OrderTrigger::RecordAmendmentRejected,
            Self::CloseAsFailed => OrderTrigger::CloseAsFailed,
        }
    }
}
