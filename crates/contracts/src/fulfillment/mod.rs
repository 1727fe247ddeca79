//! `oms.fulfillment.events.v1` (namespace `com.example.oms.fulfillment.v1`): what the
//! fulfillment service reports about an order's execution (task progress, item results with
//! their asset effect and item context, fallout, the cancellation loop), keyed by order id.
//! Consumers: order-capture (records item results and fallout), asset (`OrderItemFulfilled`:
//! creates, changes or ends the asset), projections.
//!
//! - [`FulfillmentEventV1`]: the family;
//! - `From<&FulfillmentEvent>` (the fulfillment service's outbox; mints the event id);
//! - `TryFrom<&FulfillmentEventV1> for FulfillmentEvent` (consumers).

mod mapping;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::common::{
    AssetEffect, CancellationFeasibility, ExternalEffectLevel, ItemAction, PriceSnapshot,
    ProductRef, RepairResolution, ServiceAddress, fact_event,
};
use crate::wire::uuid_list;
use oms_messaging::avro_serde;

/// The order item as fulfillment received it, with the order's parties and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfilledItem {
    pub line_number: i64,
    pub action: ItemAction,
    pub quantity: i64,
    pub product: ProductRef,
    pub target_asset_id: Option<String>,
    pub customer_id: String,
    pub account_id: String,
    pub billing_account_id: String,
    pub configuration: BTreeMap<String, String>,
    pub service_address: Option<ServiceAddress>,
    pub price: PriceSnapshot,
    pub term_months: Option<i64>,
}

fact_event!(FulfillmentTaskStarted {
    #[serde(with = "avro_serde::uuid")]
    plan_id: Uuid,
    #[serde(with = "avro_serde::uuid")]
    task_id: Uuid,
    #[serde(with = "uuid_list")]
    item_ids: Vec<Uuid>,
    attempt: i64,
    #[serde(with = "avro_serde::uuid_opt", default)]
    compensates_task_id: Option<Uuid>,
});
fact_event!(FulfillmentTaskSucceeded {
    #[serde(with = "avro_serde::uuid")]
    task_id: Uuid,
    #[serde(with = "uuid_list")]
    item_ids: Vec<Uuid>,
    external_effect_level: ExternalEffectLevel,
    external_ref: Option<String>,
    #[serde(with = "avro_serde::uuid_opt", default)]
    compensates_task_id: Option<Uuid>,
});
fact_event!(FulfillmentTaskFailed {
    #[serde(with = "avro_serde::uuid")]
    task_id: Uuid,
    #[serde(with = "uuid_list")]
    item_ids: Vec<Uuid>,
    code: String,
    message: String,
    will_retry: bool,
    attempt: i64,
    #[serde(with = "avro_serde::uuid_opt", default)]
    compensates_task_id: Option<Uuid>,
});
fact_event!(
    /// An item is done, with the item context the asset service acts on.
    OrderItemFulfilled {
        #[serde(with = "avro_serde::uuid")]
        item_id: Uuid,
        asset_effect: AssetEffect,
        asset_id: Option<String>,
        service_refs: Vec<String>,
        resource_refs: Vec<String>,
        #[serde(with = "avro_serde::date_opt", default)]
        activation_date: Option<NaiveDate>,
        item: FulfilledItem,
    }
);
fact_event!(FalloutRaised {
    #[serde(with = "avro_serde::uuid")]
    fallout_id: Uuid,
    #[serde(with = "avro_serde::uuid_opt", default)]
    task_id: Option<Uuid>,
    #[serde(with = "avro_serde::uuid_opt", default)]
    item_id: Option<Uuid>,
    code: String,
    message: String,
    remediation: Option<String>,
    during_compensation: bool,
});
fact_event!(FalloutResolved {
    #[serde(with = "avro_serde::uuid")]
    fallout_id: Uuid,
    resolution: RepairResolution,
    #[serde(with = "avro_serde::uuid_opt", default)]
    item_id: Option<Uuid>,
});
fact_event!(
    /// An operator waived an item in fulfillment (policy decision; reason in the head).
    FulfillmentItemWaived {
        #[serde(with = "avro_serde::uuid")]
        item_id: Uuid,
        policy_ref: String,
    }
);
/// One task's disposition in a cancellation assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssessedTask {
    #[serde(with = "avro_serde::uuid")]
    pub task_id: Uuid,
    pub task_type: String,
    pub disposition: String,
    pub compensation_task_type: Option<String>,
}

fact_event!(CancellationAssessmentCompleted {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    feasibility: CancellationFeasibility,
    #[serde(with = "uuid_list")]
    compensated_item_ids: Vec<Uuid>,
    blockers: Vec<String>,
    #[serde(with = "uuid_list", default)]
    cancelling_item_ids: Vec<Uuid>,
    #[serde(default)]
    task_impacts: Vec<AssessedTask>,
});
fact_event!(CompensationCompleted {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
});

fact_event!(
    /// An item's compensation finished; the asset service reverts `reverted_effect`.
    OrderItemCompensated {
        #[serde(with = "avro_serde::uuid")]
        request_id: Uuid,
        #[serde(with = "avro_serde::uuid")]
        item_id: Uuid,
        reverted_effect: AssetEffect,
        asset_id: Option<String>,
        item: FulfilledItem,
    }
);
fact_event!(PlanAmendmentApplied {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    #[serde(with = "avro_serde::uuid")]
    plan_id: Uuid,
    #[serde(with = "uuid_list")]
    kept_task_ids: Vec<Uuid>,
    #[serde(with = "uuid_list")]
    added_task_ids: Vec<Uuid>,
    #[serde(with = "uuid_list")]
    cancelled_task_ids: Vec<Uuid>,
    tasks_per_item: Vec<crate::order::ItemTaskCount>,
});
fact_event!(PlanAmendmentRefused {
    #[serde(with = "avro_serde::uuid")]
    request_id: Uuid,
    code: String,
    blockers: Vec<String>,
});

oms_messaging::event_family! {
    /// Every record of `oms.fulfillment.events.v1`.
    pub enum FulfillmentEventV1 in "oms.fulfillment.events.v1" {
        FulfillmentTaskStarted(FulfillmentTaskStarted) = "com.example.oms.fulfillment.v1.FulfillmentTaskStarted",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/FulfillmentTaskStarted.avsc");
        FulfillmentTaskSucceeded(FulfillmentTaskSucceeded) = "com.example.oms.fulfillment.v1.FulfillmentTaskSucceeded",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/FulfillmentTaskSucceeded.avsc");
        FulfillmentTaskFailed(FulfillmentTaskFailed) = "com.example.oms.fulfillment.v1.FulfillmentTaskFailed",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/FulfillmentTaskFailed.avsc");
        OrderItemFulfilled(OrderItemFulfilled) = "com.example.oms.fulfillment.v1.OrderItemFulfilled",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/OrderItemFulfilled.avsc");
        FalloutRaised(FalloutRaised) = "com.example.oms.fulfillment.v1.FalloutRaised",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/FalloutRaised.avsc");
        FalloutResolved(FalloutResolved) = "com.example.oms.fulfillment.v1.FalloutResolved",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/FalloutResolved.avsc");
        FulfillmentItemWaived(FulfillmentItemWaived) = "com.example.oms.fulfillment.v1.FulfillmentItemWaived",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/FulfillmentItemWaived.avsc");
        CancellationAssessmentCompleted(CancellationAssessmentCompleted) = "com.example.oms.fulfillment.v1.CancellationAssessmentCompleted",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/CancellationAssessmentCompleted.avsc");
        CompensationCompleted(CompensationCompleted) = "com.example.oms.fulfillment.v1.CompensationCompleted",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/CompensationCompleted.avsc");
        OrderItemCompensated(OrderItemCompensated) = "com.example.oms.fulfillment.v1.OrderItemCompensated",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/OrderItemCompensated.avsc");
        PlanAmendmentApplied(PlanAmendmentApplied) = "com.example.oms.fulfillment.v1.PlanAmendmentApplied",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/PlanAmendmentApplied.avsc");
        PlanAmendmentRefused(PlanAmendmentRefused) = "com.example.oms.fulfillment.v1.PlanAmendmentRefused",
            include_str!("../../../../schemas/oms.fulfillment.events.v1/PlanAmendmentRefused.avsc");
    }
}
