//! `WAIVE`: an audited policy decision that an item is not needed. Tasks serving only waived
//! items stop: not yet run ones are SKIPPED, fallen-out ones FAILED (their fallout case is
//! resolved as WAIVE_ITEM); tasks also serving a live item keep running for it. A waiver
//! never interrupts a call in flight (409 `TASK_IN_FLIGHT`: wait for the answer). The item
//! becomes WAIVED and `FulfillmentItemWaived` tells order-capture, which records it with
//! `OrderCommand::WaiveItem`. Tasks that waited on the stopped ones are released.

use super::{Acting, Operator, OperatorError, reason};
use crate::events;
use crate::flow::FlowError;
use crate::model::{TaskState, TaskTrigger};
use crate::store::{self, audit::AuditEntry, items};
use crate::views::ItemView;
use oms_domain::value::PolicyRef;
use oms_domain::vocab::RepairResolution;
use std::collections::BTreeSet;
use uuid::Uuid;

impl Operator {
    pub async fn waive_item(
        &self,
        acting: &Acting,
        order_id: Uuid,
        item_id: Uuid,
        reason_text: &str,
        policy_ref: &str,
    ) -> Result<ItemView, OperatorError> {
        let evidence = serde_json::json!({ "policyRef": policy_ref });
        let entry = AuditEntry {
            tenant_id: &acting.tenant_id,
            order_id,
            task_id: None,
            item_id: Some(item_id),
            action: "WAIVE_ITEM",
            actor: &acting.actor(),
            reason: reason_text,
            evidence: Some(&evidence),
            correlation_id: acting.correlation_id.as_deref(),
        };
        let result = self
            .waive_in_tx(acting, order_id, item_id, reason_text, policy_ref, &entry)
            .await;
        if let Err(error) = &result {
            self.audit_refusal(&entry, error).await;
        }
        result
    }

    async fn waive_in_tx(
        &self,
        acting: &Acting,
        order_id: Uuid,
        item_id: Uuid,
        reason_text: &str,
        policy_ref: &str,
        entry: &AuditEntry<'_>,
    ) -> Result<ItemView, OperatorError> {
        let reason = reason(reason_text)?;
        PolicyRef::parse(policy_ref)
            .map_err(|e| OperatorError::invalid("policyRef", e.code(), e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        let order = store::orders::find(&mut tx, &acting.tenant_id, order_id)
            .await?
            .ok_or_else(|| OperatorError::NotFound(format!("order {order_id}")))?;
        let Some(plan_id) = order.started_plan_id else {
            return Err(OperatorError::refused(
                "ORDER_NOT_STARTED",
                "fulfillment of this order has not started; nothing to waive yet",
            ));
        };
        // every item of the order, locked (items before tasks)
        let all: Vec<Uuid> = items::of_order(&mut tx, order_id)
            .await?
            .iter()
            .map(|i| i.item_id)
            .collect();
        let locked = items::lock(&mut tx, order_id, &all).await?;
        let item = locked
            .iter()
            .find(|i| i.item_id == item_id)
            .ok_or_else(|| {
                OperatorError::NotFound(format!("item {item_id} of order {order_id}"))
            })?;
        if item.status != items::IN_PROGRESS {
            return Err(OperatorError::refused(
                "ITEM_ALREADY_FINISHED",
                format!("item {item_id} is {} already", item.status),
            ));
        }
        let waived: BTreeSet<Uuid> = locked
            .iter()
            .filter(|i| i.status == items::WAIVED || i.item_id == item_id)
            .map(|i| i.item_id)
            .collect();
        let affected: Vec<Uuid> = store::tasks::of_order(&mut tx, order_id)
            .await?
            .into_iter()
            .filter(|t| {
                t.plan_id == plan_id
                    && t.item_ids.contains(&item_id)
                    && t.item_ids.iter().all(|i| waived.contains(i))
                    && !t.state.is_terminal()
            })
            .map(|t| t.task_id)
            .collect();
        let tasks = store::tasks::lock(&mut tx, &affected).await?;
        if let Some(busy) = tasks.iter().find(|t| t.state.is_in_flight()) {
            return Err(OperatorError::refused(
                "TASK_IN_FLIGHT",
                format!(
                    "task {} is {} at {}; waive once it answered",
                    busy.task_id, busy.state, busy.target_system
                ),
            ));
        }
        let meta = acting.meta(&order.correlation_id, &reason)?;
        let actor = acting.actor();
        let mut stopped = Vec::new();
        for task in tasks.iter().filter(|t| !t.state.is_terminal()) {
            let next = task.after(TaskTrigger::Waive)?;
            store::tasks::persist(
                &mut tx,
                task,
                &next,
                TaskTrigger::Waive,
                &actor,
                Some(reason.as_str()),
            )
            .await?;
            if task.state == TaskState::Fallout
                && let Some(case) =
                    store::fallout::resolve_open(&mut tx, task.task_id, "WAIVE_ITEM", &actor)
                        .await?
            {
                let resolved = events::fallout_resolved(&case, RepairResolution::WaiveItem, &meta)
                    .map_err(FlowError::from)?;
                self.flow
                    .events()
                    .append(&mut tx, &resolved)
                    .await
                    .map_err(FlowError::from)?;
            }
            stopped.push(task.task_id);
        }
        items::finish(&mut tx, order_id, item_id, items::WAIVED, None, None).await?;
        let fact = events::item_waived(order_id, &order.tenant_id, item_id, policy_ref, &meta)
            .map_err(FlowError::from)?;
        self.flow
            .events()
            .append(&mut tx, &fact)
            .await
            .map_err(FlowError::from)?;
        if !stopped.is_empty() {
            self.flow
                .promote(&mut tx, order_id, &stopped, &actor)
                .await?;
        }
        store::audit::record(&mut tx, entry, "ACCEPTED").await?;
        self.flow.events().outbox().commit(tx).await?;
        self.waker.wake();
        tracing::info!(%order_id, %item_id, stopped = stopped.len(), operator = %acting.subject, "item waived");
        Ok(ItemView {
            item_id,
            status: items::WAIVED.to_owned(),
            asset_effect: None,
            asset_id: None,
            finished_at: Some(chrono::Utc::now()),
        })
    }
}
