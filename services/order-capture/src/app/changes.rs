//! Changing an order in flight (ADR 0008): dry runs and requests of cancellations and
//! amendments, and the operator's review of a cancellation that needs one.
//!
//! A dry run loads the order and its execution view and asks the domain (`assess_*`), which
//! writes nothing; its version is `<order version>.<execution version>`. A request does the
//! same in a transaction, refuses a stale `expected_version` (409 ASSESSMENT_STALE), decides
//! the command (which assesses again, on the same data), writes the order and the request
//! row, and commits. A refused request is recorded too, in its own transaction, with the
//! blockers it was refused for.

use oms_domain::change::{
    AmendmentAssessment, AmendmentChange, CancellationAssessment, CancellationSpec, ExecutionView,
    assess_amendment, assess_cancellation,
};
use oms_domain::command::{RequestAmendment, RequestCancellation};
use oms_domain::value::{AmendmentRequestId, CancellationRequestId, OrderId, ReasonCode, TenantId};
use oms_domain::{DomainError, Order, OrderCommand, TransitionMeta};
use oms_messaging::Outbox;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::AppError;
use super::commands::execute_loaded;
use super::persist;
use crate::metrics;
use crate::store::changes::{self, Kind, NewRequest, StoredRequest};
use crate::store::idempotency::{self, Reservation};
use crate::store::{StoreError, execution, orders};

/// Why a request was not accepted (beyond the domain's refusals).
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    App(#[from] AppError),
    /// The order or its tasks moved since the dry run the request refers to.
    #[error("the assessment {expected} is stale: the order is at {current}")]
    Stale { expected: String, current: String },
}

impl From<StoreError> for ChangeError {
    fn from(error: StoreError) -> Self {
        Self::App(AppError::Store(error))
    }
}

impl From<DomainError> for ChangeError {
    fn from(error: DomainError) -> Self {
        Self::App(AppError::Domain(error))
    }
}

/// The version a dry run answers with and a request may carry.
pub fn assessment_version(order: &Order, view: &ExecutionView) -> String {
    format!("{}.{}", order.version, view.version)
}

async fn loaded(
    conn: &mut PgConnection,
    tenant: &TenantId,
    order_id: OrderId,
) -> Result<(Order, ExecutionView), ChangeError> {
    let order = orders::load_for_tenant(conn, tenant, order_id)
        .await?
        .ok_or(AppError::OrderNotFound)?;
    let view = execution::view(conn, order_id).await?;
    Ok((order, view))
}

/// A dry run of a cancellation.
pub async fn assess_cancellation_now(
    pool: &PgPool,
    tenant: &TenantId,
    order_id: OrderId,
    spec: &CancellationSpec,
) -> Result<(CancellationAssessment, String), ChangeError> {
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    let (order, view) = loaded(&mut conn, tenant, order_id).await?;
    if order.state == oms_domain::OrderState::Completed {
        return Err(DomainError::CompletedOrderNotCancellable { order_id }.into());
    }
    let assessment = assess_cancellation(&order, &view, spec)?;
    Ok((assessment, assessment_version(&order, &view)))
}

/// A dry run of an amendment.
pub async fn assess_amendment_now(
    pool: &PgPool,
    tenant: &TenantId,
    order_id: OrderId,
    changes: &[AmendmentChange],
) -> Result<(AmendmentAssessment, String), ChangeError> {
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    let (order, view) = loaded(&mut conn, tenant, order_id).await?;
    let assessment = assess_amendment(&order, &view, changes)?;
    Ok((assessment, assessment_version(&order, &view)))
}

/// What a request asks for, beyond its kind.
#[derive(Debug, Clone)]
pub struct ChangeRequest<T> {
    pub request_id: Uuid,
    pub reason_code: ReasonCode,
    pub what: T,
    /// The dry run's version the caller saw (`If-Match`); `None`: no check.
    pub expected_version: Option<String>,
    /// `Idempotency-Key` and the hash of the request's semantic payload.
    pub idempotency: Option<(String, String)>,
}

/// What the API answers for an accepted request (and stores for an idempotent replay).
#[derive(Debug, Clone)]
pub struct ChangeReply<'a> {
    pub request_id: Uuid,
    pub status: &'static str,
    pub order: &'a Order,
    pub assessment_version: &'a str,
}

/// Builds the response (status code, body) of an accepted request.
pub type Responder = fn(&ChangeReply<'_>) -> (u16, serde_json::Value);

#[derive(Debug)]
pub enum ChangeOutcome {
    Accepted {
        status: u16,
        body: serde_json::Value,
    },
    /// The same key and payload were answered before: the stored answer.
    Replayed {
        status: u16,
        body: serde_json::Value,
    },
    /// The key was used with another payload.
    KeyReused,
}

fn stale_check(expected: Option<&String>, current: &str) -> Result<(), ChangeError> {
    match expected {
        Some(expected) if expected != current => Err(ChangeError::Stale {
            expected: expected.clone(),
            current: current.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Records a request refused by the domain, in its own transaction (the refusal rolled the
/// command's back), so the audit trail keeps every request.
async fn record_refused(pool: &PgPool, new: NewRequest<'_>) -> Result<(), ChangeError> {
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    changes::insert(&mut tx, &new).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

fn blockers_json(error: &DomainError) -> Option<serde_json::Value> {
    match error {
        DomainError::OrderNotCancellable { blockers }
        | DomainError::AmendmentBlocked { blockers, .. } => serde_json::to_value(blockers).ok(),
        other => Some(serde_json::json!([{ "code": other.code(), "message": other.to_string() }])),
    }
}

type CommandFor<'a> = Box<dyn FnOnce(&ExecutionView) -> OrderCommand + Send + 'a>;
type Preview<'a> = Box<dyn FnOnce(&Order, &ExecutionView) -> serde_json::Value + Send + 'a>;

/// The kind-specific parts of a request.
struct Spec<'a> {
    kind: Kind,
    /// The idempotency scope (command name) of the kind.
    command: &'static str,
    body: serde_json::Value,
    force_manual_review: bool,
    command_for: CommandFor<'a>,
    preview: Preview<'a>,
    accepted_status: fn(&persist::Decided) -> &'static str,
}

/// `POST .../cancellation-requests`.
pub async fn request_cancellation(
    pool: &PgPool,
    outbox: &Outbox,
    tenant: &TenantId,
    order_id: OrderId,
    request: ChangeRequest<CancellationSpec>,
    meta: &TransitionMeta,
    respond: Responder,
) -> Result<ChangeOutcome, ChangeError> {
    let spec = request.what.clone();
    let preview_spec = request.what.clone();
    let request_id = request.request_id;
    let reason_code = request.reason_code.clone();
    let parts = Spec {
        kind: Kind::Cancellation,
        command: "request-cancellation",
        body: serde_json::to_value(&request.what.scope).unwrap_or_default(),
        force_manual_review: request.what.force_manual_review,
        command_for: Box::new(move |view| {
            OrderCommand::RequestCancellation(Box::new(RequestCancellation {
                request_id: CancellationRequestId::from_uuid(request_id),
                reason_code,
                spec,
                execution: view.clone(),
            }))
        }),
        preview: Box::new(move |order, view| {
            serde_json::to_value(assess_cancellation(order, view, &preview_spec).ok())
                .unwrap_or_default()
        }),
        accepted_status: |decided| {
            if decided
                .events()
                .any(|e| matches!(e, oms_domain::OrderEvent::OrderCancelled(_)))
            {
                "CANCELLED"
            } else {
                "ACCEPTED_FOR_ASSESSMENT"
            }
        },
    };
    Box::pin(request_change(
        pool, outbox, tenant, order_id, &request, parts, meta, respond,
    ))
    .await
}

/// `POST .../amendment-requests`.
pub async fn request_amendment(
    pool: &PgPool,
    outbox: &Outbox,
    tenant: &TenantId,
    order_id: OrderId,
    request: ChangeRequest<Vec<AmendmentChange>>,
    meta: &TransitionMeta,
    respond: Responder,
) -> Result<ChangeOutcome, ChangeError> {
    let changes = request.what.clone();
    let preview_changes = request.what.clone();
    let request_id = request.request_id;
    let reason_code = request.reason_code.clone();
    let parts = Spec {
        kind: Kind::Amendment,
        command: "request-amendment",
        body: serde_json::to_value(&request.what).unwrap_or_default(),
        force_manual_review: false,
        command_for: Box::new(move |view| {
            OrderCommand::RequestAmendment(Box::new(RequestAmendment {
                request_id: AmendmentRequestId::from_uuid(request_id),
                reason_code,
                changes,
                execution: view.clone(),
            }))
        }),
        preview: Box::new(move |order, view| {
            assess_amendment(order, view, &preview_changes)
                .ok()
                .as_ref()
                .map(amendment_summary)
                .unwrap_or_default()
        }),
        accepted_status: |decided| {
            if decided
                .events()
                .any(|e| matches!(e, oms_domain::OrderEvent::OrderAmendmentApplied(_)))
            {
                "APPLIED"
            } else {
                "AWAITING_REPLAN"
            }
        },
    };
    Box::pin(request_change(
        pool, outbox, tenant, order_id, &request, parts, meta, respond,
    ))
    .await
}

#[allow(clippy::too_many_arguments)]
async fn request_change<T>(
    pool: &PgPool,
    outbox: &Outbox,
    tenant: &TenantId,
    order_id: OrderId,
    request: &ChangeRequest<T>,
    spec: Spec<'_>,
    meta: &TransitionMeta,
    respond: Responder,
) -> Result<ChangeOutcome, ChangeError> {
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    if let Some((key, hash)) = &request.idempotency {
        match idempotency::reserve(&mut tx, tenant, spec.command, key, hash).await? {
            Reservation::Reserved => {}
            Reservation::Existing(stored) if &stored.request_hash == hash => {
                return Ok(ChangeOutcome::Replayed {
                    status: stored.status,
                    body: stored.body,
                });
            }
            Reservation::Existing(_) => return Ok(ChangeOutcome::KeyReused),
        }
    }
    let (order, view) = loaded(&mut tx, tenant, order_id).await?;
    let version = assessment_version(&order, &view);
    stale_check(request.expected_version.as_ref(), &version)?;
    let assessment = (spec.preview)(&order, &view);
    let command = (spec.command_for)(&view);
    let actor = meta.actor.id().to_owned();
    let reason = meta.reason.as_ref().map(oms_domain::value::Reason::as_str);
    let row = |status: &'static str, outcome: Option<serde_json::Value>| NewRequest {
        kind: spec.kind,
        request_id: request.request_id,
        tenant,
        order_id,
        reason_code: request.reason_code.as_str(),
        reason,
        requested_by: &actor,
        body: spec.body.clone(),
        force_manual_review: spec.force_manual_review,
        status,
        assessment: assessment.clone(),
        assessment_version: &version,
        outcome,
        correlation_id: meta.correlation_id.as_str(),
    };
    let kind = if spec.kind == Kind::Cancellation {
        "cancellation"
    } else {
        "amendment"
    };
    let decided = match execute_loaded(&mut tx, outbox, order, command, meta).await {
        Ok(decided) => decided,
        Err(AppError::Domain(error)) => {
            drop(tx);
            record_refused(pool, row("REFUSED", blockers_json(&error))).await?;
            metrics::change_request(kind, "refused");
            return Err(error.into());
        }
        Err(other) => return Err(other.into()),
    };
    let status = (spec.accepted_status)(&decided);
    changes::insert(&mut tx, &row(status, None)).await?;
    let (code, body) = respond(&ChangeReply {
        request_id: request.request_id,
        status,
        order: &decided.after,
        assessment_version: &version,
    });
    if let Some((key, _)) = &request.idempotency {
        idempotency::complete(&mut tx, tenant, spec.command, key, order_id, code, &body).await?;
    }
    outbox.commit(tx).await.map_err(StoreError::from)?;
    persist::record_metrics(&decided);
    metrics::change_request(kind, "accepted");
    Ok(ChangeOutcome::Accepted { status: code, body })
}

/// A stored request of the tenant's order.
pub async fn find_request(
    pool: &PgPool,
    kind: Kind,
    tenant: &TenantId,
    order_id: OrderId,
    request_id: Uuid,
) -> Result<Option<StoredRequest>, ChangeError> {
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    orders::load_for_tenant(&mut conn, tenant, order_id)
        .await?
        .ok_or(AppError::OrderNotFound)?;
    Ok(changes::find(&mut conn, kind, tenant, order_id, request_id).await?)
}

/// The stored form of an amendment assessment (without the full content after, which the
/// order carries once applied).
pub fn amendment_summary(a: &AmendmentAssessment) -> serde_json::Value {
    let mut value = serde_json::to_value(a).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("contentAfter");
    }
    value
}
