//! Command builders with fixed ids, one per kind of command the tests send.

#![allow(dead_code)]

use oms_domain::OrderCommand;
use oms_domain::capture::{CaptureContext, CaptureOrder};
use oms_domain::change::{
    AmendmentChange, CancellationScope, CancellationSpec, ExecutionView, TaskView,
};
use oms_domain::command::{
    CaptureDraftCommand, CaptureIds, CaptureOrderCommand, RaiseFallout, RecordAmendmentApplied,
    RecordAmendmentRejected, RecordCancellationAssessment, RecordDecompositionFailure,
    RecordItemCompleted, RecordItemFailed, RequestAmendment, RequestCancellation,
};
use oms_domain::events::{FulfillmentPlan, PlannedTask};
use oms_domain::lifecycle::FulfillmentState;
use oms_domain::value::{
    AmendmentRequestId, AssetId, OrderItemId, OrderNumber, PlanId, PolicyRef, TaskId,
};
use oms_domain::vocab::{
    AssetEffect, CancellationFeasibility, DecompositionFailureCode, ExternalEffectLevel,
    FalloutCategory, HoldType, RepairResolution, TaskReversibility,
};

use super::*;

pub fn ids(n: usize) -> CaptureIds {
    CaptureIds {
        order_id: order_id(),
        order_number: OrderNumber::parse("O-2026-00000421").unwrap(),
        item_ids: (0..n).map(item_id).collect(),
    }
}

pub fn capture(intake: CaptureOrder, context: CaptureContext) -> OrderCommand {
    let n = intake.items.len();
    OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
        ids: ids(n),
        intake,
        context,
    }))
}

pub fn draft(intake: CaptureOrder) -> OrderCommand {
    let n = intake.items.len();
    OrderCommand::CaptureDraft(Box::new(CaptureDraftCommand {
        ids: ids(n),
        tenant: tenant(),
        intake,
    }))
}

pub fn plan(n: usize) -> OrderCommand {
    OrderCommand::RecordDecomposition {
        plan: FulfillmentPlan {
            plan_id: PlanId::from_uuid(uuid(5000)),
            rules_version: "rules-v7".into(),
            tasks: (0..n)
                .map(|i| PlannedTask {
                    task_id: TaskId::from_uuid(uuid(6000 + u128::try_from(i).unwrap())),
                    item_ids: vec![item_id(i)],
                    task_type: "ACTIVATE_SERVICE".into(),
                    target_system: "network".into(),
                    depends_on: vec![],
                    reversibility: TaskReversibility::Automatic,
                    external_effect_level: ExternalEffectLevel::NetworkVisible,
                    template_key: Some("activate_service".into()),
                    compensation_task_type: Some("DEACTIVATE_SERVICE".into()),
                    item_milestone: Some(true),
                    item_asset_effect: Some(AssetEffect::Create),
                    inputs: None,
                })
                .collect(),
        },
    }
}

pub fn decomposition_failed(n: u128, failure: DecompositionFailureCode) -> OrderCommand {
    OrderCommand::RecordDecompositionFailure(RecordDecompositionFailure {
        fallout_id: fallout_id(n),
        code: failure,
        item_id: Some(item_id(0)),
        message: "no rule for po-fiber-0 ADD".into(),
        remediation: "add the decomposition rule".into(),
    })
}

pub fn start(i: usize) -> OrderCommand {
    OrderCommand::RecordItemStarted {
        item_id: item_id(i),
    }
}

pub fn progress(i: usize, s: FulfillmentState) -> OrderCommand {
    OrderCommand::RecordItemProgress {
        item_id: item_id(i),
        fulfillment_state: s,
    }
}

pub fn complete(i: usize) -> OrderCommand {
    OrderCommand::RecordItemCompleted(RecordItemCompleted {
        item_id: item_id(i),
        asset_effect: AssetEffect::Create,
        actual_asset_id: Some(AssetId::parse(&format!("asset-new-{i}")).unwrap()),
        activation_date: Some(today()),
    })
}

pub fn fail(i: usize, n: u128) -> OrderCommand {
    OrderCommand::RecordItemFailed(RecordItemFailed {
        item_id: item_id(i),
        fallout_id: fallout_id(n),
        code: code("PROVISIONING_TIMEOUT"),
        message: "retries exhausted".into(),
    })
}

pub fn waive(i: usize) -> OrderCommand {
    OrderCommand::WaiveItem {
        item_id: item_id(i),
        policy_ref: PolicyRef::parse("policy-waive-optional").unwrap(),
    }
}

pub fn raise(n: u128, category: FalloutCategory) -> OrderCommand {
    OrderCommand::RaiseFallout(RaiseFallout {
        fallout_id: fallout_id(n),
        category,
        code: code("TASK_STUCK"),
        item_id: None,
        task_id: None,
        message: "task stuck".into(),
        remediation: Some("check downstream".into()),
    })
}

pub fn repair(n: u128, resolution: RepairResolution) -> OrderCommand {
    OrderCommand::RepairFallout {
        fallout_id: fallout_id(n),
        resolution,
    }
}

pub fn place_hold(n: u128, blocking: bool) -> OrderCommand {
    OrderCommand::PlaceHold {
        hold_id: hold_id(n),
        hold_type: HoldType::Credit,
        blocking,
    }
}

pub fn release_hold(n: u128) -> OrderCommand {
    OrderCommand::ReleaseHold {
        hold_id: hold_id(n),
    }
}

pub fn cancel() -> OrderCommand {
    cancel_with(ExecutionView::default(), CancellationScope::Order)
}

/// A cancellation request of `scope`, assessed against `execution`.
pub fn cancel_with(execution: ExecutionView, scope: CancellationScope) -> OrderCommand {
    OrderCommand::RequestCancellation(Box::new(RequestCancellation {
        request_id: request_id(),
        reason_code: code("CUSTOMER_REQUEST"),
        spec: CancellationSpec {
            scope,
            force_manual_review: false,
        },
        execution,
    }))
}

pub fn assess(feasibility: CancellationFeasibility, compensated: Vec<OrderItemId>) -> OrderCommand {
    OrderCommand::RecordCancellationAssessment(RecordCancellationAssessment {
        request_id: request_id(),
        feasibility,
        compensated_item_ids: compensated,
        blockers: vec![],
        cancelling_item_ids: vec![],
    })
}

/// Fulfillment reports item `i`'s work undone.
pub fn item_cancelled(i: usize) -> OrderCommand {
    OrderCommand::RecordItemCancelled {
        item_id: item_id(i),
        asset_reverted: None,
    }
}

/// The execution view of `plan(n)`: one not-started ACTIVATE_SERVICE task per item, using
/// every item input.
pub fn execution(n: usize) -> ExecutionView {
    let OrderCommand::RecordDecomposition { plan } = plan(n) else {
        unreachable!()
    };
    ExecutionView {
        plan_id: Some(plan.plan_id),
        version: 0,
        tasks: plan.tasks.iter().map(TaskView::planned).collect(),
    }
}

pub fn amendment_id() -> AmendmentRequestId {
    AmendmentRequestId::from_uuid(uuid(8100))
}

pub fn amend(changes: Vec<AmendmentChange>, execution: ExecutionView) -> OrderCommand {
    OrderCommand::RequestAmendment(Box::new(RequestAmendment {
        request_id: amendment_id(),
        reason_code: code("CUSTOMER_REQUEST"),
        changes,
        execution,
    }))
}

/// A change of the requested start date (no task uses it: applied at once).
pub fn new_start_date() -> AmendmentChange {
    AmendmentChange::ChangeRequestedDates {
        requested_start: Some(today() + chrono::Days::new(30)),
        requested_completion: Some(today() + chrono::Days::new(60)),
    }
}

/// A characteristic change on item `i` (re-planned when its tasks use the configuration).
pub fn new_config(i: usize) -> AmendmentChange {
    AmendmentChange::ChangeItemConfiguration {
        item_id: item_id(i),
        set: std::collections::BTreeMap::from([("bandwidth".to_owned(), "10G".to_owned())]),
    }
}

/// An amendment of the last item's configuration that waits for a re-plan.
pub fn amend_replanned(n: usize) -> OrderCommand {
    amend(vec![new_config(n - 1)], execution(n))
}

pub fn amendment_applied(n: usize) -> OrderCommand {
    OrderCommand::RecordAmendmentApplied(RecordAmendmentApplied {
        request_id: amendment_id(),
        plan_id: PlanId::from_uuid(uuid(5001)),
        tasks_per_item: (0..n).map(|i| (item_id(i), 1)).collect(),
    })
}

pub fn amendment_rejected() -> OrderCommand {
    OrderCommand::RecordAmendmentRejected(RecordAmendmentRejected {
        request_id: amendment_id(),
        code: code("REPLACED_TASK_STARTED"),
        message: "a replaced task started".into(),
        remediation: "raise a supplemental order".into(),
    })
}
