//! The asset service's HTTP API, behind bearer authentication and scoped to the caller's
//! tenant (another tenant's asset is 404, never 403, so its existence does not leak):
//!
//! - `GET /api/v1/assets?customerId=&accountId=&status=&limit=&cursor=` (scope `assets:read`);
//! - `GET /api/v1/assets/{id}`: the asset with its history (scope `assets:read`);
//! - operator (`operator` scope): `GET /api/v1/asset-inconsistencies?status=&limit=&cursor=`,
//!   `POST /api/v1/asset-inconsistencies/{id}/resolve`, and the dead-letter routes
//!   `GET /ops/dead-letters`, `POST /ops/dead-letters/{id}/replay`.
//!
//! Health (`/health/live`, `/health/ready`) and `/metrics` are added by the application,
//! outside authentication. docs/asset-api.md describes every route.

mod assets;
mod inconsistencies;
mod params;

use axum::Router;
use axum::routing::{get, post};
use oms_runtime::http::Authenticator;
use oms_runtime::http::auth::require_operator;
use sqlx::PgPool;
use std::sync::Arc;

/// Scope that reads the installed base of the caller's tenant.
pub const ASSETS_READ: &str = "assets:read";

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    pub pool: PgPool,
}

/// Every authenticated route of the service.
pub fn routes(
    state: ApiState,
    authenticator: &Authenticator,
    messages: Arc<oms_messaging::Router>,
) -> Router {
    let readers = Router::new()
        .route("/api/v1/assets", get(assets::list))
        .route("/api/v1/assets/{id}", get(assets::get))
        .with_state(state.clone());
    let operators = Router::new()
        .route("/api/v1/asset-inconsistencies", get(inconsistencies::list))
        .route(
            "/api/v1/asset-inconsistencies/{id}/resolve",
            post(inconsistencies::resolve),
        )
        .with_state(state)
        .merge(oms_messaging::ops::dead_letter_routes(messages))
        .route_layer(axum::middleware::from_fn(require_operator));
    authenticator.protect(readers.merge(operators))
}
