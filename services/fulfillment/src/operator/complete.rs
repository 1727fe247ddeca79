//! `OPERATOR_COMPLETE`: the work was done outside the engine (a technician's visit confirmed
//! by phone, a port assigned by hand). The task SUCCEEDS with the operator's evidence as its
//! references; an open fallout case is resolved as RESUME; item results and dependents
//! follow as after any success.

use super::{Acting, Operator, OperatorError, reason};
use crate::downstream::ExternalRefs;
use crate::events;
use crate::flow::FlowError;
use crate::model::TaskTrigger;
use crate::store::{self, audit::AuditEntry};
use crate::views::TaskView;
use oms_domain::vocab::RepairResolution;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What proves the work was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Evidence {
    /// The downstream system's reference for the work (work order, ticket, reservation).
    pub external_ref: String,
    #[serde(default)]
    pub service_refs: Vec<String>,
    #[serde(default)]
    pub resource_refs: Vec<String>,
    /// Free text: who confirmed what, where.
    #[serde(default)]
    pub note: Option<String>,
}

impl Operator {
    pub async fn complete_task(
        &self,
        acting: &Acting,
        order_id: Uuid,
        task_id: Uuid,
        reason_text: &str,
        evidence: &Evidence,
    ) -> Result<TaskView, OperatorError> {
        let evidence_json = serde_json::to_value(evidence).unwrap_or_default();
        let entry = AuditEntry {
            tenant_id: &acting.tenant_id,
            order_id,
            task_id: Some(task_id),
            item_id: None,
            action: "COMPLETE_TASK",
            actor: &acting.actor(),
            reason: reason_text,
            evidence: Some(&evidence_json),
            correlation_id: acting.correlation_id.as_deref(),
        };
        let result = self
            .complete_in_tx(acting, order_id, task_id, reason_text, evidence, &entry)
            .await;
        if let Err(error) = &result {
            self.audit_refusal(&entry, error).await;
        }
        result
    }

    async fn complete_in_tx(
        &self,
        acting: &Acting,
        order_id: Uuid,
        task_id: Uuid,
        reason_text: &str,
        evidence: &Evidence,
        entry: &AuditEntry<'_>,
    ) -> Result<TaskView, OperatorError> {
        let reason = reason(reason_text)?;
        if evidence.external_ref.trim().is_empty() {
            return Err(OperatorError::invalid(
                "evidence.externalRef",
                "BLANK",
                "evidence needs the reference of the work done",
            ));
        }
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
        // refuse before anything is written
        task.after(TaskTrigger::OperatorComplete)?;
        let meta = acting.meta(&order.correlation_id, &reason)?;
        let actor = acting.actor();
        if let Some(case) = store::fallout::resolve_open(&mut tx, task_id, "RESUME", &actor).await?
        {
            let resolved = events::fallout_resolved(&case, RepairResolution::Resume, &meta)
                .map_err(FlowError::from)?;
            self.flow
                .events()
                .append(&mut tx, &resolved)
                .await
                .map_err(FlowError::from)?;
        }
        let refs = ExternalRefs {
            external_ref: Some(evidence.external_ref.clone()),
            service_refs: evidence.service_refs.clone(),
            resource_refs: evidence.resource_refs.clone(),
        };
        let stored = self
            .flow
            .complete(
                &mut tx,
                &task,
                TaskTrigger::OperatorComplete,
                &refs,
                &meta,
                &actor,
            )
            .await?;
        store::audit::record(&mut tx, entry, "ACCEPTED").await?;
        self.flow.events().outbox().commit(tx).await?;
        self.waker.wake();
        tracing::info!(%order_id, %task_id, operator = %acting.subject, "task completed manually");
        Ok(TaskView::from(&stored))
    }
}
