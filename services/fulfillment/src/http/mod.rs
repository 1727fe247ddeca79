//! The HTTP API (every route needs a bearer token; every read and write is limited to the
//! caller's tenant, and another tenant's order is 404):
//!
//! | route | scope |
//! |---|---|
//! | `GET  /api/v1/fulfillment/{orderId}` | `orders:read` or `operator` |
//! | `POST /api/v1/fulfillment/{orderId}/tasks/{taskId}/retry` | `operator` |
//! | `POST /api/v1/fulfillment/{orderId}/tasks/{taskId}/complete` | `operator` |
//! | `POST /api/v1/fulfillment/{orderId}/items/{itemId}/waive` | `operator` |
//! | `GET  /api/v1/fallouts?status=OPEN&limit=` | `operator` |
//! | `GET  /api/v1/simulators` | `operator` |
//! | `PUT/DELETE /api/v1/simulators/{system}/faults/{taskType}` | `operator` |
//! | `GET  /ops/dead-letters`, `POST /ops/dead-letters/{id}/replay` | `operator` |
//!
//! plus `GET /api/v1/openapi.json` (generated from the handlers with utoipa), `/health/live`,
//! `/health/ready` and `/metrics` without authentication.

mod actions;
mod reads;
mod simulators;

use crate::operator::{Operator, OperatorError};
use crate::sim::Simulators;
use axum::Router;
use axum::http::StatusCode;
use oms_runtime::http::auth::{self, scopes};
use oms_runtime::http::openapi;
use oms_runtime::http::{ApiError, Authenticator, Caller, Problem, Readiness, Violation, health};
use sqlx::PgPool;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub operator: Operator,
    pub simulators: Option<Simulators>,
}

/// The document's frame; the paths come from the routers ([`documented`]).
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "OMS fulfillment service",
        description = "Each order's fulfillment (plan, tasks, fallout, operator audit), the \
                       operator actions that repair fallout, the simulated downstream systems \
                       and the service's dead letters. Every route is limited to the token's \
                       tenant; another tenant's order is 404. See docs/fulfillment-api.md."
    ),
    tags(
        (name = "fulfillment", description = "An order's fulfillment"),
        (name = "operations", description = "Fallout queue and operator actions"),
        (name = "simulators", description = "The simulated downstream systems (local and test)"),
        (name = "dead letters", description = "Records the consumer could not apply"),
    )
)]
struct ApiDoc;

/// The documented routes: (router, OpenAPI document).
pub fn documented(
    state: ApiState,
    consumer_router: Arc<oms_messaging::Router>,
) -> (Router, utoipa::openapi::OpenApi) {
    let reads = OpenApiRouter::new()
        .routes(routes!(reads::fulfillment))
        .with_state(state.clone());
    let operator = OpenApiRouter::new()
        .routes(routes!(actions::retry))
        .routes(routes!(actions::complete))
        .routes(routes!(actions::waive))
        .routes(routes!(reads::fallouts))
        .routes(routes!(simulators::list))
        .routes(routes!(simulators::set_fault, simulators::clear_fault))
        .with_state(state)
        .merge(oms_messaging::ops::dead_letter_routes(consumer_router))
        // 403 before any body is read; authentication (below) runs first
        .route_layer(axum::middleware::from_fn(auth::require_operator));
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(reads)
        .merge(operator)
        .split_for_parts();
    (router, openapi::finish(document))
}

/// Every route of the service.
pub fn router(
    state: ApiState,
    authenticator: &Authenticator,
    consumer_router: Arc<oms_messaging::Router>,
    readiness: Readiness,
) -> Router {
    let (api, document) = documented(state, consumer_router);
    authenticator
        .protect(api)
        .merge(openapi::route(document))
        .merge(health::routes(readiness))
}

/// Reads need `orders:read` or `operator`.
fn require_reader(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_operator() {
        Ok(())
    } else {
        caller.require_scope(scopes::ORDERS_READ)
    }
}

impl From<OperatorError> for ApiError {
    fn from(error: OperatorError) -> Self {
        match error {
            OperatorError::NotFound(what) => {
                ApiError::not_found(format!("No {what} for this tenant."))
            }
            OperatorError::Refused { code, detail } => ApiError::conflict(code, detail),
            OperatorError::Invalid {
                field,
                code,
                message,
            } => ApiError::validation(vec![Violation::new(field, code, message)]),
            OperatorError::Flow(flow) => ApiError::internal(flow),
        }
    }
}

/// 404 with the `NOT_FOUND` code for ids that cannot exist.
fn not_found(detail: impl Into<String>) -> ApiError {
    Problem::new(StatusCode::NOT_FOUND, "NOT_FOUND")
        .detail(detail)
        .into()
}
