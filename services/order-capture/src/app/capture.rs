//! Capture: from the API (idempotent, 001 §8-10) and from CPQ's `QuoteAccepted`.
//!
//! Both build the capture context, allocate the order number and ids, and let the domain
//! decide `CaptureOrder` (SUBMITTED, then VALIDATED or REJECTED) plus the automatic release
//! for decomposition. They differ in what a rejection is:
//! - API: a 422 answer; nothing is stored but the validation log entry (the client fixes
//!   the request and sends it again);
//! - quote: a REJECTED order with its violations and an `OrderRejected` event, so CPQ and
//!   support see why; the revision counts as converted.
//!
//! The database is the last guard (001 §8.9): a unique violation on the quote revision, the
//! external reference or the asset guard means a concurrent capture won. The API answers
//! it like the rule would have; the consumer retries the record, and the retry finds the
//! winner in its context.

use oms_domain::capture::RuleCode;
use oms_domain::capture::{CaptureOrder, Violation};
use oms_domain::command::{CaptureIds, CaptureOrderCommand};
use oms_domain::lifecycle::OrderState;
use oms_domain::value::{CausationId, CorrelationId, HoldId, OrderId, Reason, TenantId};
use oms_domain::vocab::HoldType;
use oms_domain::{Actor, OrderCommand, OrderEvent, TransitionMeta, request_fingerprint};
use oms_messaging::Outbox;
use sha2::{Digest as _, Sha256};
use sqlx::{PgConnection, PgPool};

use super::persist::{self, Decided, Planner};
use super::{AppError, NewIds, context, now};
use crate::metrics;
use crate::store::idempotency::{self, Reservation};
use crate::store::validation_log::{self, Rejection, Source};
use crate::store::{StoreError, constraint, orders};

/// The idempotency scope's command name of API captures.
pub const CAPTURE_COMMAND: &str = "CAPTURE_ORDER";

/// A hold the caller places at capture, before anything is released (e.g. a pending
/// credit check).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HoldRequest {
    pub hold_type: HoldType,
    pub blocking: bool,
    pub reason: Reason,
}

/// A capture request that passed the protocol and schema layers.
#[derive(Debug, Clone)]
pub struct ApiCapture {
    pub tenant: TenantId,
    pub actor: Actor,
    pub idempotency_key: String,
    pub correlation_id: CorrelationId,
    pub intake: CaptureOrder,
    pub holds: Vec<HoldRequest>,
}

/// What an API capture answers.
#[derive(Debug)]
pub enum ApiCaptureOutcome {
    /// A new order; `body` is the stored response.
    Created {
        order_id: OrderId,
        status: u16,
        body: serde_json::Value,
    },
    /// Same key, same payload: the stored response.
    Replayed {
        status: u16,
        body: serde_json::Value,
    },
    /// Same key, another payload.
    KeyReused,
    /// Validation failed (422); nothing was stored but the validation log.
    Rejected { violations: Vec<Violation> },
    /// The quote revision already has an order (409 with its id).
    QuoteAlreadyConverted { existing_order_id: OrderId },
}

/// SHA-256 over the domain's semantic fingerprint of the intake and the holds requested
/// with it: what "the same payload" means for idempotency (timestamps excluded).
pub fn api_request_hash(intake: &CaptureOrder, holds: &[HoldRequest]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"oms.capture-api.v1\n");
    hasher.update(request_fingerprint(intake).as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(holds).unwrap_or_default());
    hex::encode(hasher.finalize())
}

/// SHA-256 (hex) of an idempotency key, for the validation log.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn rejected_violations(decided: &Decided) -> Option<Vec<Violation>> {
    decided.events().find_map(|e| match e {
        OrderEvent::OrderRejected(r) => Some(r.violations.clone()),
        _ => None,
    })
}

/// Decides the capture (and, when it validated, the holds and automatic follow-ups).
fn plan_capture(
    intake: CaptureOrder,
    context: oms_domain::CaptureContext,
    ids: CaptureIds,
    holds: &[HoldRequest],
    meta: &TransitionMeta,
) -> Result<Decided, AppError> {
    let mut planner = Planner::new(None);
    let command = OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
        ids,
        intake,
        context,
    }));
    planner.apply(command, meta)?;
    if planner
        .order()
        .is_some_and(|o| o.state == OrderState::Validated)
    {
        for hold in holds {
            let command = OrderCommand::PlaceHold {
                hold_id: HoldId::from_uuid(uuid::Uuid::now_v7()),
                hold_type: hold.hold_type,
                blocking: hold.blocking,
            };
            planner.apply(command, &meta.clone().with_reason(hold.reason.clone()))?;
        }
    }
    planner.automatic(meta)?;
    Ok(planner.finish()?)
}

async fn allocate_ids(
    conn: &mut PgConnection,
    intake: &CaptureOrder,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<CaptureIds, AppError> {
    let number = orders::next_order_number(conn, at).await?;
    Ok(CaptureIds::allocate(
        &mut NewIds,
        number,
        intake.items.len(),
    ))
}

/// The API capture, in its own transaction. `render` builds the response body stored for
/// replays.
#[tracing::instrument(skip_all, fields(tenant = %request.tenant, order_id), err)]
pub async fn capture_from_api(
    pool: &PgPool,
    outbox: &Outbox,
    request: ApiCapture,
    render: impl Fn(&oms_domain::Order) -> serde_json::Value,
) -> Result<ApiCaptureOutcome, AppError> {
    let hash = api_request_hash(&request.intake, &request.holds);
    let tenant = &request.tenant;
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let reservation = idempotency::reserve(
        &mut tx,
        tenant,
        CAPTURE_COMMAND,
        &request.idempotency_key,
        &hash,
    )
    .await?;
    if let Reservation::Existing(stored) = reservation {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(if stored.request_hash == hash {
            metrics::idempotency_replayed();
            ApiCaptureOutcome::Replayed {
                status: stored.status,
                body: stored.body,
            }
        } else {
            metrics::idempotency_conflict();
            ApiCaptureOutcome::KeyReused
        });
    }
    let at = now();
    let intake = request.intake.clone();
    let context = context::capture_context(&mut tx, tenant, &intake, at.date_naive()).await?;
    if intake.quote.is_some()
        && let Some(existing_order_id) = context.quote_converted_by
    {
        tx.rollback().await.map_err(StoreError::from)?;
        return Ok(ApiCaptureOutcome::QuoteAlreadyConverted { existing_order_id });
    }
    let ids = allocate_ids(&mut tx, &intake, at).await?;
    let meta = TransitionMeta::new(request.actor.clone(), at, request.correlation_id.clone());
    let decided = plan_capture(intake, context, ids, &request.holds, &meta)?;
    tracing::Span::current().record("order_id", tracing::field::display(decided.after.id));
    if let Some(violations) = rejected_violations(&decided) {
        tx.rollback().await.map_err(StoreError::from)?;
        log_api_rejection(pool, &request, &violations).await?;
        return Ok(ApiCaptureOutcome::Rejected { violations });
    }
    if let Err(error) = Box::pin(persist::write(&mut tx, outbox, &decided)).await {
        tx.rollback().await.map_err(StoreError::from)?;
        return lost_race(pool, &request, error).await;
    }
    let body = render(&decided.after);
    idempotency::complete(
        &mut tx,
        tenant,
        CAPTURE_COMMAND,
        &request.idempotency_key,
        decided.after.id,
        201,
        &body,
    )
    .await?;
    outbox.commit(tx).await.map_err(StoreError::from)?;
    metrics::order_captured("API", &decided.after.capture_mode, false);
    persist::record_metrics(&decided);
    Ok(ApiCaptureOutcome::Created {
        order_id: decided.after.id,
        status: 201,
        body,
    })
}

/// A unique constraint refused the write: a concurrent capture won. Answered as the rule
/// that would have caught it on a later request.
async fn lost_race(
    pool: &PgPool,
    request: &ApiCapture,
    error: AppError,
) -> Result<ApiCaptureOutcome, AppError> {
    let AppError::Store(store) = &error else {
        return Err(error);
    };
    let violation = match store.constraint() {
        Some(constraint::QUOTE_REVISION) => {
            let quote = request.intake.quote.as_ref();
            let mut conn = pool.acquire().await.map_err(StoreError::from)?;
            let existing = match quote {
                Some(q) => {
                    orders::converted_quote(&mut conn, &request.tenant, &q.quote_id, q.revision)
                        .await?
                }
                None => None,
            };
            return match existing {
                Some(existing_order_id) => {
                    Ok(ApiCaptureOutcome::QuoteAlreadyConverted { existing_order_id })
                }
                None => Err(error),
            };
        }
        Some(constraint::EXTERNAL_REF) => RuleCode::DuplicateExternalOrderRef.at(
            "externalOrderRef",
            "another order of this tenant was captured with this external order reference",
        ),
        Some(constraint::ASSET_IN_FLIGHT) => RuleCode::AssetInFlight.at(
            "items",
            "another in-flight order was captured for an asset of this order",
        ),
        _ => return Err(error),
    };
    let violations = vec![violation];
    log_api_rejection(pool, request, &violations).await?;
    Ok(ApiCaptureOutcome::Rejected { violations })
}

async fn log_api_rejection(
    pool: &PgPool,
    request: &ApiCapture,
    violations: &[Violation],
) -> Result<(), AppError> {
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    validation_log::insert(
        &mut conn,
        &Rejection {
            tenant: &request.tenant,
            source: Source::Api,
            capture_mode: request.intake.capture_mode,
            quote: request
                .intake
                .quote
                .as_ref()
                .map(|q| (q.quote_id.as_str(), q.revision)),
            idempotency_key_hash: Some(key_hash(&request.idempotency_key)),
            order_id: None,
            violations,
            correlation_id: request.correlation_id.as_str(),
        },
    )
    .await?;
    metrics::order_captured("API", &request.intake.capture_mode, true);
    metrics::validation_rejected("API", violations);
    Ok(())
}

/// What a `QuoteAccepted` did.
#[derive(Debug)]
pub enum QuoteOutcome {
    /// A new order, VALIDATED (and released) or REJECTED.
    Captured(Box<Decided>),
    /// The revision already has an order: nothing to do.
    AlreadyConverted { existing_order_id: OrderId },
}

/// Captures an accepted quote revision inside the consumer's transaction. `meta` carries
/// the event's time, correlation id and the event id as causation.
#[tracing::instrument(skip_all, fields(tenant = %tenant, order_id), err)]
pub async fn capture_from_quote(
    conn: &mut PgConnection,
    outbox: &Outbox,
    tenant: &TenantId,
    intake: CaptureOrder,
    meta: &TransitionMeta,
) -> Result<QuoteOutcome, AppError> {
    let context = context::capture_context(conn, tenant, &intake, now().date_naive()).await?;
    if let Some(existing_order_id) = context.quote_converted_by {
        return Ok(QuoteOutcome::AlreadyConverted { existing_order_id });
    }
    let ids = allocate_ids(conn, &intake, meta.at).await?;
    let quote = intake.quote.clone();
    let capture_mode = intake.capture_mode;
    let decided = plan_capture(intake, context, ids, &[], meta)?;
    tracing::Span::current().record("order_id", tracing::field::display(decided.after.id));
    Box::pin(persist::write(conn, outbox, &decided)).await?;
    let violations = rejected_violations(&decided);
    if let Some(violations) = &violations {
        validation_log::insert(
            conn,
            &Rejection {
                tenant,
                source: Source::Quote,
                capture_mode,
                quote: quote.as_ref().map(|q| (q.quote_id.as_str(), q.revision)),
                idempotency_key_hash: None,
                order_id: Some(decided.after.id),
                violations,
                correlation_id: meta.correlation_id.as_str(),
            },
        )
        .await?;
        metrics::validation_rejected("QUOTE", violations);
    }
    metrics::order_captured("QUOTE", &capture_mode, violations.is_some());
    Ok(QuoteOutcome::Captured(Box::new(decided)))
}

/// The transition meta of a consumed fact: the reporting service as actor, the event's
/// time and correlation id, the event id as causation.
pub fn fact_meta(
    actor: Actor,
    at: chrono::DateTime<chrono::Utc>,
    correlation_id: &str,
    event_id: uuid::Uuid,
) -> Result<TransitionMeta, oms_domain::ValueError> {
    Ok(
        TransitionMeta::new(actor, at, CorrelationId::parse(correlation_id)?)
            .caused_by(CausationId::parse(&event_id.to_string())?),
    )
}
