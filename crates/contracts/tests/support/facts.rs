//! Facts other services report: every decomposition, fulfillment and asset event type, built
//! around the released order content of the order fixtures.

use oms_domain::change::TaskDisposition;
use oms_domain::events::{
    AssessedTask, AssetCreated, AssetEvent, AssetEventBase, AssetInconsistencyDetected,
    AssetModified, AssetMoved, AssetRenewed, AssetResumed, AssetReverted, AssetSuspended,
    AssetTerminated, CancellationAssessmentCompleted, CompensationCompleted, DecompositionEvent,
    FalloutRaised, FalloutResolved, FulfilledItem, FulfillmentEvent, FulfillmentItemWaived,
    FulfillmentPlan, FulfillmentTaskFailed, FulfillmentTaskStarted, FulfillmentTaskSucceeded,
    InstalledAsset, OrderDecomposed, OrderDecompositionFailed, OrderFactBase, OrderItemCompensated,
    OrderItemFulfilled, OrderRedecomposed, OrderRedecompositionFailed, PlanAmendmentApplied,
    PlanAmendmentRefused,
};
use oms_domain::order::{OrderContent, ServiceAddress};
use oms_domain::value::{
    AmendmentRequestId, AssetId, CancellationRequestId, FalloutId, PlanId, PolicyRef, ReasonCode,
    TaskId,
};
use oms_domain::vocab::{
    AssetEffect, AssetStatus, CancellationFeasibility, DecompositionFailureCode,
    ExternalEffectLevel, ItemAction, RepairResolution,
};
use oms_domain::{Actor, TransitionMeta};

use super::orders::{Flow, item_id, order_id, plan};
use super::{at, day, meta, tenant, uuid};

const ORDER: u128 = 1;

pub fn content() -> OrderContent {
    Flow::in_progress(ORDER).order.unwrap().content.unwrap()
}

fn service_meta(service: &'static str, minutes: i64) -> TransitionMeta {
    TransitionMeta {
        actor: Actor::service(service),
        ..meta(minutes, None)
    }
}

fn fact(service: &'static str, minutes: i64) -> OrderFactBase {
    OrderFactBase {
        order_id: order_id(ORDER),
        tenant_id: tenant(),
        meta: service_meta(service, minutes),
    }
}

pub fn decomposition_events() -> Vec<DecompositionEvent> {
    vec![
        OrderDecomposed {
            base: fact("decomposition", 2),
            plan: plan(ORDER),
        }
        .into(),
        OrderDecompositionFailed {
            base: fact("decomposition", 2),
            fallout_id: FalloutId::from_uuid(uuid(80)),
            code: DecompositionFailureCode::TechnicalCatalogMappingMissing,
            item_id: Some(item_id(ORDER, 1)),
            message: "no technical mapping for po-router v1".into(),
            remediation: "map po-router v1 in the technical catalog".into(),
        }
        .into(),
        OrderRedecomposed {
            base: fact("decomposition", 3),
            request_id: AmendmentRequestId::from_uuid(uuid(91)),
            previous_plan_id: plan(ORDER).plan_id,
            plan: FulfillmentPlan {
                plan_id: PlanId::from_uuid(uuid(ORDER * 100 + 51)),
                ..plan(ORDER)
            },
        }
        .into(),
        OrderRedecompositionFailed {
            base: fact("decomposition", 3),
            request_id: AmendmentRequestId::from_uuid(uuid(92)),
            code: DecompositionFailureCode::DecompositionRuleMissing,
            item_id: Some(item_id(ORDER, 0)),
            message: "no rule for po-fiber-internet-10g v1 ADD".into(),
            remediation: "publish a catalog version that maps the offering".into(),
        }
        .into(),
    ]
}

pub fn fulfilled_item(i: u128) -> FulfilledItem {
    FulfilledItem::from_content(&content(), item_id(ORDER, i)).unwrap()
}

pub fn fulfillment_events() -> Vec<FulfillmentEvent> {
    let task = TaskId::from_uuid(uuid(ORDER * 100 + 60));
    let request = CancellationRequestId::from_uuid(uuid(72));
    let f = |m| fact("fulfillment", m);
    vec![
        FulfillmentTaskStarted {
            base: f(4),
            plan_id: plan(ORDER).plan_id,
            task_id: task,
            item_ids: vec![item_id(ORDER, 0)],
            attempt: 1,
            compensates_task_id: None,
        }
        .into(),
        FulfillmentTaskSucceeded {
            base: f(5),
            task_id: task,
            item_ids: vec![item_id(ORDER, 0)],
            external_effect_level: ExternalEffectLevel::NetworkVisible,
            external_ref: Some("WO-55121".into()),
            compensates_task_id: None,
        }
        .into(),
        FulfillmentTaskFailed {
            base: f(6),
            task_id: task,
            item_ids: vec![item_id(ORDER, 0), item_id(ORDER, 1)],
            code: ReasonCode::parse("DOWNSTREAM_TIMEOUT").unwrap(),
            message: "inventory did not answer".into(),
            will_retry: true,
            attempt: 2,
            compensates_task_id: None,
        }
        .into(),
        OrderItemFulfilled {
            base: f(7),
            item_id: item_id(ORDER, 0),
            asset_effect: AssetEffect::Create,
            asset_id: Some(AssetId::parse("asset-new-1").unwrap()),
            service_refs: vec!["svc-fiber-881".into()],
            resource_refs: vec!["port-olt3-1/1/4".into(), "ont-SN4471".into()],
            activation_date: Some(day(5)),
            item: Box::new(fulfilled_item(0)),
        }
        .into(),
        FalloutRaised {
            base: f(8),
            fallout_id: FalloutId::from_uuid(uuid(81)),
            task_id: Some(task),
            item_id: Some(item_id(ORDER, 2)),
            code: ReasonCode::parse("RETRIES_EXHAUSTED").unwrap(),
            message: "IPAM rejected the prefix 5 times".into(),
            remediation: Some("free the /29 in IPAM".into()),
            during_compensation: false,
        }
        .into(),
        FalloutResolved {
            base: f(9),
            fallout_id: FalloutId::from_uuid(uuid(81)),
            resolution: RepairResolution::RetryItem,
            item_id: Some(item_id(ORDER, 2)),
        }
        .into(),
        FulfillmentItemWaived {
            base: OrderFactBase {
                meta: TransitionMeta {
                    actor: Actor::user("ops-7").unwrap(),
                    ..meta(9, Some("customer no longer needs the static IP"))
                },
                ..f(9)
            },
            item_id: item_id(ORDER, 2),
            policy_ref: PolicyRef::parse("POL-WAIVE-7").unwrap(),
        }
        .into(),
        CancellationAssessmentCompleted {
            base: f(10),
            request_id: request,
            feasibility: CancellationFeasibility::PartiallyCancellable,
            compensated_item_ids: vec![item_id(ORDER, 0)],
            blockers: vec!["installation done".into()],
            cancelling_item_ids: vec![item_id(ORDER, 0), item_id(ORDER, 1)],
            task_impacts: vec![AssessedTask {
                task_id: task,
                task_type: "ACTIVATE_SERVICE".into(),
                disposition: TaskDisposition::Compensate,
                compensation_task_type: Some("DEACTIVATE_SERVICE".into()),
            }],
        }
        .into(),
        FulfillmentTaskSucceeded {
            base: f(11),
            task_id: TaskId::from_uuid(uuid(ORDER * 100 + 90)),
            item_ids: vec![item_id(ORDER, 0)],
            external_effect_level: ExternalEffectLevel::NetworkVisible,
            external_ref: None,
            compensates_task_id: Some(task),
        }
        .into(),
        OrderItemCompensated {
            base: f(11),
            request_id: request,
            item_id: item_id(ORDER, 0),
            reverted_effect: AssetEffect::Create,
            asset_id: Some(AssetId::parse("asset-new-1").unwrap()),
            item: Box::new(fulfilled_item(0)),
        }
        .into(),
        CompensationCompleted {
            base: f(11),
            request_id: request,
        }
        .into(),
        PlanAmendmentApplied {
            base: f(12),
            request_id: AmendmentRequestId::from_uuid(uuid(91)),
            plan_id: PlanId::from_uuid(uuid(ORDER * 100 + 51)),
            kept_task_ids: vec![task],
            added_task_ids: vec![TaskId::from_uuid(uuid(ORDER * 100 + 70))],
            cancelled_task_ids: vec![TaskId::from_uuid(uuid(ORDER * 100 + 61))],
            tasks_per_item: std::collections::BTreeMap::from([
                (item_id(ORDER, 0), 1),
                (item_id(ORDER, 1), 1),
                (item_id(ORDER, 2), 1),
            ]),
        }
        .into(),
        PlanAmendmentRefused {
            base: f(13),
            request_id: AmendmentRequestId::from_uuid(uuid(92)),
            code: ReasonCode::parse("REPLACED_TASK_STARTED").unwrap(),
            blockers: vec!["ACTIVATE_SERVICE has started".into()],
        }
        .into(),
    ]
}

pub fn installed(status: AssetStatus) -> InstalledAsset {
    let item = fulfilled_item(0);
    InstalledAsset {
        customer_id: item.customer_id,
        account_id: item.account_id,
        billing_account_id: item.billing_account_id,
        product: item.product,
        quantity: item.quantity,
        status,
        configuration: item.configuration,
        service_address: item.service_address,
        price: item.price,
        activation_date: Some(day(5)),
        term_months: item.term_months,
        term_end_date: Some(day(5 + 3 * 365)),
    }
}

pub fn asset_events() -> Vec<AssetEvent> {
    let base = |m| AssetEventBase {
        asset_id: AssetId::parse("asset-new-1").unwrap(),
        tenant_id: tenant(),
        order_id: order_id(ORDER),
        item_id: item_id(ORDER, 0),
        meta: service_meta("asset", m),
    };
    let old_address = ServiceAddress {
        line1: "Jl. Thamrin 1".into(),
        line2: None,
        city: "Jakarta".into(),
        postal_code: "10310".into(),
        country_code: "ID".into(),
    };
    vec![
        AssetCreated {
            base: base(8),
            asset: installed(AssetStatus::Active),
        }
        .into(),
        AssetModified {
            base: base(9),
            asset: installed(AssetStatus::Active),
        }
        .into(),
        AssetTerminated {
            base: base(10),
            asset: installed(AssetStatus::Terminated),
            terminated_on: day(40),
        }
        .into(),
        AssetSuspended {
            base: base(11),
            asset: installed(AssetStatus::Suspended),
        }
        .into(),
        AssetResumed {
            base: base(12),
            asset: installed(AssetStatus::Active),
        }
        .into(),
        AssetMoved {
            base: base(13),
            asset: installed(AssetStatus::Active),
            previous_location: Some(old_address),
        }
        .into(),
        AssetRenewed {
            base: base(14),
            asset: installed(AssetStatus::Active),
            previous_term_end_date: Some(day(5 + 365)),
        }
        .into(),
        AssetInconsistencyDetected {
            base: base(15),
            attempted_action: ItemAction::Resume,
            expected_status: Some(AssetStatus::Suspended),
            actual_status: Some(AssetStatus::Active),
            description: "RESUME of an asset that is not suspended".into(),
        }
        .into(),
        AssetReverted {
            base: base(16),
            asset: installed(AssetStatus::Terminated),
            reverted_effect: AssetEffect::Create,
        }
        .into(),
    ]
}

/// The instant the fixtures' facts happened at (for assertions).
pub fn fact_time(minutes: i64) -> chrono::DateTime<chrono::Utc> {
    at(minutes)
}
