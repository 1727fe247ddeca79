//! The facts fulfillment reports on `oms.fulfillment.events.v1`: built as domain
//! [`FulfillmentEvent`]s from the rows a transaction changed, mapped to the Avro contract
//! by `oms-contracts`, and appended to the outbox in that same transaction (keyed by order
//! id, so an order's facts stay in order).

use crate::model::keys::new_asset_id;
use crate::store::items::ItemProgress;
use crate::store::tasks::TaskRow;
use crate::store::{StoreError, fallout::FalloutRow, vocab};
use chrono::Utc;
use oms_contracts::FulfillmentEventV1;
use oms_domain::ValueError;
use oms_domain::change::{PlanAssessment, ReplanDiff};
use oms_domain::events::{
    AssessedTask, CancellationAssessmentCompleted, CompensationCompleted, FalloutRaised,
    FalloutResolved, FulfilledItem, FulfillmentEvent, FulfillmentItemWaived, FulfillmentTaskFailed,
    FulfillmentTaskStarted, FulfillmentTaskSucceeded, OrderFactBase, OrderItemCompensated,
    OrderItemFulfilled, PlanAmendmentApplied, PlanAmendmentRefused,
};
use oms_domain::meta::{Actor, TransitionMeta};
use oms_domain::order::OrderContent;
use oms_domain::value::{
    AmendmentRequestId, AssetId, CancellationRequestId, CausationId, CorrelationId, FalloutId,
    OrderId, OrderItemId, PlanId, PolicyRef, Reason, ReasonCode, TaskId, TenantId,
};
use oms_domain::vocab::{AssetEffect, ExternalEffectLevel, RepairResolution};
use oms_messaging::{Outbox, OutboxError};
use sqlx::PgConnection;
use uuid::Uuid;

/// Why an event could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("event value: {0}")]
    Value(#[from] ValueError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error("item {0} is not in the released order content")]
    UnknownItem(Uuid),
}

/// Who caused the facts a transaction emits, and in which flow.
#[derive(Debug, Clone)]
pub struct FactMeta {
    pub actor: Actor,
    pub reason: Option<String>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
}

impl FactMeta {
    /// The engine acting on its own (dispatch results, retries, fallout).
    pub fn engine(correlation_id: &str) -> Self {
        Self {
            actor: Actor::service("fulfillment"),
            reason: None,
            correlation_id: correlation_id.to_owned(),
            causation_id: None,
        }
    }

    fn meta(&self) -> Result<TransitionMeta, ValueError> {
        let mut meta = TransitionMeta::new(
            self.actor.clone(),
            Utc::now(),
            CorrelationId::parse(&self.correlation_id)?,
        );
        if let Some(reason) = &self.reason {
            meta = meta.with_reason(Reason::parse(reason)?);
        }
        if let Some(cause) = &self.causation_id {
            meta = meta.caused_by(CausationId::parse(cause)?);
        }
        Ok(meta)
    }
}

/// Appends facts to the service's outbox.
#[derive(Debug, Clone)]
pub struct EventWriter {
    outbox: Outbox,
}

impl EventWriter {
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Encodes `event` and appends it in the caller's transaction.
    pub async fn append(
        &self,
        conn: &mut PgConnection,
        event: &FulfillmentEvent,
    ) -> Result<(), EventError> {
        self.outbox
            .append(conn, &FulfillmentEventV1::from(event))
            .await?;
        metrics::counter!("oms_fulfillment_events_total", "event_type" => oms_domain::DomainEvent::event_type(event)).increment(1);
        Ok(())
    }
}

fn base(order_id: Uuid, tenant_id: &str, meta: &FactMeta) -> Result<OrderFactBase, ValueError> {
    Ok(OrderFactBase {
        order_id: OrderId::from_uuid(order_id),
        tenant_id: TenantId::parse(tenant_id)?,
        meta: meta.meta()?,
    })
}

fn item_ids(ids: &[Uuid]) -> Vec<OrderItemId> {
    ids.iter().copied().map(OrderItemId::from_uuid).collect()
}

/// A stable code from downstream text: SCREAMING_SNAKE, starting with a letter.
pub fn reason_code(raw: &str) -> ReasonCode {
    let fallback = || ReasonCode::parse("DOWNSTREAM_FAILURE").expect("a valid literal code");
    if raw.trim().is_empty() {
        return fallback();
    }
    let mut code: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if !code.starts_with(|c: char| c.is_ascii_uppercase()) {
        code = format!("E_{code}").chars().take(80).collect();
    }
    ReasonCode::parse(&code).unwrap_or_else(|_| fallback())
}

pub fn task_started(task: &TaskRow, meta: &FactMeta) -> Result<FulfillmentEvent, EventError> {
    Ok(FulfillmentTaskStarted {
        base: base(task.order_id, &task.tenant_id, meta)?,
        plan_id: PlanId::from_uuid(task.plan_id),
        task_id: TaskId::from_uuid(task.task_id),
        item_ids: item_ids(&task.item_ids),
        attempt: u32::try_from(task.attempt).unwrap_or(0),
        compensates_task_id: task.compensates_task_id.map(TaskId::from_uuid),
    }
    .into())
}

pub fn task_succeeded(task: &TaskRow, meta: &FactMeta) -> Result<FulfillmentEvent, EventError> {
    let level: ExternalEffectLevel = vocab("external effect level", &task.external_effect_level)?;
    Ok(FulfillmentTaskSucceeded {
        base: base(task.order_id, &task.tenant_id, meta)?,
        task_id: TaskId::from_uuid(task.task_id),
        item_ids: item_ids(&task.item_ids),
        external_effect_level: level,
        external_ref: task.external_ref.clone(),
        compensates_task_id: task.compensates_task_id.map(TaskId::from_uuid),
    }
    .into())
}

pub fn task_failed(
    task: &TaskRow,
    code: &str,
    message: &str,
    will_retry: bool,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(FulfillmentTaskFailed {
        base: base(task.order_id, &task.tenant_id, meta)?,
        task_id: TaskId::from_uuid(task.task_id),
        item_ids: item_ids(&task.item_ids),
        code: reason_code(code),
        message: message.to_owned(),
        will_retry,
        attempt: u32::try_from(task.attempt).unwrap_or(0),
        compensates_task_id: task.compensates_task_id.map(TaskId::from_uuid),
    }
    .into())
}

pub fn fallout_raised(
    task: &TaskRow,
    fallout_id: Uuid,
    code: &str,
    message: &str,
    remediation: Option<&str>,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(FalloutRaised {
        base: base(task.order_id, &task.tenant_id, meta)?,
        fallout_id: FalloutId::from_uuid(fallout_id),
        task_id: Some(TaskId::from_uuid(task.task_id)),
        // order-capture links a case to one item; a task serving several links the first
        item_id: task.item_ids.first().copied().map(OrderItemId::from_uuid),
        code: reason_code(code),
        message: message.to_owned(),
        remediation: remediation.map(str::to_owned),
        during_compensation: task.is_compensation(),
    }
    .into())
}

pub fn fallout_resolved(
    case: &FalloutRow,
    resolution: RepairResolution,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(FalloutResolved {
        base: base(case.order_id, &case.tenant_id, meta)?,
        fallout_id: FalloutId::from_uuid(case.fallout_id),
        resolution,
        item_id: case.item_ids.first().copied().map(OrderItemId::from_uuid),
    }
    .into())
}

pub fn item_waived(
    order_id: Uuid,
    tenant_id: &str,
    item_id: Uuid,
    policy_ref: &str,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(FulfillmentItemWaived {
        base: base(order_id, tenant_id, meta)?,
        item_id: OrderItemId::from_uuid(item_id),
        policy_ref: PolicyRef::parse(policy_ref)?,
    }
    .into())
}

/// `OrderItemFulfilled` for an item whose tasks all succeeded (or that had none), with
/// its asset effect (the plan's `item_asset_effect`, else what the action implies): a new,
/// derived asset id for CREATE, none for NONE, the target asset otherwise.
#[derive(Debug)]
pub struct Fulfilled {
    pub event: FulfillmentEvent,
    pub asset_effect: AssetEffect,
    pub asset_id: Option<String>,
}

pub fn item_fulfilled(
    order_id: Uuid,
    tenant_id: &str,
    item_id: Uuid,
    content: &OrderContent,
    progress: &ItemProgress,
    meta: &FactMeta,
) -> Result<Fulfilled, EventError> {
    let item = FulfilledItem::from_content(content, OrderItemId::from_uuid(item_id))
        .ok_or(EventError::UnknownItem(item_id))?;
    // the catalog's word wins (an on-site installation sold as ADD creates no asset)
    let asset_effect = match &progress.asset_effect {
        Some(effect) => vocab("asset effect", effect)?,
        None => item.action.expected_effect(),
    };
    let asset_id = match asset_effect {
        AssetEffect::Create => Some(AssetId::parse(&new_asset_id(order_id, item_id))?),
        AssetEffect::None => None,
        _ => item.target_asset_id.clone(),
    };
    let base = base(order_id, tenant_id, meta)?;
    let activation_date = Some(base.meta.at.date_naive());
    let event = OrderItemFulfilled {
        base,
        item_id: OrderItemId::from_uuid(item_id),
        asset_effect,
        asset_id: asset_id.clone(),
        service_refs: progress.service_refs.clone(),
        resource_refs: progress.resource_refs.clone(),
        activation_date,
        item: Box::new(item),
    };
    Ok(Fulfilled {
        event: event.into(),
        asset_effect,
        asset_id: asset_id.map(|a| a.as_str().to_owned()),
    })
}

/// Fulfillment's assessment of a cancellation request.
pub fn assessment_completed(
    order_id: Uuid,
    tenant_id: &str,
    request_id: Uuid,
    assessment: &PlanAssessment,
    compensated_item_ids: &[Uuid],
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(CancellationAssessmentCompleted {
        base: base(order_id, tenant_id, meta)?,
        request_id: CancellationRequestId::from_uuid(request_id),
        feasibility: assessment.feasibility,
        compensated_item_ids: item_ids(compensated_item_ids),
        blockers: assessment
            .blockers
            .iter()
            .map(oms_domain::change::ChangeBlocker::summary)
            .collect(),
        cancelling_item_ids: assessment.cancelling_item_ids(),
        task_impacts: assessment
            .tasks
            .iter()
            .map(|t| AssessedTask {
                task_id: t.task_id,
                task_type: t.task_type.clone(),
                disposition: t.disposition,
                compensation_task_type: t.compensation_task_type.clone(),
            })
            .collect(),
    }
    .into())
}

/// An item's compensation finished; `reverted`: the effect it had reached, with its asset.
pub fn item_compensated(
    order_id: Uuid,
    tenant_id: &str,
    request_id: Uuid,
    item_id: Uuid,
    content: &OrderContent,
    reverted: (AssetEffect, Option<&str>),
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    let item = FulfilledItem::from_content(content, OrderItemId::from_uuid(item_id))
        .ok_or(EventError::UnknownItem(item_id))?;
    Ok(OrderItemCompensated {
        base: base(order_id, tenant_id, meta)?,
        request_id: CancellationRequestId::from_uuid(request_id),
        item_id: OrderItemId::from_uuid(item_id),
        reverted_effect: reverted.0,
        asset_id: reverted.1.map(AssetId::parse).transpose()?,
        item: Box::new(item),
    }
    .into())
}

pub fn compensation_completed(
    order_id: Uuid,
    tenant_id: &str,
    request_id: Uuid,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(CompensationCompleted {
        base: base(order_id, tenant_id, meta)?,
        request_id: CancellationRequestId::from_uuid(request_id),
    }
    .into())
}

fn task_ids(ids: &[TaskId]) -> Vec<TaskId> {
    ids.to_vec()
}

pub fn plan_amendment_applied(
    order_id: Uuid,
    tenant_id: &str,
    request_id: AmendmentRequestId,
    plan_id: PlanId,
    diff: &ReplanDiff,
    tasks_per_item: std::collections::BTreeMap<OrderItemId, u32>,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(PlanAmendmentApplied {
        base: base(order_id, tenant_id, meta)?,
        request_id,
        plan_id,
        kept_task_ids: task_ids(&diff.keep),
        added_task_ids: task_ids(&diff.add),
        cancelled_task_ids: task_ids(&diff.cancel),
        tasks_per_item,
    }
    .into())
}

pub fn plan_amendment_refused(
    order_id: Uuid,
    tenant_id: &str,
    request_id: AmendmentRequestId,
    blockers: Vec<String>,
    meta: &FactMeta,
) -> Result<FulfillmentEvent, EventError> {
    Ok(PlanAmendmentRefused {
        base: base(order_id, tenant_id, meta)?,
        request_id,
        code: ReasonCode::parse("REPLACED_TASK_STARTED")?,
        blockers,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downstream_codes_become_reason_codes() {
        assert_eq!(reason_code("PORT_EXHAUSTED").as_str(), "PORT_EXHAUSTED");
        assert_eq!(reason_code("timeout after 5s").as_str(), "TIMEOUT_AFTER_5S");
        assert_eq!(reason_code("503").as_str(), "E_503");
        assert_eq!(reason_code("").as_str(), "DOWNSTREAM_FAILURE");
    }
}
