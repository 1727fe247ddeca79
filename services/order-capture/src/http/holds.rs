//! Holds (000 §13: orthogonal to state; placing and releasing need actor and reason) and
//! the operator's fallout repair (a command with actor, reason and resolution, never a
//! direct state edit). After each, the automatic lifecycle runs: releasing the last
//! blocking hold releases the order to decomposition or fulfillment in the same commit.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use oms_domain::value::{FalloutId, HoldId, Reason};
use oms_domain::{OrderCommand, TransitionMeta};
use oms_runtime::http::auth::scopes;
use oms_runtime::http::{ApiError, Caller, CorrelationId, Json, Violation as FieldViolation};

use super::dto::{HoldBody, ReleaseHoldBody, RepairBody};
use super::error::HttpError;
use super::{AppState, actor, order_id, tenant_with_scope, views};
use crate::app::{commands, now};

fn reason(raw: &str) -> Result<Reason, HttpError> {
    Reason::parse(raw).map_err(|e| {
        HttpError::Api(ApiError::validation(vec![FieldViolation::new(
            "reason",
            e.code(),
            e.to_string(),
        )]))
    })
}

fn meta(
    caller: &Caller,
    correlation_id: &CorrelationId,
    reason: Reason,
) -> Result<TransitionMeta, HttpError> {
    let correlation = oms_domain::value::CorrelationId::parse(correlation_id.as_str())
        .map_err(|e| HttpError::Api(ApiError::internal(e)))?;
    Ok(TransitionMeta::new(actor(caller)?, now(), correlation).with_reason(reason))
}

fn not_found(kind: &str, raw: &str) -> HttpError {
    oms_runtime::http::Problem::new(StatusCode::NOT_FOUND, format!("{kind}_NOT_FOUND"))
        .detail(format!(
            "No {} {raw} on this order.",
            kind.to_ascii_lowercase()
        ))
        .into()
}

/// The answer to a placed hold: its id and the order.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoldPlaced<'a> {
    #[schema(value_type = String, format = Uuid)]
    hold_id: HoldId,
    order: views::OrderView<'a>,
}

/// `POST /api/v1/orders/{orderId}/holds` (scope `orders:write`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/holds",
    tag = "holds",
    params(
        ("orderId" = String, Path, description = "The order id")
    ),
    request_body = HoldBody,
    responses(
        (status = 201, description = "The hold is placed", body = HoldPlaced),
        (status = 409, description = "The order's state does not allow the hold (the code says why)", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: the reason is empty or too long", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn place_hold(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path(raw_id): Path<String>,
    Json(body): Json<HoldBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let id = order_id(&raw_id)?;
    let meta = meta(&caller, &correlation_id, reason(&body.reason)?)?;
    let hold_id = HoldId::from_uuid(uuid::Uuid::now_v7());
    let order =
        commands::execute_for_tenant(&state.pool, &state.outbox, &tenant, id, &meta, |_| {
            Ok(OrderCommand::PlaceHold {
                hold_id,
                hold_type: body.hold_type,
                blocking: body.blocking,
            })
        })
        .await?;
    let body = HoldPlaced {
        hold_id,
        order: views::order_view(&order),
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `POST /api/v1/orders/{orderId}/holds/{holdId}/release` (scope `orders:write`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/holds/{holdId}/release",
    tag = "holds",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("holdId" = String, Path, description = "The hold id")
    ),
    request_body = ReleaseHoldBody,
    responses(
        (status = 200, description = "The hold is released; the order", body = super::views::OrderView),
        (status = 409, description = "The hold is not active (the code says why)", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: the reason is empty or too long", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["orders:write"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn release_hold(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path((raw_id, raw_hold)): Path<(String, String)>,
    Json(body): Json<ReleaseHoldBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::ORDERS_WRITE)?;
    let id = order_id(&raw_id)?;
    let hold_id = HoldId::parse(&raw_hold).map_err(|_| not_found("HOLD", &raw_hold))?;
    let meta = meta(&caller, &correlation_id, reason(&body.reason)?)?;
    let order =
        commands::execute_for_tenant(&state.pool, &state.outbox, &tenant, id, &meta, |_| {
            Ok(OrderCommand::ReleaseHold { hold_id })
        })
        .await?;
    Ok(axum::Json(views::order_view(&order)).into_response())
}

/// `POST /api/v1/orders/{orderId}/fallouts/{falloutId}/repair` (scope `operator`).
#[utoipa::path(
    post,
    path = "/api/v1/orders/{orderId}/fallouts/{falloutId}/repair",
    tag = "holds",
    params(
        ("orderId" = String, Path, description = "The order id"),
        ("falloutId" = String, Path, description = "The fallout case id")
    ),
    request_body = RepairBody,
    responses(
        (status = 200, description = "The fallout is repaired; the order", body = super::views::OrderView),
        (status = 409, description = "The fallout case is not open (the code says why)", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "VALIDATION_FAILED: the reason is empty or too long", body = oms_runtime::http::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
#[tracing::instrument(skip_all, fields(order_id = %raw_id))]
pub async fn repair_fallout(
    caller: Caller,
    correlation_id: CorrelationId,
    State(state): State<AppState>,
    Path((raw_id, raw_fallout)): Path<(String, String)>,
    Json(body): Json<RepairBody>,
) -> Result<Response, HttpError> {
    let tenant = tenant_with_scope(&caller, scopes::OPERATOR)?;
    let id = order_id(&raw_id)?;
    let fallout_id =
        FalloutId::parse(&raw_fallout).map_err(|_| not_found("FALLOUT", &raw_fallout))?;
    let meta = meta(&caller, &correlation_id, reason(&body.reason)?)?;
    let order =
        commands::execute_for_tenant(&state.pool, &state.outbox, &tenant, id, &meta, |_| {
            Ok(OrderCommand::RepairFallout {
                fallout_id,
                resolution: body.resolution,
            })
        })
        .await?;
    Ok(axum::Json(views::order_view(&order)).into_response())
}
