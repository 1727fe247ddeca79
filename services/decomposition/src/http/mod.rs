//! The decomposition service's HTTP API, behind bearer authentication:
//!
//! - `GET /api/v1/plans/{orderId}` (scope `orders:read`, tenant-scoped: another tenant's
//!   order is 404, never 403): the order's plan, or its recorded decomposition failure;
//! - operator (`operator` scope): `POST /api/v1/catalog/versions` (publish a technical
//!   catalog version), `GET /api/v1/catalog/versions`, `GET /api/v1/catalog/versions/{version}`,
//!   and the dead-letter routes `GET /ops/dead-letters`, `POST /ops/dead-letters/{id}/replay`.
//!
//! Health (`/health/live`, `/health/ready`) and `/metrics` are added by the application,
//! outside authentication. `docs/decomposition-api.md` describes every route.

mod catalog;
mod plans;

use axum::Router;
use axum::routing::get;
use oms_runtime::http::auth::require_operator;
use oms_runtime::http::{ApiError, Authenticator};
use sqlx::PgPool;
use std::sync::Arc;

use crate::store::StoreError;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
    /// Largest catalog text a publication accepts.
    pub max_catalog_bytes: usize,
}

/// Every authenticated route of the service.
pub fn routes(
    state: ApiState,
    authenticator: &Authenticator,
    messages: Arc<oms_messaging::Router>,
) -> Router {
    let readers = Router::new()
        .route("/api/v1/plans/{order_id}", get(plans::get))
        .with_state(state.clone());
    let operators = Router::new()
        .route(
            "/api/v1/catalog/versions",
            get(catalog::list).post(catalog::publish),
        )
        .route("/api/v1/catalog/versions/{version}", get(catalog::get))
        .with_state(state)
        .merge(oms_messaging::ops::dead_letter_routes(messages))
        .route_layer(axum::middleware::from_fn(require_operator));
    authenticator.protect(readers.merge(operators))
}

/// A store failure as the client sees it: logged with its cause, shown as `INTERNAL_ERROR`.
fn internal(error: StoreError) -> ApiError {
    ApiError::internal(error)
}
