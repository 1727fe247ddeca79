//! The `Order` aggregate root: identity, lifecycle state, version, the intake evidence, the
//! typed content (from validation on), holds, fallout cases and the cancellation request.
//!
//! Invariants (checked by the proptests after every decided command):
//! - `version` equals the number of events applied (evolve increments it per event);
//!   services use it for optimistic locking (`UPDATE .. WHERE version = $loaded`);
//! - `content` is present in every state after VALIDATED (and absent before);
//! - once `fulfillment_started`, the header state in the fulfillment phase equals
//!   `derive_header_state` over the items;
//! - COMPLETED implies every item is COMPLETED or WAIVED;
//! - a terminal state is never left.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::header::OrderHeader;
use super::hold::OrderHold;
use super::item::OrderItem;
use crate::capture::{CaptureOrder, Violation};
use crate::change::CancellationKind;
use crate::lifecycle::{
    CustomerStatus, ItemState, OrderState, customer_status, derive_header_state,
    is_fulfillment_phase,
};
use crate::meta::Actor;
use crate::value::{
    AmendmentRequestId, CancellationRequestId, CorrelationId, FalloutId, HoldId, OrderId,
    OrderItemId, OrderNumber, PlanId, ReasonCode, TaskId, TenantId,
};
use crate::vocab::{CancellationFeasibility, CaptureMode, FalloutCategory};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: OrderId,
    pub number: OrderNumber,
    pub tenant: TenantId,
    pub capture_mode: CaptureMode,
    pub state: OrderState,
    pub version: u64,
    pub correlation_id: CorrelationId,
    /// What the source sent, kept as evidence; violation paths point into it.
    pub intake: CaptureOrder,
    /// Caller-allocated item ids, aligned by position with `intake.items`.
    pub item_ids: Vec<OrderItemId>,
    pub request_fingerprint: String,
    /// Typed header and items; set when the order is validated.
    pub content: Option<OrderContent>,
    /// Violations of the last validation (warnings of a validated order, errors of a
    /// rejected one).
    pub violations: Vec<Violation>,
    pub holds: Vec<OrderHold>,
    pub released_for_decomposition: bool,
    pub decomposition: Option<DecompositionRecord>,
    pub fulfillment_started: bool,
    /// Open fallout cases and where the order resumes when they are repaired.
    pub fallout: Option<FalloutRecord>,
    pub cancellation: Option<CancellationRecord>,
    /// The open amendment request, if any (one at a time).
    #[serde(default)]
    pub amendment: Option<Box<AmendmentRecord>>,
    pub created_at: DateTime<Utc>,
    pub created_by: Actor,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Actor,
    pub completed_at: Option<DateTime<Utc>>,
    /// When the order reached CANCELLED, REJECTED or FAILED_CLOSED.
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderContent {
    pub header: OrderHeader,
    pub items: Vec<OrderItem>,
}

/// Order-capture's record of the decomposition result (the plan itself is owned by the
/// decomposition service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecompositionRecord {
    pub plan_id: PlanId,
    pub rules_version: String,
    pub tasks_per_item: BTreeMap<OrderItemId, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FalloutRecord {
    /// State the order was in when the first open case was raised.
    pub resume_state: OrderState,
    pub cases: Vec<FalloutCase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FalloutCase {
    pub id: FalloutId,
    pub category: FalloutCategory,
    pub code: ReasonCode,
    pub item_id: Option<OrderItemId>,
    pub task_id: Option<TaskId>,
    pub message: String,
    pub remediation: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub raised_by: Actor,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationRecord {
    pub request_id: CancellationRequestId,
    pub reason_code: ReasonCode,
    pub requested_at: DateTime<Utc>,
    pub requested_by: Actor,
    /// State to return to when the assessment says the order cannot be cancelled.
    pub prior_state: OrderState,
    /// Fallout cases that were open when cancellation was requested; restored on rejection.
    pub prior_fallout: Option<FalloutRecord>,
    pub assessment: Option<CancellationAssessment>,
    /// The expanded scope; empty: the whole order.
    #[serde(default)]
    pub scope_item_ids: Vec<OrderItemId>,
    #[serde(default)]
    pub kind: Option<CancellationKind>,
    #[serde(default)]
    pub force_manual_review: bool,
    /// Items that were COMPLETED (billing saw them) when they began cancelling.
    #[serde(default)]
    pub billing_started_item_ids: Vec<OrderItemId>,
    /// Items this request has cancelled so far.
    #[serde(default)]
    pub cancelled_item_ids: Vec<OrderItemId>,
}

impl CancellationRecord {
    /// Whether `item` is in the request's scope.
    pub fn covers(&self, item: OrderItemId) -> bool {
        self.scope_item_ids.is_empty() || self.scope_item_ids.contains(&item)
    }
}

/// An accepted amendment waiting for its re-plan (ADR 0008 §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentRecord {
    pub request_id: AmendmentRequestId,
    pub reason_code: ReasonCode,
    pub requested_at: DateTime<Utc>,
    pub requested_by: Actor,
    pub proposed_content: OrderContent,
    pub replanned_item_ids: Vec<OrderItemId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancellationAssessment {
    pub feasibility: CancellationFeasibility,
    pub blockers: Vec<String>,
    pub assessed_at: DateTime<Utc>,
    /// Items the assessment proposes to cancel (kept for a manual review's approval).
    #[serde(default)]
    pub proposed_item_ids: Vec<OrderItemId>,
}

/// Item counts per state: the order's fulfillment summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentSummary {
    pub total: usize,
    pub by_state: BTreeMap<ItemState, usize>,
}

impl Order {
    pub fn items(&self) -> &[OrderItem] {
        self.content.as_ref().map_or(&[], |c| &c.items)
    }

    pub fn item(&self, id: OrderItemId) -> Option<&OrderItem> {
        self.items().iter().find(|i| i.id == id)
    }

    pub(crate) fn item_mut(&mut self, id: OrderItemId) -> Option<&mut OrderItem> {
        self.content
            .as_mut()
            .and_then(|c| c.items.iter_mut().find(|i| i.id == id))
    }

    pub fn item_states(&self) -> Vec<ItemState> {
        self.items().iter().map(|i| i.state).collect()
    }

    pub fn active_blocking_holds(&self) -> Vec<HoldId> {
        self.holds
            .iter()
            .filter(|h| h.is_active_blocking())
            .map(|h| h.id)
            .collect()
    }

    pub fn hold(&self, id: HoldId) -> Option<&OrderHold> {
        self.holds.iter().find(|h| h.id == id)
    }

    pub fn has_open_fallout(&self) -> bool {
        self.fallout.as_ref().is_some_and(|f| !f.cases.is_empty())
    }

    /// Whether the header state is currently owned by the aggregation rule.
    pub fn header_is_derived(&self) -> bool {
        self.fulfillment_started && is_fulfillment_phase(self.state)
    }

    /// Header state the aggregation rule gives for the current items and fallout cases.
    pub fn derived_state(&self) -> OrderState {
        derive_header_state(&self.item_states(), self.has_open_fallout())
    }

    pub fn fulfillment_summary(&self) -> FulfillmentSummary {
        let mut by_state = BTreeMap::new();
        for item in self.items() {
            *by_state.entry(item.state).or_insert(0) += 1;
        }
        FulfillmentSummary {
            total: self.items().len(),
            by_state,
        }
    }

    pub fn customer_status(&self) -> CustomerStatus {
        customer_status(self.state, &self.holds)
    }
}
