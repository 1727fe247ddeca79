//! The REST API (001 §10, 002 §13): capture, advisory validation, queries, holds, fallout
//! repair, the OpenAPI document, and the operator dead-letter routes.
//!
//! Layers of the pipeline handled here (001 §8.1-8.5): protocol (`Idempotency-Key`, body
//! size and item count), schema (strict request types), identity and tenant (every read and
//! write is scoped to the token's tenant; another tenant's order is 404), authorization
//! (`orders:read`, `orders:write`, `operator`). The semantic, snapshot and invariant layers
//! are the domain's; the persistence layer is the database's.

pub mod change_dto;
pub mod changes;
pub mod dto;
pub mod error;
pub mod holds;
pub mod openapi;
pub mod orders;
pub mod views;

use axum::Router;
use axum::routing::{get, post};
use oms_domain::Actor;
use oms_domain::value::{OrderId, TenantId};
use oms_messaging::Outbox;
use oms_runtime::http::{ApiError, Authenticator, Caller, Readiness, health};
use sqlx::PgPool;
use std::sync::Arc;

use crate::config::CaptureSettings;
use error::{HttpError, order_not_found};

/// Route paths (the router and the OpenAPI test both read these).
pub mod paths {
    pub const ORDERS: &str = "/api/v1/orders";
    pub const ORDER: &str = "/api/v1/orders/{orderId}";
    pub const ORDER_HISTORY: &str = "/api/v1/orders/{orderId}/history";
    pub const ORDER_HOLDS: &str = "/api/v1/orders/{orderId}/holds";
    pub const HOLD_RELEASE: &str = "/api/v1/orders/{orderId}/holds/{holdId}/release";
    pub const FALLOUT_REPAIR: &str = "/api/v1/orders/{orderId}/fallouts/{falloutId}/repair";
    pub const ORDER_VALIDATIONS: &str = "/api/v1/order-validations";
    pub const CANCELLATION_ASSESSMENTS: &str = "/api/v1/orders/{orderId}/cancellation-assessments";
    pub const CANCELLATION_REQUESTS: &str = "/api/v1/orders/{orderId}/cancellation-requests";
    pub const CANCELLATION_REQUEST: &str =
        "/api/v1/orders/{orderId}/cancellation-requests/{requestId}";
    pub const CANCELLATION_APPROVE: &str =
        "/api/v1/orders/{orderId}/cancellation-requests/{requestId}/approve";
    pub const CANCELLATION_REJECT: &str =
        "/api/v1/orders/{orderId}/cancellation-requests/{requestId}/reject";
    pub const AMENDMENT_ASSESSMENTS: &str = "/api/v1/orders/{orderId}/amendment-assessments";
    pub const AMENDMENT_REQUESTS: &str = "/api/v1/orders/{orderId}/amendment-requests";
    pub const AMENDMENT_REQUEST: &str = "/api/v1/orders/{orderId}/amendment-requests/{requestId}";
    pub const SUPPLEMENTAL_ORDERS: &str = "/api/v1/orders/{orderId}/supplemental-orders";
    pub const RELATED_ORDERS: &str = "/api/v1/orders/{orderId}/related-orders";
    pub const OPENAPI: &str = "/api/v1/openapi.json";
    pub const DEAD_LETTERS: &str = "/ops/dead-letters";
    pub const DEAD_LETTER_REPLAY: &str = "/ops/dead-letters/{id}/replay";
    pub const HEALTH_LIVE: &str = "/health/live";
    pub const HEALTH_READY: &str = "/health/ready";
    pub const METRICS: &str = "/metrics";
}

/// Every route the service serves: (method, path).
pub const ROUTES: &[(&str, &str)] = &[
    ("post", paths::ORDERS),
    ("get", paths::ORDERS),
    ("get", paths::ORDER),
    ("get", paths::ORDER_HISTORY),
    ("post", paths::ORDER_HOLDS),
    ("post", paths::HOLD_RELEASE),
    ("post", paths::FALLOUT_REPAIR),
    ("post", paths::ORDER_VALIDATIONS),
    ("post", paths::CANCELLATION_ASSESSMENTS),
    ("post", paths::CANCELLATION_REQUESTS),
    ("get", paths::CANCELLATION_REQUESTS),
    ("get", paths::CANCELLATION_REQUEST),
    ("post", paths::CANCELLATION_APPROVE),
    ("post", paths::CANCELLATION_REJECT),
    ("post", paths::AMENDMENT_ASSESSMENTS),
    ("post", paths::AMENDMENT_REQUESTS),
    ("get", paths::AMENDMENT_REQUESTS),
    ("get", paths::AMENDMENT_REQUEST),
    ("post", paths::SUPPLEMENTAL_ORDERS),
    ("get", paths::RELATED_ORDERS),
    ("get", paths::OPENAPI),
    ("get", paths::DEAD_LETTERS),
    ("post", paths::DEAD_LETTER_REPLAY),
    ("get", paths::HEALTH_LIVE),
    ("get", paths::HEALTH_READY),
    ("get", paths::METRICS),
];

/// What handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub outbox: Outbox,
    pub settings: CaptureSettings,
    /// Queues concurrent captures with the same tenant + Idempotency-Key.
    pub gate: crate::app::gate::KeyGate,
}

/// The whole HTTP surface: business routes and operator routes behind the authenticator,
/// the OpenAPI document, health and metrics in the open.
pub fn router(
    state: AppState,
    authenticator: &Authenticator,
    message_router: Arc<oms_messaging::Router>,
    readiness: Readiness,
) -> Router {
    let api = Router::new()
        .route(paths::ORDERS, post(orders::capture).get(orders::search))
        .route(paths::ORDER, get(orders::get_order))
        .route(paths::ORDER_HISTORY, get(orders::history))
        .route(paths::ORDER_VALIDATIONS, post(orders::validate))
        .route(paths::ORDER_HOLDS, post(holds::place_hold))
        .route(paths::HOLD_RELEASE, post(holds::release_hold))
        .route(paths::FALLOUT_REPAIR, post(holds::repair_fallout))
        .route(
            paths::CANCELLATION_ASSESSMENTS,
            post(changes::assess_cancellation),
        )
        .route(
            paths::CANCELLATION_REQUESTS,
            post(changes::request_cancellation).get(changes::list_cancellations),
        )
        .route(paths::CANCELLATION_REQUEST, get(changes::get_cancellation))
        .route(
            paths::CANCELLATION_APPROVE,
            post(changes::approve_cancellation),
        )
        .route(
            paths::CANCELLATION_REJECT,
            post(changes::reject_cancellation),
        )
        .route(
            paths::AMENDMENT_ASSESSMENTS,
            post(changes::assess_amendment),
        )
        .route(
            paths::AMENDMENT_REQUESTS,
            post(changes::request_amendment).get(changes::list_amendments),
        )
        .route(paths::AMENDMENT_REQUEST, get(changes::get_amendment))
        .route(
            paths::SUPPLEMENTAL_ORDERS,
            post(changes::supplemental_order),
        )
        .route(paths::RELATED_ORDERS, get(changes::related_orders))
        .with_state(state);
    let operator = oms_messaging::ops::dead_letter_routes(message_router);
    authenticator
        .protect(api.merge(operator))
        .route(paths::OPENAPI, get(openapi::document))
        .merge(health::routes(readiness))
}

/// The caller's tenant, after checking it holds `scope`.
pub fn tenant_with_scope(caller: &Caller, scope: &str) -> Result<TenantId, HttpError> {
    caller.require_scope(scope)?;
    TenantId::parse(&caller.tenant_id).map_err(|_| {
        HttpError::Api(ApiError::forbidden(
            "TENANT_INVALID",
            "The token names no usable tenant.",
        ))
    })
}

/// The caller as the actor of a transition.
pub fn actor(caller: &Caller) -> Result<Actor, HttpError> {
    Actor::user(&caller.subject).map_err(|_| {
        HttpError::Api(ApiError::forbidden(
            "SUBJECT_INVALID",
            "The token names no usable subject.",
        ))
    })
}

/// An order id from the path; a malformed one names no order (404).
pub fn order_id(raw: &str) -> Result<OrderId, HttpError> {
    OrderId::parse(raw).map_err(|_| order_not_found())
}
