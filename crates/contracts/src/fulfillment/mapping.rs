//! Domain `FulfillmentEvent` <-> `FulfillmentEventV1`. The domain -> contract direction
//! mints the event id: convert once per fact and store the result.

use oms_domain::events::{self as dom, FulfillmentEvent};
use oms_domain::value::{
    AccountId, AmendmentRequestId, AssetId, BillingAccountId, CancellationRequestId, CustomerId,
    FalloutId, LineNumber, OrderItemId, PlanId, PolicyRef, Quantity, ReasonCode, TaskId,
};

use super::{FulfilledItem, FulfillmentEventV1};
use crate::common::{
    FactRecord, PriceSnapshot, ProductRef, ServiceAddress, actor_and_reason, envelope_of, fact_base,
};
use crate::error::{
    MappingError, count, count_opt, id, id_opt, ids, parsed, parsed_opt, spelled, unspelled,
};

fn uuids(list: &[OrderItemId]) -> Vec<uuid::Uuid> {
    list.iter().map(OrderItemId::as_uuid).collect()
}

fn task_uuids(list: &[TaskId]) -> Vec<uuid::Uuid> {
    list.iter().map(TaskId::as_uuid).collect()
}

impl From<&dom::FulfilledItem> for FulfilledItem {
    fn from(i: &dom::FulfilledItem) -> Self {
        Self {
            line_number: i64::from(i.line_number),
            action: i.action.into(),
            quantity: i64::from(i.quantity),
            product: ProductRef::from(&i.product),
            target_asset_id: i.target_asset_id.as_ref().map(|a| a.as_str().to_owned()),
            customer_id: i.customer_id.as_str().to_owned(),
            account_id: i.account_id.as_str().to_owned(),
            billing_account_id: i.billing_account_id.as_str().to_owned(),
            configuration: i.configuration.clone(),
            service_address: i.service_address.as_ref().map(ServiceAddress::from),
            price: PriceSnapshot::from(&i.price),
            term_months: i.term_months.map(i64::from),
        }
    }
}

impl FulfilledItem {
    pub fn to_domain(&self) -> Result<dom::FulfilledItem, MappingError> {
        Ok(dom::FulfilledItem {
            line_number: parsed("item.lineNumber", LineNumber::parse(self.line_number))?,
            action: self.action.into(),
            quantity: parsed("item.quantity", Quantity::parse(self.quantity))?,
            product: self.product.to_domain()?,
            target_asset_id: parsed_opt(
                "item.targetAssetId",
                self.target_asset_id.as_ref(),
                AssetId::parse,
            )?,
            customer_id: parsed("item.customerId", CustomerId::parse(&self.customer_id))?,
            account_id: parsed("item.accountId", AccountId::parse(&self.account_id))?,
            billing_account_id: parsed(
                "item.billingAccountId",
                BillingAccountId::parse(&self.billing_account_id),
            )?,
            configuration: self.configuration.clone(),
            service_address: self.service_address.as_ref().map(Into::into),
            price: self.price.to_domain()?,
            term_months: count_opt("item.termMonths", self.term_months)?,
        })
    }
}

impl From<&FulfillmentEvent> for FulfillmentEventV1 {
    fn from(event: &FulfillmentEvent) -> Self {
        let envelope = envelope_of(event);
        let (actor, reason) = actor_and_reason(oms_domain::DomainEvent::meta(event));
        let order_id = event_order_id(event);
        macro_rules! v1 {
            ($ty:ident { $($body:tt)* }) => {
                FulfillmentEventV1::$ty(super::$ty { envelope, order_id, actor, reason, $($body)* })
            };
        }
        match event {
            FulfillmentEvent::FulfillmentTaskStarted(e) => v1!(FulfillmentTaskStarted {
                plan_id: e.plan_id.as_uuid(),
                task_id: e.task_id.as_uuid(),
                item_ids: uuids(&e.item_ids),
                attempt: i64::from(e.attempt),
                compensates_task_id: e.compensates_task_id.map(|t| t.as_uuid()),
            }),
            FulfillmentEvent::FulfillmentTaskSucceeded(e) => v1!(FulfillmentTaskSucceeded {
                task_id: e.task_id.as_uuid(),
                item_ids: uuids(&e.item_ids),
                external_effect_level: e.external_effect_level.into(),
                external_ref: e.external_ref.clone(),
                compensates_task_id: e.compensates_task_id.map(|t| t.as_uuid()),
            }),
            FulfillmentEvent::FulfillmentTaskFailed(e) => v1!(FulfillmentTaskFailed {
                task_id: e.task_id.as_uuid(),
                item_ids: uuids(&e.item_ids),
                code: e.code.as_str().to_owned(),
                message: e.message.clone(),
                will_retry: e.will_retry,
                attempt: i64::from(e.attempt),
                compensates_task_id: e.compensates_task_id.map(|t| t.as_uuid()),
            }),
            FulfillmentEvent::OrderItemFulfilled(e) => v1!(OrderItemFulfilled {
                item_id: e.item_id.as_uuid(),
                asset_effect: e.asset_effect.into(),
                asset_id: e.asset_id.as_ref().map(|a| a.as_str().to_owned()),
                service_refs: e.service_refs.clone(),
                resource_refs: e.resource_refs.clone(),
                activation_date: e.activation_date,
                item: FulfilledItem::from(e.item.as_ref()),
            }),
            FulfillmentEvent::FalloutRaised(e) => v1!(FalloutRaised {
                fallout_id: e.fallout_id.as_uuid(),
                task_id: e.task_id.map(|t| t.as_uuid()),
                item_id: e.item_id.map(|i| i.as_uuid()),
                code: e.code.as_str().to_owned(),
                message: e.message.clone(),
                remediation: e.remediation.clone(),
                during_compensation: e.during_compensation,
            }),
            FulfillmentEvent::FalloutResolved(e) => v1!(FalloutResolved {
                fallout_id: e.fallout_id.as_uuid(),
                resolution: e.resolution.into(),
                item_id: e.item_id.map(|i| i.as_uuid()),
            }),
            FulfillmentEvent::FulfillmentItemWaived(e) => v1!(FulfillmentItemWaived {
                item_id: e.item_id.as_uuid(),
                policy_ref: e.policy_ref.as_str().to_owned(),
            }),
            FulfillmentEvent::CancellationAssessmentCompleted(e) => {
                v1!(CancellationAssessmentCompleted {
                    request_id: e.request_id.as_uuid(),
                    feasibility: e.feasibility.into(),
                    compensated_item_ids: uuids(&e.compensated_item_ids),
                    blockers: e.blockers.clone(),
                    cancelling_item_ids: uuids(&e.cancelling_item_ids),
                    task_impacts: e
                        .task_impacts
                        .iter()
                        .map(|t| super::AssessedTask {
                            task_id: t.task_id.as_uuid(),
                            task_type: t.task_type.clone(),
                            disposition: spelled(&t.disposition),
                            compensation_task_type: t.compensation_task_type.clone(),
                        })
                        .collect(),
                })
            }
            FulfillmentEvent::CompensationCompleted(e) => v1!(CompensationCompleted {
                request_id: e.request_id.as_uuid(),
            }),
            FulfillmentEvent::OrderItemCompensated(e) => v1!(OrderItemCompensated {
                request_id: e.request_id.as_uuid(),
                item_id: e.item_id.as_uuid(),
                reverted_effect: e.reverted_effect.into(),
                asset_id: e.asset_id.as_ref().map(|a| a.as_str().to_owned()),
                item: FulfilledItem::from(e.item.as_ref()),
            }),
            FulfillmentEvent::PlanAmendmentApplied(e) => v1!(PlanAmendmentApplied {
                request_id: e.request_id.as_uuid(),
                plan_id: e.plan_id.as_uuid(),
                kept_task_ids: task_uuids(&e.kept_task_ids),
                added_task_ids: task_uuids(&e.added_task_ids),
                cancelled_task_ids: task_uuids(&e.cancelled_task_ids),
                tasks_per_item: crate::order::task_counts_of(&e.tasks_per_item),
            }),
            FulfillmentEvent::PlanAmendmentRefused(e) => v1!(PlanAmendmentRefused {
                request_id: e.request_id.as_uuid(),
                code: e.code.as_str().to_owned(),
                blockers: e.blockers.clone(),
            }),
        }
    }
}

fn event_order_id(event: &FulfillmentEvent) -> uuid::Uuid {
    let base = match event {
        FulfillmentEvent::FulfillmentTaskStarted(e) => &e.base,
        FulfillmentEvent::FulfillmentTaskSucceeded(e) => &e.base,
        FulfillmentEvent::FulfillmentTaskFailed(e) => &e.base,
        FulfillmentEvent::OrderItemFulfilled(e) => &e.base,
        FulfillmentEvent::FalloutRaised(e) => &e.base,
        FulfillmentEvent::FalloutResolved(e) => &e.base,
        FulfillmentEvent::FulfillmentItemWaived(e) => &e.base,
        FulfillmentEvent::CancellationAssessmentCompleted(e) => &e.base,
        FulfillmentEvent::CompensationCompleted(e) => &e.base,
        FulfillmentEvent::OrderItemCompensated(e) => &e.base,
        FulfillmentEvent::PlanAmendmentApplied(e) => &e.base,
        FulfillmentEvent::PlanAmendmentRefused(e) => &e.base,
    };
    base.order_id.as_uuid()
}

impl TryFrom<&FulfillmentEventV1> for FulfillmentEvent {
    type Error = MappingError;

    fn try_from(event: &FulfillmentEventV1) -> Result<Self, MappingError> {
        let item = |raw| id("itemIds", raw, OrderItemId::parse);
        Ok(match event {
            FulfillmentEventV1::FulfillmentTaskStarted(e) => dom::FulfillmentTaskStarted {
                base: fact_base(&e.head())?,
                plan_id: id("planId", e.plan_id, PlanId::parse)?,
                task_id: id("taskId", e.task_id, TaskId::parse)?,
                item_ids: ids("itemIds", &e.item_ids, OrderItemId::parse)?,
                attempt: count("attempt", e.attempt)?,
                compensates_task_id: id_opt(
                    "compensatesTaskId",
                    e.compensates_task_id,
                    TaskId::parse,
                )?,
            }
            .into(),
            FulfillmentEventV1::FulfillmentTaskSucceeded(e) => dom::FulfillmentTaskSucceeded {
                base: fact_base(&e.head())?,
                task_id: id("taskId", e.task_id, TaskId::parse)?,
                item_ids: ids("itemIds", &e.item_ids, OrderItemId::parse)?,
                external_effect_level: e.external_effect_level.into(),
                external_ref: e.external_ref.clone(),
                compensates_task_id: id_opt(
                    "compensatesTaskId",
                    e.compensates_task_id,
                    TaskId::parse,
                )?,
            }
            .into(),
            FulfillmentEventV1::FulfillmentTaskFailed(e) => dom::FulfillmentTaskFailed {
                base: fact_base(&e.head())?,
                task_id: id("taskId", e.task_id, TaskId::parse)?,
                item_ids: ids("itemIds", &e.item_ids, OrderItemId::parse)?,
                code: parsed("code", ReasonCode::parse(&e.code))?,
                message: e.message.clone(),
                will_retry: e.will_retry,
                attempt: count("attempt", e.attempt)?,
                compensates_task_id: id_opt(
                    "compensatesTaskId",
                    e.compensates_task_id,
                    TaskId::parse,
                )?,
            }
            .into(),
            FulfillmentEventV1::OrderItemFulfilled(e) => dom::OrderItemFulfilled {
                base: fact_base(&e.head())?,
                item_id: item(e.item_id)?,
                asset_effect: e.asset_effect.into(),
                asset_id: parsed_opt("assetId", e.asset_id.as_ref(), AssetId::parse)?,
                service_refs: e.service_refs.clone(),
                resource_refs: e.resource_refs.clone(),
                activation_date: e.activation_date,
                item: Box::new(e.item.to_domain()?),
            }
            .into(),
            FulfillmentEventV1::FalloutRaised(e) => dom::FalloutRaised {
                base: fact_base(&e.head())?,
                fallout_id: id("falloutId", e.fallout_id, FalloutId::parse)?,
                task_id: id_opt("taskId", e.task_id, TaskId::parse)?,
                item_id: id_opt("itemId", e.item_id, OrderItemId::parse)?,
                code: parsed("code", ReasonCode::parse(&e.code))?,
                message: e.message.clone(),
                remediation: e.remediation.clone(),
                during_compensation: e.during_compensation,
            }
            .into(),
            FulfillmentEventV1::FalloutResolved(e) => dom::FalloutResolved {
                base: fact_base(&e.head())?,
                fallout_id: id("falloutId", e.fallout_id, FalloutId::parse)?,
                resolution: e.resolution.into(),
                item_id: id_opt("itemId", e.item_id, OrderItemId::parse)?,
            }
            .into(),
            FulfillmentEventV1::FulfillmentItemWaived(e) => dom::FulfillmentItemWaived {
                base: fact_base(&e.head())?,
                item_id: item(e.item_id)?,
                policy_ref: parsed("policyRef", PolicyRef::parse(&e.policy_ref))?,
            }
            .into(),
            FulfillmentEventV1::CancellationAssessmentCompleted(e) => {
                dom::CancellationAssessmentCompleted {
                    base: fact_base(&e.head())?,
                    request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                    feasibility: e.feasibility.into(),
                    compensated_item_ids: ids(
                        "compensatedItemIds",
                        &e.compensated_item_ids,
                        OrderItemId::parse,
                    )?,
                    blockers: e.blockers.clone(),
                    cancelling_item_ids: ids(
                        "cancellingItemIds",
                        &e.cancelling_item_ids,
                        OrderItemId::parse,
                    )?,
                    task_impacts: e
                        .task_impacts
                        .iter()
                        .map(|t| {
                            Ok(dom::AssessedTask {
                                task_id: id("taskImpacts.taskId", t.task_id, TaskId::parse)?,
                                task_type: t.task_type.clone(),
                                disposition: unspelled("taskImpacts.disposition", &t.disposition)?,
                                compensation_task_type: t.compensation_task_type.clone(),
                            })
                        })
                        .collect::<Result<_, MappingError>>()?,
                }
                .into()
            }
            FulfillmentEventV1::CompensationCompleted(e) => dom::CompensationCompleted {
                base: fact_base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
            }
            .into(),
            FulfillmentEventV1::OrderItemCompensated(e) => dom::OrderItemCompensated {
                base: fact_base(&e.head())?,
                request_id: id("requestId", e.request_id, CancellationRequestId::parse)?,
                item_id: item(e.item_id)?,
                reverted_effect: e.reverted_effect.into(),
                asset_id: parsed_opt("assetId", e.asset_id.as_ref(), AssetId::parse)?,
                item: Box::new(e.item.to_domain()?),
            }
            .into(),
            FulfillmentEventV1::PlanAmendmentApplied(e) => dom::PlanAmendmentApplied {
                base: fact_base(&e.head())?,
                request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                plan_id: id("planId", e.plan_id, PlanId::parse)?,
                kept_task_ids: ids("keptTaskIds", &e.kept_task_ids, TaskId::parse)?,
                added_task_ids: ids("addedTaskIds", &e.added_task_ids, TaskId::parse)?,
                cancelled_task_ids: ids("cancelledTaskIds", &e.cancelled_task_ids, TaskId::parse)?,
                tasks_per_item: crate::order::task_counts_from(&e.tasks_per_item)?,
            }
            .into(),
            FulfillmentEventV1::PlanAmendmentRefused(e) => dom::PlanAmendmentRefused {
                base: fact_base(&e.head())?,
                request_id: id("requestId", e.request_id, AmendmentRequestId::parse)?,
                code: parsed("code", ReasonCode::parse(&e.code))?,
                blockers: e.blockers.clone(),
            }
            .into(),
        })
    }
}
