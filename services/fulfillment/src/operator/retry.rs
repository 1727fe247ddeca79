//! `OPERATOR_RETRY`: a task in FALLOUT (or waiting for a scheduled retry) becomes READY with
//! a fresh retry budget; its open fallout case is resolved as RETRY_ITEM. The engine then
//! dispatches it with the same idempotency key (the failure applied nothing).

use super::{Acting, Operator, OperatorError, reason};
use crate::events;
use crate::model::TaskTrigger;
use crate::store::{self, audit::AuditEntry};
use crate::views::TaskView;
use oms_domain::vocab::RepairResolution;
use uuid::Uuid;

impl Operator {
    pub async fn retry_task(
        &self,
        acting: &Acting,
        order_id: Uuid,
        task_id: Uuid,
        reason_text: &str,
    ) -> Result<TaskView, OperatorError> {
        let entry = AuditEntry {
            tenant_id: &acting.tenant_id,
            order_id,
            task_id: Some(task_id),
            item_id: None,
            action: "RETRY_TASK",
            actor: &acting.actor(),
            reason: reason_text,
            evidence: None,
            correlation_id: acting.correlation_id.as_deref(),
        };
        let result = self
            .retry_in_tx(acting, order_id, task_id, reason_text, &entry)
            .await;
        if let Err(error) = &result {
            self.audit_refusal(&entry, error).await;
        }
        result
    }

    async fn retry_in_tx(
        &self,
        acting: &Acting,
        order_id: Uuid,
        task_id: Uuid,
        reason_text: &str,
        entry: &AuditEntry<'_>,
    ) -> Result<TaskView, OperatorError> {
        let reason = reason(reason_text)?;
        let mut tx = self.pool.begin().await?;
        let order = store::orders::find(&mut tx, &acting.tenant_id, order_id)
            .await?
            .ok_or_else(|| OperatorError::NotFound(format!("order {order_id}")))?;
        let peek = store::tasks::of_task(&mut tx, task_id)
            .await?
            .filter(|t| t.order_id == order_id)
            .ok_or_else(|| {
                OperatorError::NotFound(format!("task {task_id} of order {order_id}"))
            })?;
        store::items::lock(&mut tx, order_id, &peek.item_ids).await?;
        let task = store::tasks::lock_one(&mut tx, task_id)
            .await?
            .ok_or_else(|| OperatorError::NotFound(format!("task {task_id}")))?;
        let mut next = task.after(TaskTrigger::OperatorRetry)?;
        next.attempt_base = task.attempt;
        next.next_attempt_at = None;
        let actor = acting.actor();
        let stored = store::tasks::persist(
            &mut tx,
            &task,
            &next,
            TaskTrigger::OperatorRetry,
            &actor,
            Some(reason.as_str()),
        )
        .await?;
        let meta = acting.meta(&order.correlation_id, &reason)?;
        if let Some(case) =
            store::fallout::resolve_open(&mut tx, task_id, "RETRY_ITEM", &actor).await?
        {
            let resolved = events::fallout_resolved(&case, RepairResolution::RetryItem, &meta)
                .map_err(crate::flow::FlowError::from)?;
            self.flow
                .events()
                .append(&mut tx, &resolved)
                .await
                .map_err(crate::flow::FlowError::from)?;
        }
        store::audit::record(&mut tx, entry, "ACCEPTED").await?;
        self.flow.events().outbox().commit(tx).await?;
        self.waker.wake();
        tracing::info!(%order_id, %task_id, operator = %acting.subject, "task retried by operator");
        Ok(TaskView::from(&stored))
    }
}
