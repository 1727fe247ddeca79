//! The projections service's HTTP surface. Every `/api` and `/ops` route needs a bearer token
//! and reads only the token's tenant (another tenant's order is 404, never 403):
//!
//! | route | scope |
//! |---|---|
//! | `GET /api/v1/orders` (summary, filters, cursor) | `orders:read` or `operator` |
//! | `GET /api/v1/orders/{orderId}` (order page) | `orders:read` or `operator` |
//! | `GET /api/v1/orders/{orderId}/timeline` | `orders:read` or `operator` |
//! | `GET /api/v1/fallouts` (open cases, actions) | `orders:read` or `operator` |
//! | `GET /api/v1/stuck-orders` | `orders:read` or `operator` |
//! | `GET /api/v1/flow/throughput` | `orders:read` or `operator` |
//! | `GET /api/v1/stream` (server-sent events) | `orders:read` or `operator` |
//! | `GET /api/v1/session` (who, and where the owning services are) | any token |
//! | `GET /api/v1/flow/lag` (every consumer group) | `operator` |
//! | `POST /ops/rebuild`, `GET /ops/dead-letters`, `POST /ops/dead-letters/{id}/replay` | `operator` |
//!
//! Open: `GET /api/v1/openapi.json` (generated from the handlers with utoipa), the dashboard
//! (`/` and `/dashboard/...`: static files; the page asks for a token), `/health/*` and
//! `/metrics`. docs/projections-api.md describes every route.

pub mod dashboard;
pub mod fallouts;
pub mod flow;
pub mod openapi;
pub mod ops;
pub mod orders;
pub mod params;
pub mod stream;
pub mod views;

use axum::Router;
use oms_runtime::http::auth::{require_operator, scopes};
use oms_runtime::http::{ApiError, Authenticator, Caller, Readiness, health};
use sqlx::PgPool;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::changes::Changes;
use crate::config::Settings;
use crate::lag::LagProbe;
use crate::rebuild::ProjectorStatus;
use crate::store::StoreError;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub lag: LagProbe,
    pub projector: ProjectorStatus,
    pub changes: Changes,
    /// Ends the live streams on shutdown (they would otherwise hold the server open).
    pub shutdown: CancellationToken,
}

/// The documented routes: (router, OpenAPI document).
pub fn documented(
    state: ApiState,
    messages: Arc<oms_messaging::Router>,
) -> (Router, utoipa::openapi::OpenApi) {
    let readers = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(orders::list))
        .routes(routes!(orders::get))
        .routes(routes!(orders::timeline))
        .routes(routes!(fallouts::queue))
        .routes(routes!(flow::stuck))
        .routes(routes!(flow::throughput))
        .routes(routes!(stream::changes))
        .routes(routes!(ops::session));
    let operators = OpenApiRouter::new()
        .routes(routes!(flow::lag))
        .routes(routes!(ops::rebuild))
        .route_layer(axum::middleware::from_fn(require_operator));
    let dead_letters = oms_messaging::ops::dead_letter_routes(messages)
        .route_layer(axum::middleware::from_fn(require_operator));
    let (router, document) = readers
        .merge(operators)
        .with_state(state)
        .merge(dead_letters)
        .split_for_parts();
    (router, oms_runtime::http::openapi::finish(document))
}

/// Every route of the service.
pub fn router(
    state: ApiState,
    authenticator: &Authenticator,
    messages: Arc<oms_messaging::Router>,
    readiness: Readiness,
) -> Router {
    let settings = state.settings.clone();
    let (api, document) = documented(state, messages);
    authenticator
        .protect(api)
        .merge(oms_runtime::http::openapi::route(document))
        .merge(dashboard::routes(&settings.dashboard))
        .merge(health::routes(readiness))
}

/// The caller's tenant, for a reader (`orders:read` or `operator`).
pub fn reader_tenant(caller: &Caller) -> Result<&str, ApiError> {
    if !caller.is_operator() {
        caller.require_scope(scopes::ORDERS_READ)?;
    }
    tenant_of(caller)
}

/// The caller's tenant (any scope).
pub fn tenant_of(caller: &Caller) -> Result<&str, ApiError> {
    if oms_domain::value::TenantId::parse(&caller.tenant_id).is_err() {
        return Err(ApiError::forbidden(
            "TENANT_INVALID",
            "The token names no usable tenant.",
        ));
    }
    Ok(&caller.tenant_id)
}

pub(crate) fn internal(error: StoreError) -> ApiError {
    ApiError::internal(error)
}

#[cfg(test)]
impl ApiState {
    /// A state whose pool never connects (for tests that only build routers).
    pub fn for_tests() -> Self {
        Self {
            pool: sqlx::postgres::PgPoolOptions::new()
                .connect_lazy("postgres://postgres@127.0.0.1:1/none")
                .expect("lazy pool"),
            settings: Arc::new(Settings::default()),
            lag: LagProbe::new(
                oms_messaging::KafkaSettings::new("127.0.0.1:1"),
                oms_messaging::TopicNaming::unprefixed(),
                std::time::Duration::from_secs(1),
            ),
            projector: ProjectorStatus::default(),
            changes: Changes::new(),
            shutdown: CancellationToken::new(),
        }
    }
}
