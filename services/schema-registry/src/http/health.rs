//! `GET /` (Confluent answers `{}`) and `GET /health/ready` (the database answers).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::media::registry_json;
use crate::registry::Registry;

pub async fn root() -> Response {
    registry_json(&json!({}))
}

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
