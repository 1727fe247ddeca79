//! Domain `DecompositionEvent` <-> `DecompositionEventV1`. The domain -> contract direction
//! mints the event id: convert once per fact and store the result.

use oms_domain::events::{self as dom, DecompositionEvent};
use oms_domain::value::{AmendmentRequestId, FalloutId, OrderItemId, PlanId, TaskId};
use oms_domain::vocab::ItemInput;
use uuid::Uuid;

use super::{DecompositionEventV1, FulfillmentPlan, PlannedTask};
use crate::common::{FactRecord, actor_and_reason, envelope_of, fact_base};
use crate::error::{MappingError, id, id_opt, ids};

impl From<&DecompositionEvent> for DecompositionEventV1 {
    fn from(event: &DecompositionEvent) -> Self {
        let envelope = envelope_of(event);
        let (actor, reason) = actor_and_reason(oms_domain::DomainEvent::meta(event));
        match event {
            DecompositionEvent::OrderDecomposed(e) => {
                Self::OrderDecomposed(super::OrderDecomposed {
                    envelope,
                    order_id: e.base.order_id.as_uuid(),
                    actor,
                    reason,
                    plan: FulfillmentPlan::from(&e.plan),
                })
            }
            DecompositionEvent::OrderDecompositionFailed(e) => {
                Self::OrderDecompositionFailed(super::OrderDecompositionFailed {
                    envelope,
                    order_id: e.base.order_id.as_uuid(),
                    actor,
                    reason,
                    fallout_id: e.fallout_id.as_uuid(),
                    code: e.code.into(),
                    item_id: e.item_id.map(|i| i.as_uuid()),
                    message: e.message.clone(),
                    remediation: e.remediation.clone(),
                })
            }
            DecompositionEvent::OrderRedecomposed(e) => {
                Self::OrderRedecomposed(super::OrderRedecomposed {
                    envelope,
                    order_id: e.base.order_id.as_uuid(),
                    actor,
                    reason,
                    request_id: e.request_id.as_uuid(),
                    previous_plan_id: e.previous_plan_id.as_uuid(),
                    plan: FulfillmentPlan::from(&e.plan),
                })
            }
            DecompositionEvent::OrderRedecompositionFailed(e) => {
                Self::OrderRedecompositionFailed(super::OrderRedecompositionFailed {
                    envelope,
                    order_id: e.base.order_id.as_uuid(),
                    actor,
                    reason,
                    request_id: e.request_id.as_uuid(),
                    code: e.code.into(),
                    item_id: e.item_id.map(|i| i.as_uuid()),
                    message: e.message.clone(),
                    remediation: e.remediation.clone(),
                })
            }
        }
    }
}

impl From<&dom::FulfillmentPlan> for FulfillmentPlan {
    fn from(plan: &dom::FulfillmentPlan) -> Self {
        Self {
            plan_id: plan.plan_id.as_uuid(),
            rules_version: plan.rules_version.clone(),
            tasks: plan
                .tasks
                .iter()
                .map(|t| PlannedTask {
                    task_id: t.task_id.as_uuid(),
                    item_ids: t.item_ids.iter().map(OrderItemId::as_uuid).collect(),
                    task_type: t.task_type.clone(),
                    target_system: t.target_system.clone(),
                    depends_on: t
                        .depends_on
                        .iter()
                        .map(TaskId::as_uuid)
                        .collect::<Vec<Uuid>>(),
                    reversibility: t.reversibility.into(),
                    external_effect_level: t.external_effect_level.into(),
                    template_key: t.template_key.clone(),
                    compensation_task_type: t.compensation_task_type.clone(),
                    item_milestone: t.item_milestone,
                    item_asset_effect: t.item_asset_effect.map(Into::into),
                    inputs: t
                        .inputs
                        .as_ref()
                        .map(|i| i.iter().map(|x| x.as_str().to_owned()).collect()),
                })
                .collect(),
        }
    }
}

impl FulfillmentPlan {
    pub fn to_domain(&self) -> Result<dom::FulfillmentPlan, MappingError> {
        Ok(dom::FulfillmentPlan {
            plan_id: id("plan.planId", self.plan_id, PlanId::parse)?,
            rules_version: self.rules_version.clone(),
            tasks: self
                .tasks
                .iter()
                .map(|t| {
                    Ok(dom::PlannedTask {
                        task_id: id("plan.tasks.taskId", t.task_id, TaskId::parse)?,
                        item_ids: ids("plan.tasks.itemIds", &t.item_ids, OrderItemId::parse)?,
                        task_type: t.task_type.clone(),
                        target_system: t.target_system.clone(),
                        depends_on: ids("plan.tasks.dependsOn", &t.depends_on, TaskId::parse)?,
                        reversibility: t.reversibility.into(),
                        external_effect_level: t.external_effect_level.into(),
                        template_key: t.template_key.clone(),
                        compensation_task_type: t.compensation_task_type.clone(),
                        item_milestone: t.item_milestone,
                        item_asset_effect: t.item_asset_effect.map(Into::into),
                        inputs: t
                            .inputs
                            .as_ref()
                            .map(|inputs| {
                                inputs
                                    .iter()
                                    .map(|raw| {
                                        ItemInput::parse(raw).ok_or_else(|| {
                                            MappingError::InvalidValue {
                                                field: "plan.tasks.inputs".into(),
                                                source: oms_domain::ValueError::Format {
                                                    field: "inputs",
                                                    detail: format!("unknown item input '{raw}'"),
                                                },
                                            }
                                        })
                                    })
                                    .collect::<Result<Vec<_>, MappingError>>()
                            })
                            .transpose()?,
                    })
                })
                .collect::<Result<_, MappingError>>()?,
        })
    }
}

impl TryFrom<&DecompositionEventV1> for DecompositionEvent {
    type Error = MappingError;

    fn try_from(event: &DecompositionEventV1) -> Result<Self, MappingError> {
        Ok(match event {
            DecompositionEventV1::OrderDecomposed(e) => dom::OrderDecomposed {
                base: fact_base(&e.head())?,
                plan: e.plan.to_domain()?,
            }
            .into(),
            DecompositionEventV1::OrderDecompositionFailed(e) => dom::OrderDecompositionFailed {
                base: fact_base(&e.head())?,
                fallout_id: id("falloutId", e.fallout_id, FalloutId::parse)?,
                code: e.code.into(),
                item_id: id_opt("itemId", e.item_id, OrderItemId::parse)?,
                message: e.message.clone(),
                remediation: e.remediation.clone(),
            }
            .into(),
            DecompositionEventV1::OrderRedecomposed(e) => dom::OrderRedecomposed {
                base: fact_base(&e.head())?,
                request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                previous_plan_id: id("previousPlanId", e.previous_plan_id, PlanId::parse)?,
                plan: e.plan.to_domain()?,
            }
            .into(),
            DecompositionEventV1::OrderRedecompositionFailed(e) => {
                dom::OrderRedecompositionFailed {
                    base: fact_base(&e.head())?,
                    request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                    code: e.code.into(),
                    item_id: id_opt("itemId", e.item_id, OrderItemId::parse)?,
                    message: e.message.clone(),
                    remediation: e.remediation.clone(),
                }
                .into()
            }
        })
    }
}
