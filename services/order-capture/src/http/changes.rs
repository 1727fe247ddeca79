//! Changing an order in flight (004 §9, §14, §25; ADR 0008): cancellation and amendment
//! requests with their dry runs, the operator's review of a cancellation, supplemental orders
//! and the related-orders view.
//!
//! - A dry run (`.../cancellation-assessments`, `.../amendment-assessments`) answers the full
//!   impact and its `assessmentVersion` (also as `ETag`) and changes nothing.
//! - A request may carry that version as `If-Match`; when the order or its tasks moved in
//!   between it is refused with 409 `ASSESSMENT_STALE`. It may carry an `Idempotency-Key`
//!   (same key and payload: the stored answer; another payload: 409).
//! - Refusals keep the domain's stable code and list the blockers, each with a remediation.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oms_domain::capture::RelationInput;
use oms_domain::value::{CancellationRequestId, OrderId, Reason, ReasonCode, TenantId};
use oms_domain::vocab::{CaptureMode, RelationType};
use oms_domain::{OrderCommand, TransitionMeta};
use oms_runtime::http::auth::scopes;
use oms_runtime::http::{
    ApiError, Caller, CorrelationId, Json, Problem, Violation as FieldViolation,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::change_dto::{AmendmentBody, CancellationBody, ReviewBody};
use super::dto::CaptureOrderRequest;
use super::error::{HttpError, order_not_found};
use super::orders::{IDEMPOTENT_REPLAYED, check_request, correlation, idempotency_key, stored};
use super::{AppState, actor, order_id, tenant_with_scope, views};
use crate::app::capture::{self, ApiCapture, ApiCaptureOutcome};
use crate::app::changes::{
    self, ChangeError, ChangeOutcome, ChangeReply, ChangeRequest, amendment_summary,
};
use crate::app::{AppError, commands, now};
use crate::store::changes::Kind;
use crate::store::changes::{RelatedOrder, StoredRequest};
use crate::store::{StoreError, orders, wire};
use oms_domain::change::CancellationAssessment;
use oms_domain::order::OrderContent;
use serde::Serialize;
use utoipa::ToSchema;

impl From<ChangeError> for HttpError {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::App(app) => app.into(),
            ChangeError::Stale { expected, current } => {
                Problem::new(StatusCode::CONFLICT, "ASSESSMENT_STALE")
                    .title("The order moved since the assessment")
                    .detail(format!(
                        "The request refers to assessment {expected}, the order is at {current}: assess again and resubmit."
                    ))
                    .extension("currentAssessmentVersion", current)
                    .into()
            }
        }
    }
}

fn invalid(violations: Vec<FieldViolation>) -> HttpError {
    HttpError::Api(ApiError::validation(violations))
}

fn reason_code(raw: &str) -> Result<ReasonCode, HttpError> {
    ReasonCode::parse(raw).map_err(|e| {
        invalid(vec![FieldViolation::new(
            "reasonCode",
            e.code(),
            e.to_string(),
        )])
    })
}

fn meta(
    caller: &Caller,
    correlation_id: &CorrelationId,
    reason: Option<&str>,
) -> Result<TransitionMeta, HttpError> {
    let mut meta = TransitionMeta::new(actor(caller)?, now(), correlation(correlation_id)?);
    if let Some(raw) = reason.filter(|r| !r.trim().is_empty()) {
        let reason = Reason::parse(raw)
            .map_err(|e| invalid(vec![FieldViolation::new("reason", e.code(), e.to_string())]))?;
        meta = meta.with_reason(reason);
    }
    Ok(meta)
}

/// `If-Match: "<assessmentVersion>"` (quotes optional).
fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty() && v != "*")
}

/// The optional `Idempotency-Key` with the hash of the semantic payload.
fn idempotency(
    headers: &HeaderMap,
    order_id: OrderId,
    payload: &impl serde::Serialize,
) -> Result<Option<(String, String)>, HttpError> {
    if headers.get(super::orders::IDEMPOTENCY_KEY).is_none() {
        return Ok(None);
    }
    let key = idempotency_key(headers)?;
    let mut hasher = Sha256::new();
    hasher.update(order_id.to_string());
    hasher.update(serde_json::to_vec(payload).unwrap_or_default());
    Ok(Some((key, hex::encode(hasher.finalize()))))
}

fn with_etag(mut response: Response, version: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

fn outcome(outcome: ChangeOutcome) -> Result<Response, HttpError> {
    match outcome {
        ChangeOutcome::Accepted { status, body } => Ok(stored(status, body, false)),
        ChangeOutcome::Replayed { status, body } => {
            let mut response = stored(status, body, true);
            response
                .headers_mut()
                .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
            Ok(response)
        }
        ChangeOutcome::KeyReused => Err(Problem::new(
            StatusCode::CONFLICT,
            "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD",
        )
        .detail("This Idempotency-Key was used with another request; use a new key.")
        .into()),
    }
}

/// A cancellation dry run: the assessment and its version (also the `ETag`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CancellationAssessmentView<'a> {
    #[schema(value_type = String, format = Uuid)]
    order_id: OrderId,
    /// Pass it back as `If-Match` on the request.
    assessment_version: &'a str,
    /// Feasibility, items, compensation, charges (the domain's form).
    #[schema(value_type = Object)]
    assessment: &'a CancellationAssessment,
}

/// An amendment dry run: the assessment, its version (also the `ETag`) and the content after.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AmendmentAssessmentView<'a> {
    #[schema(value_type = String, format = Uuid)]
    order_id: OrderId,
    assessment_version: &'a str,
    /// Feasibility, impacts, price effect (the domain's form, without `contentAfter`).
    #[schema(value_type = Object)]
    assessment: serde_json::Value,
    /// The order's header and items as they would be after the changes.
    #[schema(value_type = Object)]
    content_after: &'a OrderContent,
}

/// The answer to a cancellation or amendment request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeReplyView {
    /// Set on a cancellation request.
    #[serde(skip_serializing_if = "Option::is_none")]
    cancellation_request_id: Option<Uuid>,
    /// Set on an amendment request.
    #[serde(skip_serializing_if = "Option::is_none")]
    amendment_request_id: Option<Uuid>,
    #[schema(value_type = String, format = Uuid)]
    order_id: OrderId,
    /// E.g. CANCELLING, PENDING_REVIEW, CANCELLED, REPLANNING, APPLIED.
    status: String,
    current_order_state: String,
    assessment_version: String,
    links: ChangeLinks,
}

/// Where a change request and its order are.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeLinks {
    #[serde(rename = "self")]
    this: String,
    order: String,
}

/// The change requests of one kind on an order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRequestList {
    #[schema(value_type = String, format = Uuid)]
    order_id: OrderId,
    #[schema(value_type = Vec<Object>)]
    requests: Vec<StoredRequest>,
}

/// Orders related to one order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelatedOrders {
    #[schema(value_type = String, format = Uuid)]
    order_id: OrderId,
    #[schema(value_type = Vec<Object>)]
    related_orders: Vec<RelatedOrder>,
}

fn change_reply(reply: &ChangeReply<'_>, kind: &str) -> serde_json::Value {
    let cancellation = kind == "cancellation-requests";
    let view = ChangeReplyView {
        cancellation_request_id: cancellation.then_some(reply.request_id),
        amendment_request_id: (!cancellation).then_some(reply.request_id),
        order_id: reply.order.id,
        status: reply.status.to_owned(),
        current_order_state: wire(&reply.order.state),
        assessment_version: reply.assessment_version.to_owned(),
        links: ChangeLinks {
            this: request_link(reply.order.id, kind, reply.request_id),
            order: format!("/api/v1/orders/{}", reply.order.id),
        },
    };
    serde_json::to_value(view).unwrap_or_default()
}

fn request_link(order: OrderId, kind: &str, request: Uuid) -> String {
    format!("/api/v1/orders/{order}/{kind}/{request}")
}

fn cancellation_reply(reply: &ChangeReply<'_>) -> (u16, serde_json::Value) {
    let status = if reply.status == "CANCELLED" {
        200
    } else {
        202
    };
    (status, change_reply(reply, "cancellation-requests"))
}

fn amendment_reply(reply: &ChangeReply<'_>) -> (u16, serde_json::Value) {
    let status = if reply.status == "APPLIED" { 200 } else { 202 };
    (status, change_reply(reply, "amendment-requests"))
}

/// `POST /api/v1/orders/{orderId}/cancellation-assessments` (scope `orders:write`): dry run.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/cancellation-assessments",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    request_body = CancellationBody,
    responses(
        (status = 200, description = "The assessment (feasibility, items, compensation); `ETag` is its version", body = CancellationAssessmentView),
        (status = 422, description = "VALIDATION_FAILED: a field of the body is not valid", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn assess_cancellation(
    caller: Caller,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Json(body): Json<CancellationBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let id = order_id(&raw_id)?;
    reason_code(&body.reason_code)?;
    let spec = body.spec().map_err(invalid)?;
    let (assessment, version) =
        changes::assess_cancellation_now(&state.pool, &tenant, id, &spec).await?;
    let response = axum::Json(CancellationAssessmentView {
        order_id: id,
        assessment_version: &version,
        assessment: &assessment,
    })
    .into_response();
    Ok(with_etag(response, &version))
}

/// `POST /api/v1/orders/{orderId}/cancellation-requests` (scope `orders:write`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/cancellation-requests",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: the same key and body replay the first answer"),
        ("If-Match" = Option<String>, Header, description = "The order version (ETag) the change was assessed on")
    ),
    request_body = CancellationBody,
    responses(
        (status = 200, description = "Cancelled at once", body = ChangeReplyView),
        (status = 202, description = "Accepted: cancelling, or waiting for review", body = ChangeReplyView),
        (status = 409, description = "ASSESSMENT_STALE (the order moved since the If-Match version), IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD, or the order cannot be cancelled now (the code says why)", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: a field of the body is not valid", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn request_cancellation(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<CancellationBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let id = order_id(&raw_id)?;
    let code = reason_code(&body.reason_code)?;
    let spec = body.spec().map_err(invalid)?;
    let meta = meta(&caller, &correlation_id, body.reason.as_deref())?;
    let idem = idempotency(&headers, id, &(&body.reason_code, &body.reason, &spec))?;
    let request = ChangeRequest {
        request_id: Uuid::now_v7(),
        reason_code: code,
        what: spec,
        expected_version: if_match(&headers),
        idempotency: idem,
    };
    outcome(
        Box::pin(changes::request_cancellation(
            &state.pool,
            &state.outbox,
            &tenant,
            id,
            request,
            &meta,
            cancellation_reply,
        ))
        .await?,
    )
}

async fn get_request(
    state: &AppState,
    kind: Kind,
    tenant: &TenantId,
    raw_id: &str,
    raw_request: &str,
) -> Result<Response, HttpError> {
    let id = order_id(raw_id)?;
    let not_found = || -> HttpError {
        Problem::new(StatusCode::NOT_FOUND, "REQUEST_NOT_FOUND")
            .detail(format!("No such request on order {raw_id}."))
            .into()
    };
    let request_id = Uuid::parse_str(raw_request).map_err(|_| not_found())?;
    let found = changes::find_request(&state.pool, kind, tenant, id, request_id)
        .await?
        .ok_or_else(not_found)?;
    Ok(axum::Json(found).into_response())
}

async fn list_requests(
    state: &AppState,
    kind: Kind,
    tenant: &TenantId,
    raw_id: &str,
) -> Result<Response, HttpError> {
    let id = order_id(raw_id)?;
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| AppError::from(StoreError::from(e)))?;
    orders::load_for_tenant(&mut conn, tenant, id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(order_not_found)?;
    let requests = crate::store::changes::of_order(&mut conn, kind, tenant, id)
        .await
        .map_err(AppError::from)?;
    Ok(axum::Json(ChangeRequestList {
        order_id: id,
        requests,
    })
    .into_response())
}

/// `GET /api/v1/orders/{orderId}/cancellation-requests` (scope `orders:read`).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/cancellation-requests",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    responses(
        (status = 200, description = "Every cancellation request of the order, oldest first", body = ChangeRequestList),
    ),
    security(("bearer" = ["orders:read"]))
)]
pub async fn list_cancellations(
    caller: Caller,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_READ)?;
    list_requests(&state, Kind::Cancellation, &tenant, &raw_id).await
}

/// `GET /api/v1/orders/{orderId}/cancellation-requests/{requestId}` (scope `orders:read`).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/cancellation-requests/{requestId}",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("requestId" = String, Path, description = "The change request id")
    ),
    responses(
        (status = 200, description = "The request with its assessment and status", body = serde_json::Value),
    ),
    security(("bearer" = ["orders:read"]))
)]
pub async fn get_cancellation(
    caller: Caller,
    State(state): State<AppState>,
    Path((raw_id, raw_request)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_READ)?;
    get_request(&state, Kind::Cancellation, &tenant, &raw_id, &raw_request).await
}

async fn review(
    caller: &Caller,
    correlation_id: &CorrelationId,
    state: &AppState,
    raw_id: &str,
    raw_request: &str,
    body: &ReviewBody,
    approve: bool,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(caller, scopes::OPERATOR)?;
    let id = order_id(raw_id)?;
    let request_id = CancellationRequestId::parse(raw_request).map_err(|_| -> HttpError {
        Problem::new(StatusCode::NOT_FOUND, "REQUEST_NOT_FOUND")
            .detail(format!("No such request on order {raw_id}."))
            .into()
    })?;
    if body.reason.trim().is_empty() {
        return Err(invalid(vec![FieldViolation::new(
            "reason",
            "REQUIRED",
            "an operator decision needs a reason",
        )]));
    }
    let meta = meta(caller, correlation_id, Some(&body.reason))?;
    let order =
        commands::execute_for_tenant(&state.pool, &state.outbox, &tenant, id, &meta, |_| {
            Ok(OrderCommand::ReviewCancellation {
                request_id,
                approve,
            })
        })
        .await?;
    Ok(axum::Json(views::order_view(&order)).into_response())
}

/// `POST .../cancellation-requests/{requestId}/approve` (scope `operator`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/cancellation-requests/{requestId}/approve",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("requestId" = String, Path, description = "The change request id")
    ),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "Approved; the order", body = super::views::OrderView),
        (status = 409, description = "The request is not waiting for review (the code says why)", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: the reason is empty", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
pub async fn approve_cancellation(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path((raw_id, raw_request)): Path<(String, String)>,
    Json(body): Json<ReviewBody>,
) -> Result<Response, HttpError> {
    review(
        &caller,
        &correlation_id,
        &state,
        &raw_id,
        &raw_request,
        &body,
        true,
    )
    .await
}

/// `POST .../cancellation-requests/{requestId}/reject` (scope `operator`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/cancellation-requests/{requestId}/reject",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("requestId" = String, Path, description = "The change request id")
    ),
    request_body = ReviewBody,
    responses(
        (status = 200, description = "Rejected; the order", body = super::views::OrderView),
        (status = 409, description = "The request is not waiting for review (the code says why)", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: the reason is empty", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
pub async fn reject_cancellation(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path((raw_id, raw_request)): Path<(String, String)>,
    Json(body): Json<ReviewBody>,
) -> Result<Response, HttpError> {
    review(
        &caller,
        &correlation_id,
        &state,
        &raw_id,
        &raw_request,
        &body,
        false,
    )
    .await
}

async fn order_currency(
    state: &AppState,
    tenant: &TenantId,
    id: OrderId,
) -> Result<oms_domain::value::CurrencyCode, HttpError> {
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| AppError::from(StoreError::from(e)))?;
    let order = orders::load_for_tenant(&mut conn, tenant, id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(order_not_found)?;
    order
        .content
        .as_ref()
        .map(|c| c.header.commercial.currency)
        .ok_or_else(|| {
            Problem::new(StatusCode::CONFLICT, "AMENDMENT_NOT_ALLOWED")
                .detail(
                    "The order is not validated yet: submit the draft with the changes instead.",
                )
                .into()
        })
}

/// `POST /api/v1/orders/{orderId}/amendment-assessments` (scope `orders:write`): dry run.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/amendment-assessments",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    request_body = AmendmentBody,
    responses(
        (status = 200, description = "The assessment and the content after the change; `ETag` is its version", body = AmendmentAssessmentView),
        (status = 409, description = "AMENDMENT_NOT_ALLOWED: the order cannot be amended now", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: a change is not valid", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn assess_amendment(
    caller: Caller,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Json(body): Json<AmendmentBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let id = order_id(&raw_id)?;
    reason_code(&body.reason_code)?;
    let currency = order_currency(&state, &tenant, id).await?;
    let typed = body.changes(currency).map_err(invalid)?;
    let (assessment, version) =
        changes::assess_amendment_now(&state.pool, &tenant, id, &typed).await?;
    let response = axum::Json(AmendmentAssessmentView {
        order_id: id,
        assessment_version: &version,
        assessment: amendment_summary(&assessment),
        content_after: &assessment.content_after,
    })
    .into_response();
    Ok(with_etag(response, &version))
}

/// `POST /api/v1/orders/{orderId}/amendment-requests` (scope `orders:write`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/amendment-requests",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Optional: the same key and body replay the first answer"),
        ("If-Match" = Option<String>, Header, description = "The order version (ETag) the change was assessed on")
    ),
    request_body = AmendmentBody,
    responses(
        (status = 200, description = "Applied at once", body = ChangeReplyView),
        (status = 202, description = "Accepted: replanning, or waiting for review", body = ChangeReplyView),
        (status = 409, description = "ASSESSMENT_STALE (the order moved since the If-Match version), IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD, AMENDMENT_NOT_ALLOWED", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: a change is not valid", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn request_amendment(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<AmendmentBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let id = order_id(&raw_id)?;
    let code = reason_code(&body.reason_code)?;
    let currency = order_currency(&state, &tenant, id).await?;
    let typed = body.changes(currency).map_err(invalid)?;
    let reason = body
        .reason
        .clone()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or_else(|| format!("amendment {}", body.reason_code));
    let meta = meta(&caller, &correlation_id, Some(&reason))?;
    let idem = idempotency(&headers, id, &(&body.reason_code, &body.reason, &typed))?;
    let request = ChangeRequest {
        request_id: Uuid::now_v7(),
        reason_code: code,
        what: typed,
        expected_version: if_match(&headers),
        idempotency: idem,
    };
    outcome(
        Box::pin(changes::request_amendment(
            &state.pool,
            &state.outbox,
            &tenant,
            id,
            request,
            &meta,
            amendment_reply,
        ))
        .await?,
    )
}

/// `GET /api/v1/orders/{orderId}/amendment-requests` (scope `orders:read`).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/amendment-requests",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    responses(
        (status = 200, description = "Every amendment request of the order, oldest first", body = ChangeRequestList),
    ),
    security(("bearer" = ["orders:read"]))
)]
pub async fn list_amendments(
    caller: Caller,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_READ)?;
    list_requests(&state, Kind::Amendment, &tenant, &raw_id).await
}

/// `GET /api/v1/orders/{orderId}/amendment-requests/{requestId}` (scope `orders:read`).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/amendment-requests/{requestId}",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("requestId" = String, Path, description = "The change request id")
    ),
    responses(
        (status = 200, description = "The request with its assessment and status", body = serde_json::Value),
    ),
    security(("bearer" = ["orders:read"]))
)]
pub async fn get_amendment(
    caller: Caller,
    State(state): State<AppState>,
    Path((raw_id, raw_request)): Path<(String, String)>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_READ)?;
    get_request(&state, Kind::Amendment, &tenant, &raw_id, &raw_request).await
}

/// `POST /api/v1/orders/{orderId}/supplemental-orders` (scope `orders:write`): captures a new
/// order (capture mode SUPPLEMENTAL) that SUPPLEMENTS this one; `Idempotency-Key` required.
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/supplemental-orders",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("Idempotency-Key" = String, Header, description = "Required: the same key and body replay the first answer (`Idempotent-Replayed: true`)")
    ),
    request_body = CaptureOrderRequest,
    responses(
        (status = 201, description = "The supplemental order is captured (a replay of the same key and body returns the stored answer with `Idempotent-Replayed: true`)", body = super::views::CaptureView),
        (status = 409, description = "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: every violated rule, with field, code and remediation", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn supplemental_order(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    headers: HeaderMap,
    Json(mut body): Json<CaptureOrderRequest>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let original = order_id(&raw_id)?;
    let key = idempotency_key(&headers)?;
    body.capture_mode = CaptureMode::Supplemental;
    body.quote = None;
    if !body
        .relations
        .iter()
        .any(|r| r.relation_type == RelationType::Supplements && r.order_id == original.to_string())
    {
        body.relations.push(RelationInput {
            relation_type: RelationType::Supplements,
            order_id: original.to_string(),
        });
    }
    check_request(&state, &body)?;
    {
        let mut conn = state
            .pool
            .acquire()
            .await
            .map_err(|e| AppError::from(StoreError::from(e)))?;
        orders::load_for_tenant(&mut conn, &tenant, original)
            .await
            .map_err(AppError::from)?
            .ok_or_else(order_not_found)?;
    }
    let request = ApiCapture {
        intake: body.to_intake(tenant.as_str()),
        tenant,
        actor: actor(&caller)?,
        idempotency_key: key,
        correlation_id: correlation(&correlation_id)?,
        holds: Vec::new(),
    };
    let _queued = state
        .gate
        .enter(format!("{}\n{}", request.tenant, request.idempotency_key))
        .await;
    match capture::capture_from_api(&state.pool, &state.outbox, request, views::capture_response)
        .await?
    {
        ApiCaptureOutcome::Created { status, body, .. } => Ok(stored(status, body, false)),
        ApiCaptureOutcome::Replayed { status, body } => Ok(stored(status, body, true)),
        ApiCaptureOutcome::KeyReused => Err(Problem::new(
            StatusCode::CONFLICT,
            "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD",
        )
        .detail("This Idempotency-Key was used with another payload; use a new key.")
        .into()),
        ApiCaptureOutcome::Rejected { violations } => Err(HttpError::ValidationFailed(violations)),
        ApiCaptureOutcome::QuoteAlreadyConverted { existing_order_id } => {
            Err(HttpError::QuoteAlreadyConverted(existing_order_id))
        }
    }
}

/// `GET /api/v1/orders/{orderId}/related-orders` (scope `orders:read`).
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/related-orders",
    tag = "changes",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    responses(
        (status = 200, description = "Orders related to this one, both directions", body = RelatedOrders),
    ),
    security(("bearer" = ["orders:read"]))
)]
pub async fn related_orders(
    caller: Caller,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_READ)?;
    let id = order_id(&raw_id)?;
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| AppError::from(StoreError::from(e)))?;
    orders::load_for_tenant(&mut conn, &tenant, id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(order_not_found)?;
    let related = crate::store::changes::related(&mut conn, &tenant, id)
        .await
        .map_err(AppError::from)?;
    Ok(axum::Json(RelatedOrders {
        order_id: id,
        related_orders: related,
    })
    .into_response())
}
