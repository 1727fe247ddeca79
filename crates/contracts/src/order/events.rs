//! The 28 records of `oms.order.events.v1`, one per domain `OrderEvent` variant. Every
//! record starts with the envelope, the order id and version, and who decided (actor,
//! reason); [`order_event!`] writes that part once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::content::OrderContent;
use super::enums::{CaptureMode, FulfillmentState, HoldType, OrderState};
use super::intake::CaptureIntake;
use super::parts::{FalloutCase, ItemTaskCount, OrderHold, Violation};
use crate::common::{
    Actor, AssetEffect, CancellationFeasibility, ItemAction, PriceSnapshot, ProductRef,
    RepairResolution,
};
use crate::wire::uuid_list;
use oms_messaging::{Envelope, avro_serde};

/// The common head of every order record, borrowed.
#[derive(Debug)]
pub(crate) struct HeadRef<'a> {
    pub event_type: &'static str,
    pub envelope: &'a Envelope,
    pub order_id: Uuid,
    pub order_version: i64,
    pub actor: &'a Actor,
    pub reason: Option<&'a String>,
}

/// Access to the common head of an order record.
pub(crate) trait OrderRecord {
    fn head(&self) -> HeadRef<'_>;
}

macro_rules! order_event {
    ($(#[$doc:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub envelope: Envelope,
            #[serde(with = "avro_serde::uuid")]
            pub order_id: Uuid,
            pub order_version: i64,
            pub actor: Actor,
            pub reason: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl OrderRecord for $name {
            fn head(&self) -> HeadRef<'_> {
                HeadRef {
                    event_type: stringify!($name),
                    envelope: &self.envelope,
                    order_id: self.order_id,
                    order_version: self.order_version,
                    actor: &self.actor,
                    reason: self.reason.as_ref(),
                }
            }
        }
    };
}

order_event!(OrderCaptured {
    order_number: String,
    capture_mode: CaptureMode,
    initial_state: OrderState,
    intake: CaptureIntake,
    #[serde(with = "uuid_list")]
    item_ids: Vec<Uuid>,
    request_fingerprint: String,
});
order_event!(OrderSubmitted {});
order_event!(OrderValidated {
    order_number: String,
    content: OrderContent,
    warnings: Vec<Violation>,
});
order_event!(OrderRejected {
    order_number: String,
    quote_id: Option<String>,
    quote_revision: Option<i64>,
    violations: Vec<Violation>,
});
order_event!(OrderReleasedForDecomposition {
    order_number: String,
    content: OrderContent,
});
order_event!(OrderDecompositionRecorded {
    #[serde(with = "avro_serde::uuid")]
    plan_id: Uuid,
    rules_version: String,
    tasks_per_item: Vec<ItemTaskCount>,
});
order_event!(OrderReleasedForFulfillment {
    #[serde(with = "avro_serde::uuid")]
    plan_id: Uuid,
    order_number: String,
    content: OrderContent,
});
order_event!(OrderItemStarted {
    #[serde(with = "avro_serde::uuid")]
    item_id: Uuid,
});
order_event!(OrderItemProgressRecorded {
    #[serde(with = "avro_serde::uuid")]
    item_id: Uuid,
    fulfillment_state: FulfillmentState,
});
order_event!(
    /// Billing-facing: everything needed to start charging the item.
    OrderItemCompleted {
        #[serde(with = "avro_serde::uuid")]
        item_id: Uuid,
        line_number: i64,
        action: ItemAction,
        product: ProductRef,
        quantity: i64,
        actual_asset_id: Option<String>,
        asset_effect: AssetEffect,
        billing_account_id: String,
        price: PriceSnapshot,
        #[serde(with = "avro_serde::date_opt", default)]
        activation_date: Option<NaiveDate>,
    }
);
order_event!(OrderItemFailed {
    #[serde(with = "avro_serde::uuid")]
    item_id: Uuid,
    #[serde(with = "avro_serde::uuid")]
    fallout_id: Uuid,
    code: String,
    message: String,
});
order_event!(OrderItemWaived {
    #[serde(with = "avro_serde::uuid")]
    item_id: Uuid,
    policy_ref: String,
});
order_event!(OrderPartiallyCompleted {
    #[serde(with = "uuid_list")]
    completed_item_ids: Vec<Uuid>,
});
order_event!(OrderFalloutRaised {
    case: FalloutCase,
    resume_state: OrderState,
});
order_event!(OrderFalloutRepaired {
    #[serde(with = "avro_serde::uuid")]
    fallout_id: Uuid,
    resolution: RepairResolution,
    #[serde(with = "avro_serde::uuid_opt", default)]
    item_id: Option<Uuid>,
    resumed_state: OrderState,
});
order_event!(OrderHoldPlaced { hold: OrderHold });
order_event!(OrderHoldReleased {
    #[serde(with = "avro_serde::uuid")]
    hold_id: Uuid,
    hold_type: HoldType,
});
order_event!(
    /// Billing-facing: the order is done.
    OrderCompleted {
        order_number: String,
        billing_account_id: String,
        #[serde(with = "uuid_list")]
        completed_item_ids: Vec<Uuid>,
        #[serde(with = "uuid_list")]
        waived_item_ids: Vec<Uuid>,
    }
);
order_event!(OrderCancellationRequested {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    reason_code: String,
    prior_state: OrderState,
    // Optional fields added after release 1 (the codec decodes with the writer's schema).
    #[serde(with = "uuid_list", default)]
    scope_item_ids: Vec<Uuid>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    force_manual_review: bool,
});
order_event!(OrderCancellationAssessed {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    feasibility: CancellationFeasibility,
    #[serde(with = "uuid_list")]
    cancelling_item_ids: Vec<Uuid>,
    blockers: Vec<String>,
});
order_event!(OrderCancellationRejected {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    resumed_state: OrderState,
    blockers: Vec<String>,
});
order_event!(
    /// Billing-facing: the order is cancelled.
    OrderCancelled {
        order_number: String,
        billing_account_id: Option<String>,
        #[serde(with = "avro_serde::uuid")]
        request_id: Uuid,
        reason_code: String,
        #[serde(with = "uuid_list")]
        cancelled_item_ids: Vec<Uuid>,
        before_execution: bool,
    }
);
order_event!(OrderFailedClosed {
    #[serde(with = "uuid_list")]
    closed_item_ids: Vec<Uuid>,
});
order_event!(
    /// Billing-facing: an item is cancelled after release.
    OrderItemCancelled {
        #[serde(with = "avro_serde::uuid")]
        request_id: Uuid,
        #[serde(with = "avro_serde::uuid")]
        item_id: Uuid,
        line_number: i64,
        billing_account_id: String,
        price: PriceSnapshot,
        billing_started: bool,
        asset_reverted: Option<AssetEffect>,
    }
);
order_event!(OrderCancellationCompleted {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    #[serde(with = "uuid_list")]
    cancelled_item_ids: Vec<Uuid>,
    resumed_state: OrderState,
});

/// One change of an amendment, as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentChange {
    pub kind: String,
    #[serde(with = "avro_serde::uuid_opt", default)]
    pub item_id: Option<Uuid>,
    pub path: String,
    pub before: String,
    pub after: String,
}

order_event!(OrderAmendmentRequested {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    reason_code: String,
    changes: Vec<AmendmentChange>,
    proposed_content: OrderContent,
    requires_redecomposition: bool,
    #[serde(with = "uuid_list")]
    replanned_item_ids: Vec<Uuid>,
});
order_event!(OrderAmendmentApplied {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    content: OrderContent,
    #[serde(with = "avro_serde::uuid_opt", default)]
    plan_id: Option<Uuid>,
    tasks_per_item: Vec<ItemTaskCount>,
});
order_event!(OrderAmendmentRejected {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    code: String,
    message: String,
    remediation: String,
});
