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
//! plus `/health/live`, `/health/ready` and `/metrics` without authentication.

mod actions;
mod reads;
mod simulators;

use crate::operator::{Operator, OperatorError};
use crate::sim::Simulators;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use oms_runtime::http::auth::{self, scopes};
use oms_runtime::http::{ApiError, Authenticator, Caller, Problem, Readiness, Violation, health};
use sqlx::PgPool;
use std::sync::Arc;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
    pub operator: Operator,
    pub simulators: Option<Simulators>,
}

/// Every route of the service.
pub fn router(
    state: ApiState,
    authenticator: &Authenticator,
    consumer_router: Arc<oms_messaging::Router>,
    readiness: Readiness,
) -> Router {
    let reads = Router::new()
        .route("/api/v1/fulfillment/{order_id}", get(reads::fulfillment))
        .with_state(state.clone());
    let operator = Router::new()
        .route(
            "/api/v1/fulfillment/{order_id}/tasks/{task_id}/retry",
            post(actions::retry),
        )
        .route(
            "/api/v1/fulfillment/{order_id}/tasks/{task_id}/complete",
            post(actions::complete),
        )
        .route(
            "/api/v1/fulfillment/{order_id}/items/{item_id}/waive",
            post(actions::waive),
        )
        .route("/api/v1/fallouts", get(reads::fallouts))
        .route("/api/v1/simulators", get(simulators::list))
        .route(
            "/api/v1/simulators/{system}/faults/{task_type}",
            put(simulators::set_fault).delete(simulators::clear_fault),
        )
        .with_state(state)
        .merge(oms_messaging::ops::dead_letter_routes(consumer_router))
        // 403 before any body is read; authentication (below) runs first
        .route_layer(axum::middleware::from_fn(auth::require_operator));
    let api = reads.merge(operator);
    authenticator.protect(api).merge(health::routes(readiness))
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
