//! Capture, advisory validation and the order queries.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use oms_domain::value::CorrelationId as DomainCorrelationId;
use oms_domain::value::Reason;
use oms_domain::vocab::CaptureMode;
use oms_runtime::http::auth::scopes;
use oms_runtime::http::{ApiError, Caller, CorrelationId, Json, Violation as FieldViolation};
use serde::Deserialize;

use super::dto::CaptureOrderRequest;
use super::error::{HttpError, order_not_found};
use super::views::{self, HistoryView, PageInfo, PageView};
use super::{AppState, actor, order_id, tenant_with_scope};
use crate::app::capture::{self, ApiCapture, ApiCaptureOutcome, HoldRequest};
use crate::app::{AppError, context, now};
use crate::store::{StoreError, from_wire, orders, queries, records};

/// The idempotency header (required on capture).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on a replayed capture answer.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
const MAX_KEY_LEN: usize = 255;

/// Capture modes the API takes. Amendments and cancellations of an order in flight are
/// commands on that order (`/amendment-requests`, `/cancellation-requests`), not captures.
const API_CAPTURE_MODES: [CaptureMode; 4] = [
    CaptureMode::DirectOrder,
    CaptureMode::AdminMigration,
    CaptureMode::QuoteDerived,
    CaptureMode::Supplemental,
];

pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<String, HttpError> {
    let raw = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or_else(|| ApiError::missing_header("Idempotency-Key"))?;
    let key = raw.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest {
            code: "INVALID_HEADER".into(),
            detail: "Idempotency-Key must be 1-255 visible ASCII characters.".into(),
            violations: vec![FieldViolation::new(
                "Idempotency-Key",
                "INVALID_VALUE",
                "1-255 visible ASCII characters",
            )],
        }
        .into());
    }
    Ok(key.to_owned())
}

/// Protocol checks shared by capture and validation.
pub(crate) fn check_request(state: &AppState, body: &CaptureOrderRequest) -> Result<(), HttpError> {
    let max = state.settings.max_items_per_order;
    if body.items.len() > max {
        return Err(ApiError::BadRequest {
            code: "TOO_MANY_ITEMS".into(),
            detail: format!("An order may carry at most {max} items."),
            violations: vec![FieldViolation::new(
                "items",
                "TOO_MANY_ITEMS",
                format!("at most {max}"),
            )],
        }
        .into());
    }
    if !API_CAPTURE_MODES.contains(&body.capture_mode) {
        return Err(ApiError::BadRequest {
            code: "CAPTURE_MODE_NOT_SUPPORTED".into(),
            detail: "This API captures DIRECT_ORDER, ADMIN_MIGRATION, QUOTE_DERIVED and SUPPLEMENTAL orders; amend or cancel an order in flight with its /amendment-requests and /cancellation-requests."
                .into(),
            violations: vec![FieldViolation::new(
                "captureMode",
                "CAPTURE_MODE_NOT_SUPPORTED",
                "use DIRECT_ORDER, ADMIN_MIGRATION, QUOTE_DERIVED or SUPPLEMENTAL",
            )],
        }
        .into());
    }
    Ok(())
}

pub(crate) fn correlation(id: &CorrelationId) -> Result<DomainCorrelationId, HttpError> {
    DomainCorrelationId::parse(id.as_str()).map_err(|e| HttpError::Api(ApiError::internal(e)))
}

/// `POST /api/v1/orders`: capture (DIRECT_ORDER, ADMIN_MIGRATION, QUOTE_DERIVED).
#[utoipa::path(
    post,
    path = "/api/v1/orders",
    tag = "orders",
    params(
        ("Idempotency-Key" = String, Header, description = "Required: the same key and body replay the first answer (`Idempotent-Replayed: true`)")
    ),
    request_body = CaptureOrderRequest,
    responses(
        (status = 201, description = "Captured and validated (a replay of the same key and body returns the stored answer with `Idempotent-Replayed: true`)", body = super::views::CaptureView),
        (status = 400, description = "MISSING_HEADER, INVALID_HEADER, MALFORMED_JSON, INVALID_BODY, TOO_MANY_ITEMS, CAPTURE_MODE_NOT_SUPPORTED", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD, QUOTE_ALREADY_CONVERTED", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: every violated rule, with field, code and remediation", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id))]
pub async fn capture(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<CaptureOrderRequest>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let key = idempotency_key(&headers)?;
    check_request(&state, &body)?;
    let mut holds = Vec::with_capacity(body.holds.len());
    for (i, hold) in body.holds.iter().enumerate() {
        let reason = Reason::parse(&hold.reason).map_err(|e| {
            HttpError::Api(ApiError::validation(vec![FieldViolation::new(
                format!("holds[{i}].reason"),
                e.code(),
                e.to_string(),
            )]))
        })?;
        holds.push(HoldRequest {
            hold_type: hold.hold_type,
            blocking: hold.blocking,
            reason,
        });
    }
    let request = ApiCapture {
        intake: body.to_intake(tenant.as_str()),
        tenant,
        actor: actor(&caller)?,
        idempotency_key: key,
        correlation_id: correlation(&correlation_id)?,
        holds,
    };
    let _queued = state
        .gate
        .enter(format!("{}\n{}", request.tenant, request.idempotency_key))
        .await;
    let outcome =
        capture::capture_from_api(&state.pool, &state.outbox, request, views::capture_response)
            .await?;
    match outcome {
        ApiCaptureOutcome::Created { status, body, .. } => Ok(stored(status, body, false)),
        ApiCaptureOutcome::Replayed { status, body } => Ok(stored(status, body, true)),
        ApiCaptureOutcome::KeyReused => Err(oms_runtime::http::Problem::new(
            StatusCode::CONFLICT,
            "IDEMPOTENCY_KEY_REUSED_WITH_DIFFERENT_PAYLOAD",
        )
        .title("Idempotency key conflict")
        .detail(
            "This Idempotency-Key was used with another payload; use a new key for a new order.",
        )
        .into()),
        ApiCaptureOutcome::Rejected { violations } => Err(HttpError::ValidationFailed(violations)),
        ApiCaptureOutcome::QuoteAlreadyConverted { existing_order_id } => {
            Err(HttpError::QuoteAlreadyConverted(existing_order_id))
        }
    }
}

pub(crate) fn stored(status: u16, body: serde_json::Value, replayed: bool) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    let location = body["links"]["self"].as_str().map(str::to_owned);
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert("location", location);
    }
    if replayed {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

/// `POST /api/v1/order-validations`: the same rules as capture, nothing stored.
#[utoipa::path(
    post,
    path = "/api/v1/order-validations",
    tag = "orders",
    request_body = CaptureOrderRequest,
    responses(
        (status = 200, description = "The advisory answer: valid or not, and every violation", body = super::views::ValidationView),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id))]
pub async fn validate(
    caller: Caller,
    State(state): State<AppState>,
    Json(body): Json<CaptureOrderRequest>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    check_request(&state, &body)?;
    let intake = body.to_intake(tenant.as_str());
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| AppError::from(StoreError::from(e)))?;
    let context = context::capture_context(&mut conn, &tenant, &intake, now().date_naive())
        .await
        .map_err(AppError::from)?;
    let report = oms_domain::validate_capture(&intake, &context, None);
    Ok(axum::Json(views::validation_view(&report)).into_response())
}

/// `GET /api/v1/orders/{orderId}`.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}",
    tag = "orders",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    responses(
        (status = 200, description = "The order", body = super::views::OrderView),
    ),
    security(("bearer" = ["orders:read"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn get_order(
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
    let order = orders::load_for_tenant(&mut conn, &tenant, id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(order_not_found)?;
    Ok(axum::Json(views::order_view(&order)).into_response())
}

/// `GET /api/v1/orders/{orderId}/history`.
#[utoipa::path(
    get,
    path = "/api/v1/orders/{orderId}/history",
    tag = "orders",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    responses(
        (status = 200, description = "Transitions, commands and events of the order", body = super::views::HistoryView),
    ),
    security(("bearer" = ["orders:read"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn history(
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
    let order = orders::load_for_tenant(&mut conn, &tenant, id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(order_not_found)?;
    let view = HistoryView {
        order_id: order.id.to_string(),
        order_number: order.number.to_string(),
        state: crate::store::wire(&order.state),
        transitions: records::transitions(&mut conn, id)
            .await
            .map_err(AppError::from)?,
        commands: records::commands(&mut conn, id)
            .await
            .map_err(AppError::from)?,
        events: records::events(&mut conn, id)
            .await
            .map_err(AppError::from)?,
    };
    Ok(axum::Json(view).into_response())
}

/// Query of `GET /api/v1/orders`; every filter optional, combined with AND.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    customer_id: Option<String>,
    account_id: Option<String>,
    /// An order state, e.g. IN_PROGRESS.
    state: Option<String>,
    quote_id: Option<String>,
    external_order_ref: Option<String>,
    /// Created at or after (RFC 3339).
    created_from: Option<String>,
    /// Created before (RFC 3339).
    created_to: Option<String>,
    /// Page size, 1 to `capture.max_page_size` (default 50).
    limit: Option<i64>,
    /// Rows to skip (default 0).
    offset: Option<i64>,
}

fn bad_query(field: &str, message: &str) -> HttpError {
    ApiError::BadRequest {
        code: "INVALID_QUERY".into(),
        detail: format!("Query parameter {field} is invalid: {message}."),
        violations: vec![FieldViolation::new(field, "INVALID_VALUE", message)],
    }
    .into()
}

fn timestamp(field: &str, raw: Option<&String>) -> Result<Option<DateTime<Utc>>, HttpError> {
    raw.map(|r| {
        DateTime::parse_from_rfc3339(r)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| bad_query(field, "expected an RFC 3339 timestamp"))
    })
    .transpose()
}

/// `GET /api/v1/orders?customerId=&accountId=&state=&quoteId=&externalOrderRef=&createdFrom=&createdTo=&limit=&offset=`.
#[utoipa::path(
    get,
    path = "/api/v1/orders",
    tag = "orders",
    params(
        SearchParams
    ),
    responses(
        (status = 200, description = "One page of order summaries, newest first", body = super::views::PageView),
    ),
    security(("bearer" = ["orders:read"]))
)]
#[tracing::instrument(skip_all, fields(tenant = %caller.tenant_id))]
pub async fn search(
    caller: Caller,
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_READ)?;
    if let Some(s) = &params.state
        && from_wire::<oms_domain::OrderState>(s).is_none()
    {
        return Err(bad_query("state", "not an order state"));
    }
    let max = state.settings.max_page_size;
    let limit = params.limit.unwrap_or(50);
    if !(1..=max).contains(&limit) {
        return Err(bad_query("limit", &format!("between 1 and {max}")));
    }
    let offset = params.offset.unwrap_or(0);
    if offset < 0 {
        return Err(bad_query("offset", "not negative"));
    }
    let filter = queries::OrderFilter {
        customer_id: params.customer_id,
        account_id: params.account_id,
        state: params.state,
        quote_id: params.quote_id,
        external_order_ref: params.external_order_ref,
        created_from: timestamp("createdFrom", params.created_from.as_ref())?,
        created_to: timestamp("createdTo", params.created_to.as_ref())?,
    };
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| AppError::from(StoreError::from(e)))?;
    let page = queries::search(&mut conn, &tenant, &filter, limit, offset)
        .await
        .map_err(AppError::from)?;
    Ok(axum::Json(PageView {
        orders: page.orders.iter().map(views::order_summary).collect(),
        page: PageInfo {
            limit,
            offset,
            total: page.total,
        },
    })
    .into_response())
}
