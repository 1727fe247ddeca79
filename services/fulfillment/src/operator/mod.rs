//! Operator actions on fallout (DOMAIN §7: "manual repair is a command with actor and
//! reason, never a direct state edit"): retry a task, complete it manually with evidence,
//! waive an item. Each is a trigger of the task state machine, scoped to the operator's
//! tenant, emits its facts, and is audited in `fulfillment_audit`, also when refused.

mod complete;
mod retry;
mod waive;

pub use complete::Evidence;

use crate::engine::EngineWaker;
use crate::events::FactMeta;
use crate::flow::{Flow, FlowError};
use crate::model::TransitionRefused;
use crate::store::{self, StoreError, audit::AuditEntry};
use oms_domain::meta::Actor;
use oms_domain::value::Reason;
use sqlx::PgPool;

/// Who acts, for which tenant, in which request.
#[derive(Debug, Clone)]
pub struct Acting {
    pub tenant_id: String,
    pub subject: String,
    pub correlation_id: Option<String>,
}

impl Acting {
    /// The actor as written to task history and audit.
    pub fn actor(&self) -> String {
        format!("user:{}", self.subject)
    }

    fn meta(&self, order_correlation: &str, reason: &Reason) -> Result<FactMeta, OperatorError> {
        Ok(FactMeta {
            actor: Actor::user(&self.subject)
                .map_err(|e| OperatorError::invalid("subject", e.code(), e.to_string()))?,
            reason: Some(reason.as_str().to_owned()),
            correlation_id: order_correlation.to_owned(),
            causation_id: self.correlation_id.clone(),
        })
    }
}

/// Why an action was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("{0} not found")]
    NotFound(String),
    /// The state machine or a business rule refused the action (409).
    #[error("{code}: {detail}")]
    Refused { code: &'static str, detail: String },
    /// The request is incomplete (422).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        code: String,
        message: String,
    },
    #[error(transparent)]
    Flow(#[from] FlowError),
}

impl OperatorError {
    pub fn invalid(field: &'static str, code: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    fn refused(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Refused {
            code,
            detail: detail.into(),
        }
    }
}

impl From<StoreError> for OperatorError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refused) => refused.into(),
            other => Self::Flow(FlowError::Store(other)),
        }
    }
}

impl From<sqlx::Error> for OperatorError {
    fn from(error: sqlx::Error) -> Self {
        Self::Flow(FlowError::Store(StoreError::Database(error)))
    }
}

impl From<TransitionRefused> for OperatorError {
    fn from(refused: TransitionRefused) -> Self {
        Self::refused(
            "TASK_TRANSITION_NOT_ALLOWED",
            format!(
                "a {} task does not accept {}",
                refused.from, refused.trigger
            ),
        )
    }
}

/// The operator commands.
#[derive(Debug, Clone)]
pub struct Operator {
    pool: PgPool,
    flow: Flow,
    waker: EngineWaker,
}

impl Operator {
    pub fn new(pool: PgPool, flow: Flow, waker: EngineWaker) -> Self {
        Self { pool, flow, waker }
    }

    /// Records a refused action on its own (the action's transaction rolled back).
    async fn audit_refusal(&self, entry: &AuditEntry<'_>, error: &OperatorError) {
        let OperatorError::Refused { code, .. } = error else {
            return;
        };
        let recorded = async {
            let mut conn = self.pool.acquire().await?;
            store::audit::record(&mut conn, entry, &format!("REFUSED:{code}")).await
        }
        .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "refused operator action not audited");
        }
    }
}

fn reason(raw: &str) -> Result<Reason, OperatorError> {
    Reason::parse(raw).map_err(|e| OperatorError::invalid("reason", e.code(), e.to_string()))
}
