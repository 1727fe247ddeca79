//! `OrderDecomposed`: stores the plan and its tasks (PENDING), then starts it if the order
//! was already released. A redelivered plan finds its rows and changes nothing.

use super::start::{check_tenant, try_start};
use crate::events::FactMeta;
use crate::flow::Flow;
use crate::store::{self, orders, spelling, tasks::NewTask};
use oms_contracts::DecompositionEventV1;
use oms_domain::events::{DecompositionEvent, FulfillmentPlan};
use oms_domain::meta::Actor;
use oms_domain::value::{OrderItemId, TaskId};
use oms_messaging::{Handler, HandlerError, MessageContext};
use sqlx::PgConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

/// Consumes `oms.decomposition.events.v1`.
#[derive(Debug, Clone)]
pub struct PlanHandler {
    flow: Flow,
}

impl PlanHandler {
    pub fn new(flow: Flow) -> Self {
        Self { flow }
    }
}

/// Refuses plans that could never run: a dependency on a task outside the plan, a task
/// depending on itself, a task without items, or a dependency cycle.
fn check_plan(plan: &FulfillmentPlan) -> Result<(), HandlerError> {
    let invalid = |detail: String| HandlerError::permanent("PLAN_INVALID", detail);
    let ids: BTreeSet<Uuid> = plan.tasks.iter().map(|t| t.task_id.as_uuid()).collect();
    if ids.len() != plan.tasks.len() {
        return Err(invalid(format!("plan {} repeats a task id", plan.plan_id)));
    }
    for task in &plan.tasks {
        if task.item_ids.is_empty() {
            return Err(invalid(format!("task {} serves no item", task.task_id)));
        }
        if let Some(dep) = task.depends_on.iter().find(|d| !ids.contains(&d.as_uuid())) {
            return Err(invalid(format!(
                "task {} depends on {dep}, which is not in the plan",
                task.task_id
            )));
        }
    }
    // Kahn's algorithm: every task must become runnable eventually.
    let mut done: BTreeSet<Uuid> = BTreeSet::new();
    loop {
        let before = done.len();
        for task in &plan.tasks {
            if task.depends_on.iter().all(|d| done.contains(&d.as_uuid())) {
                done.insert(task.task_id.as_uuid());
            }
        }
        if done.len() == ids.len() {
            return Ok(());
        }
        if done.len() == before {
            return Err(invalid(format!(
                "plan {} has a dependency cycle",
                plan.plan_id
            )));
        }
    }
}

impl Handler for PlanHandler {
    type Event = DecompositionEventV1;

    async fn handle(
        &self,
        conn: &mut PgConnection,
        event: &DecompositionEventV1,
        ctx: &MessageContext,
    ) -> Result<(), HandlerError> {
        let decomposed = match DecompositionEvent::try_from(event)? {
            DecompositionEvent::OrderDecomposed(decomposed) => decomposed,
            DecompositionEvent::OrderRedecomposed(replanned) => {
                check_plan(&replanned.plan)?;
                let order_id = replanned.base.order_id.as_uuid();
                let order = orders::lock(conn, order_id)
                    .await
                    .map_err(super::store_error)?
                    .ok_or_else(|| {
                        HandlerError::permanent(
                            "ORDER_UNKNOWN",
                            format!("a re-plan of order {order_id}, which fulfillment never saw"),
                        )
                    })?;
                check_tenant(&order, replanned.base.tenant_id.as_str())?;
                let meta = crate::change::caused_by(&order.correlation_id, ctx.envelope.event_id);
                return crate::change::amend::redecomposed(conn, &self.flow, &replanned, &meta)
                    .await
                    .map_err(super::handler_error);
            }
            DecompositionEvent::OrderRedecompositionFailed(failed) => {
                let order_id = failed.base.order_id.as_uuid();
                if let Some(order) = orders::lock(conn, order_id)
                    .await
                    .map_err(super::store_error)?
                {
                    check_tenant(&order, failed.base.tenant_id.as_str())?;
                    let meta =
                        crate::change::caused_by(&order.correlation_id, ctx.envelope.event_id);
                    crate::change::amend::redecomposition_failed(
                        conn,
                        order_id,
                        failed.request_id.as_uuid(),
                        failed.base.tenant_id.as_str(),
                        &meta,
                    )
                    .await
                    .map_err(super::handler_error)?;
                }
                return Ok(());
            }
            DecompositionEvent::OrderDecompositionFailed(_) => return Ok(()),
        };
        let plan = &decomposed.plan;
        check_plan(plan)?;
        let order_id = decomposed.base.order_id.as_uuid();
        let tenant_id = decomposed.base.tenant_id.as_str();
        let correlation_id = decomposed.base.meta.correlation_id.as_str();
        orders::ensure(conn, order_id, tenant_id, correlation_id)
            .await
            .map_err(super::store_error)?;
        let order = orders::lock(conn, order_id)
            .await
            .map_err(super::store_error)?
            .ok_or_else(|| HandlerError::transient(anyhow::anyhow!("order row missing")))?;
        check_tenant(&order, tenant_id)?;
        let plan_id = plan.plan_id.as_uuid();
        let new_plan = orders::insert_plan(conn, plan_id, order_id, tenant_id, &plan.rules_version)
            .await
            .map_err(super::store_error)?;
        if new_plan {
            for task in &plan.tasks {
                let new_task = NewTask {
                    task_id: task.task_id.as_uuid(),
                    plan_id,
                    order_id,
                    tenant_id: tenant_id.to_owned(),
                    item_ids: task.item_ids.iter().map(OrderItemId::as_uuid).collect(),
                    task_type: task.task_type.clone(),
                    target_system: task.target_system.clone(),
                    depends_on: task.depends_on.iter().map(TaskId::as_uuid).collect(),
                    reversibility: spelling(&task.reversibility),
                    external_effect_level: spelling(&task.external_effect_level),
                    template_key: task.template_key.clone(),
                    compensation_task_type: task.compensation_task_type.clone(),
                    item_milestone: task.item_milestone,
                    item_asset_effect: task.item_asset_effect.as_ref().map(spelling),
                    inputs: task
                        .inputs
                        .as_ref()
                        .map(|i| i.iter().map(|x| x.as_str().to_owned()).collect()),
                    compensation: None,
                };
                if !store::tasks::insert(conn, &new_task)
                    .await
                    .map_err(super::store_error)?
                {
                    return Err(HandlerError::permanent(
                        "TASK_ID_TAKEN",
                        format!(
                            "task {} of plan {plan_id} exists in another plan",
                            task.task_id
                        ),
                    ));
                }
            }
            tracing::info!(%order_id, %plan_id, tasks = plan.tasks.len(), rules_version = %plan.rules_version, "plan stored");
        }
        let meta = FactMeta {
            actor: Actor::service("fulfillment"),
            reason: None,
            correlation_id: order.correlation_id.clone(),
            causation_id: Some(ctx.envelope.event_id.to_string()),
        };
        try_start(conn, &self.flow, order_id, &meta).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_domain::events::PlannedTask;
    use oms_domain::value::PlanId;
    use oms_domain::vocab::{ExternalEffectLevel, TaskReversibility};

    fn task(id: u128, deps: &[u128]) -> PlannedTask {
        PlannedTask {
            task_id: TaskId::from_uuid(Uuid::from_u128(id)),
            item_ids: vec![OrderItemId::from_uuid(Uuid::from_u128(100))],
            task_type: "RESERVE_ACCESS_PORT".into(),
            target_system: "INVENTORY".into(),
            depends_on: deps
                .iter()
                .map(|d| TaskId::from_uuid(Uuid::from_u128(*d)))
                .collect(),
            reversibility: TaskReversibility::Automatic,
            external_effect_level: ExternalEffectLevel::ReservationOnly,
            template_key: None,
            compensation_task_type: Some("RELEASE_RESERVATION".into()),
            item_milestone: None,
            item_asset_effect: None,
            inputs: None,
        }
    }

    fn plan(tasks: Vec<PlannedTask>) -> FulfillmentPlan {
        FulfillmentPlan {
            plan_id: PlanId::from_uuid(Uuid::from_u128(9)),
            rules_version: "1".into(),
            tasks,
        }
    }

    fn code(result: Result<(), HandlerError>) -> Option<String> {
        match result {
            Ok(()) => None,
            Err(HandlerError::Permanent { code, .. }) => Some(code),
            Err(HandlerError::Transient(e)) => panic!("unexpected transient: {e}"),
        }
    }

    #[test]
    fn runnable_plans_pass_and_broken_ones_are_refused() {
        assert_eq!(
            code(check_plan(&plan(vec![
                task(1, &[]),
                task(2, &[1]),
                task(3, &[1, 2])
            ]))),
            None
        );
        assert_eq!(
            code(check_plan(&plan(vec![task(1, &[2])]))).as_deref(),
            Some("PLAN_INVALID")
        );
        assert_eq!(
            code(check_plan(&plan(vec![task(1, &[1])]))).as_deref(),
            Some("PLAN_INVALID")
        );
        assert_eq!(
            code(check_plan(&plan(vec![task(1, &[2]), task(2, &[1])]))).as_deref(),
            Some("PLAN_INVALID")
        );
        assert_eq!(
            code(check_plan(&plan(vec![task(1, &[]), task(1, &[])]))).as_deref(),
            Some("PLAN_INVALID")
        );
    }
}
