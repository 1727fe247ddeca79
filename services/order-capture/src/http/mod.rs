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
use oms_domain::Actor;
use oms_domain::value::{OrderId, TenantId};
use oms_messaging::Outbox;
use oms_runtime::http::{ApiError, Authenticator, Caller, Readiness, health};
use sqlx::PgPool;
use std::sync::Arc;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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

/// Every documented route of the service: (method, path). Health, metrics and the document
/// itself are served too, outside the document.
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
    ("get", paths::DEAD_LETTERS),
    ("post", paths::DEAD_LETTER_REPLAY),
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

/// The documented routes: (router, OpenAPI document).
pub fn documented(
    state: AppState,
    message_router: Arc<oms_messaging::Router>,
) -> (Router, utoipa::openapi::OpenApi) {
    let (router, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(orders::capture, orders::search))
        .routes(routes!(orders::get_order))
        .routes(routes!(orders::history))
        .routes(routes!(orders::validate))
        .routes(routes!(holds::place_hold))
        .routes(routes!(holds::release_hold))
        .routes(routes!(holds::repair_fallout))
        .routes(routes!(changes::assess_cancellation))
        .routes(routes!(
            changes::request_cancellation,
            changes::list_cancellations
        ))
        .routes(routes!(changes::get_cancellation))
        .routes(routes!(changes::approve_cancellation))
        .routes(routes!(changes::reject_cancellation))
        .routes(routes!(changes::assess_amendment))
        .routes(routes!(
            changes::request_amendment,
            changes::list_amendments
        ))
        .routes(routes!(changes::get_amendment))
        .routes(routes!(changes::supplemental_order))
        .routes(routes!(changes::related_orders))
        .with_state(state)
        .merge(oms_messaging::ops::dead_letter_routes(message_router))
        .split_for_parts();
    (router, oms_runtime::http::openapi::finish(document))
}

/// The whole HTTP surface: business routes and operator routes behind the authenticator,
/// the OpenAPI document, health and metrics in the open.
pub fn router(
    state: AppState,
    authenticator: &Authenticator,
    message_router: Arc<oms_messaging::Router>,
    readiness: Readiness,
) -> Router {
    let (api, document) = documented(state, message_router);
    authenticator
        .protect(api)
        .merge(oms_runtime::http::openapi::route(document))
        .merge(health::routes(readiness))
}

/// The document, built in a test (inside a Tokio runtime: the outbox spawns its listener).
#[cfg(test)]
pub(crate) fn document_for_tests() -> utoipa::openapi::OpenApi {
    // Only the document is used: no handler runs, so the state never connects.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .connect_lazy("postgres://postgres@127.0.0.1:1/none")
        .expect("lazy pool");
    let state = AppState {
        outbox: Outbox::new(
            Arc::new(oms_messaging::Codec::new("http://127.0.0.1:1").expect("codec")),
            oms_messaging::TopicNaming::unprefixed(),
            pool.clone(),
            "docs",
            1,
        ),
        pool,
        settings: CaptureSettings::default(),
        gate: crate::app::gate::KeyGate::default(),
    };
    documented(state, oms_messaging::Router::for_docs()).1
}

#[cfg(test)]
pub(crate) fn documented_operations() -> Vec<String> {
    oms_runtime::http::openapi::operations(&document_for_tests())
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
