//! One struct per order fact. Each carries the [`OrderEventBase`] (order id, tenant,
//! version, meta) and what its consumers need to act without calling back.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::order::OrderEventBase;
use crate::capture::{CaptureOrder, Violation};
use crate::change::{CancellationKind, ChangeKind};
use crate::lifecycle::{FulfillmentState, OrderState};
use crate::order::{FalloutCase, OrderContent, OrderHold, PriceSnapshot, ProductSnapshot};
use crate::value::{
    AmendmentRequestId, AssetId, BillingAccountId, CancellationRequestId, FalloutId, HoldId,
    LineNumber, OrderItemId, OrderNumber, PlanId, PolicyRef, Quantity, ReasonCode,
};
use crate::vocab::{
    AssetEffect, CancellationFeasibility, CaptureMode, HoldType, ItemAction, RepairResolution,
};

macro_rules! fact {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fdoc:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            #[serde(flatten)]
            pub base: OrderEventBase,
            $( $(#[$fdoc])* pub $field: $ty, )*
        }
    };
}

fact!(
    /// An order was created from an intake (state SUBMITTED, or DRAFT for staged intake).
    /// Carries the intake as evidence and the caller-allocated item ids.
    OrderCaptured {
        order_number: OrderNumber,
        capture_mode: CaptureMode,
        initial_state: OrderState,
        intake: Box<CaptureOrder>,
        item_ids: Vec<OrderItemId>,
        request_fingerprint: String,
    }
);
fact!(
    /// A DRAFT order was submitted.
    OrderSubmitted {}
);
fact!(
    /// Validation passed: the typed order content, and any warnings.
    OrderValidated {
        order_number: OrderNumber,
        content: Box<OrderContent>,
        warnings: Vec<Violation>,
    }
);
fact!(
    /// Validation failed; CPQ and support read the violations.
    OrderRejected {
        order_number: OrderNumber,
        quote_id: Option<String>,
        quote_revision: Option<i64>,
        violations: Vec<Violation>,
    }
);
fact!(
    /// The validated order may be decomposed; carries the content decomposition needs.
    OrderReleasedForDecomposition {
        order_number: OrderNumber,
        content: Box<OrderContent>,
    }
);
fact!(
    /// Order-capture accepted the decomposition service's plan (`OrderDecomposed`).
    OrderDecompositionRecorded {
        plan_id: PlanId,
        rules_version: String,
        tasks_per_item: BTreeMap<OrderItemId, u32>,
    }
);
fact!(
    /// Fulfillment may execute the plan. Carries the order content as well: fulfillment
    /// runs tasks against downstream systems (configuration, service address) and passes the
    /// item context on in `OrderItemFulfilled`, without calling order-capture back.
    OrderReleasedForFulfillment {
        plan_id: PlanId,
        order_number: OrderNumber,
        content: Box<OrderContent>,
    }
);
fact!(OrderItemStarted {
    item_id: OrderItemId
});
fact!(OrderItemProgressRecorded {
    item_id: OrderItemId,
    fulfillment_state: FulfillmentState,
});
fact!(
    /// An item is done; everything billing needs to start charging it.
    OrderItemCompleted {
        item_id: OrderItemId,
        line_number: LineNumber,
        action: ItemAction,
        /// Offering id, version, name and spec ref as sold.
        product: ProductSnapshot,
        quantity: Quantity,
        actual_asset_id: Option<AssetId>,
        asset_effect: AssetEffect,
        billing_account_id: BillingAccountId,
        price: PriceSnapshot,
        activation_date: Option<NaiveDate>,
    }
);
fact!(OrderItemFailed {
    item_id: OrderItemId,
    fallout_id: FalloutId,
    code: ReasonCode,
    message: String,
});
fact!(
    /// An item was waived by an audited policy decision (reason in the meta).
    OrderItemWaived {
        item_id: OrderItemId,
        policy_ref: PolicyRef,
    }
);
fact!(
    /// The header moved to PARTIALLY_COMPLETED.
    OrderPartiallyCompleted { completed_item_ids: Vec<OrderItemId> }
);
fact!(
    /// A fallout case was opened; the order is in FALLOUT until all cases are repaired.
    OrderFalloutRaised {
        case: FalloutCase,
        resume_state: OrderState,
    }
);
fact!(
    /// A manual repair (actor and reason in the meta) closed a fallout case.
    OrderFalloutRepaired {
        fallout_id: FalloutId,
        resolution: RepairResolution,
        item_id: Option<OrderItemId>,
        resumed_state: OrderState,
    }
);
fact!(OrderHoldPlaced { hold: OrderHold });
fact!(
    /// Released by `meta.actor` at `meta.at` for `meta.reason`.
    OrderHoldReleased {
        hold_id: HoldId,
        hold_type: HoldType,
    }
);
fact!(
    /// Every item is COMPLETED or WAIVED.
    OrderCompleted {
        order_number: OrderNumber,
        billing_account_id: BillingAccountId,
        completed_item_ids: Vec<OrderItemId>,
        waived_item_ids: Vec<OrderItemId>,
    }
);
fact!(
    /// Cancellation was requested after release; fulfillment assesses it against its tasks.
    OrderCancellationRequested {
        request_id: CancellationRequestId,
        reason_code: ReasonCode,
        prior_state: OrderState,
        /// The expanded scope (named items, their children and dependents); empty: the
        /// whole order.
        #[serde(default)]
        scope_item_ids: Vec<OrderItemId>,
        /// The taxonomy of 004 §4 as order-capture assessed it.
        #[serde(default)]
        kind: Option<CancellationKind>,
        /// A person must approve even automatic compensation.
        #[serde(default)]
        force_manual_review: bool,
    }
);
fact!(
    /// Fulfillment's assessment was recorded; FULLY/PARTIALLY cancellable moves the listed
    /// items (and the order) to CANCELLING.
    OrderCancellationAssessed {
        request_id: CancellationRequestId,
        feasibility: CancellationFeasibility,
        cancelling_item_ids: Vec<OrderItemId>,
        blockers: Vec<String>,
    }
);
fact!(
    /// The order could not be cancelled and resumed where it was.
    OrderCancellationRejected {
        request_id: CancellationRequestId,
        resumed_state: OrderState,
        blockers: Vec<String>,
    }
);
fact!(
    /// The order is cancelled. `before_execution` is true when nothing had an external
    /// effect yet (no compensation ran).
    OrderCancelled {
        order_number: OrderNumber,
        /// Absent when the order was cancelled before validation (nothing can have been
        /// billed then).
        billing_account_id: Option<BillingAccountId>,
        request_id: CancellationRequestId,
        reason_code: ReasonCode,
        cancelled_item_ids: Vec<OrderItemId>,
        before_execution: bool,
    }
);
fact!(
    /// A FALLOUT order was closed by business decision; its unfinished items are cancelled.
    OrderFailedClosed { closed_item_ids: Vec<OrderItemId> }
);
fact!(
    /// An item is cancelled after release (its work compensated). Billing stops the charge
    /// when `billing_started` (it saw `OrderItemCompleted`), and never starts it otherwise.
    OrderItemCancelled {
        request_id: CancellationRequestId,
        item_id: OrderItemId,
        line_number: LineNumber,
        billing_account_id: BillingAccountId,
        price: PriceSnapshot,
        billing_started: bool,
        /// The installed-base change that was reverted, if the item had reached it.
        asset_reverted: Option<AssetEffect>,
    }
);
fact!(
    /// A cancellation that left part of the order finished: the cancelled items are
    /// CANCELLED, the rest continues in `resumed_state`.
    OrderCancellationCompleted {
        request_id: CancellationRequestId,
        cancelled_item_ids: Vec<OrderItemId>,
        resumed_state: OrderState,
    }
);
fact!(
    /// An amendment was accepted (ADR 0008 §3). With `requires_redecomposition` the
    /// proposed content waits for the re-plan; otherwise `OrderAmendmentApplied` follows at once.
    OrderAmendmentRequested {
        request_id: AmendmentRequestId,
        reason_code: ReasonCode,
        changes: Vec<AmendmentChangeSummary>,
        proposed_content: Box<OrderContent>,
        requires_redecomposition: bool,
        /// Items whose tasks the re-plan replaces.
        replanned_item_ids: Vec<OrderItemId>,
    }
);
fact!(
    /// The amendment is in effect: the order content is `content`; after a re-plan the
    /// order runs on `plan_id`.
    OrderAmendmentApplied {
        request_id: AmendmentRequestId,
        content: Box<OrderContent>,
        plan_id: Option<PlanId>,
        tasks_per_item: BTreeMap<OrderItemId, u32>,
    }
);
fact!(
    /// The amendment was refused after it was accepted (the re-plan failed or would replace
    /// work that started meanwhile); the order is unchanged.
    OrderAmendmentRejected {
        request_id: AmendmentRequestId,
        code: ReasonCode,
        message: String,
        remediation: String,
    }
);

/// One change of an amendment, as the audit trail and consumers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentChangeSummary {
    pub kind: ChangeKind,
    pub item_id: Option<OrderItemId>,
    pub path: String,
    pub before: String,
    pub after: String,
}
