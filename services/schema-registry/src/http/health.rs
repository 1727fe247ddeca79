//! `GET /` (Confluent answers `{}`) and `GET /health/ready` (the database answers).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::media::registry_json;
use crate::registry::Registry;

/// `{}`, as Confluent answers.
#[utoipa::path(get, path = "/", tag = "health",
    responses((status = 200, description = "An empty object", body = serde_json::Value, content_type = "application/vnd.schemaregistry.v1+json")))]
pub async fn root() -> Response {
    registry_json(&json!({}))
}

/// `{"status": "UP"}` when the database answers.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "UP", body = serde_json::Value, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 503, description = "DOWN, with the error", body = serde_json::Value, content_type = "application/vnd.schemaregistry.v1+json"),
    ))]
pub async fn ready(State(registry): State<Registry>) -> Response {
    match registry.ping().await {
        Ok(()) => registry_json(&json!({"status": "UP"})),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                registry_json(&json!({"status": "DOWN", "error": e.to_string()})),
            )
                .into_response()
        }
    }
}
