//! `/config` and `/config/{subject}`: global and per-subject compatibility levels.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::media::{Params, RegistryBody, registry_json};
use crate::compatibility::CompatibilityLevel;
use crate::error::ApiError;
use crate::registry::Registry;

/// `PUT /config[/{subject}]` body: `{"compatibility": "FULL"}`.
#[derive(Debug, Deserialize)]
pub struct ConfigUpdate {
    #[serde(alias = "compatibilityLevel")]
    compatibility: Option<String>,
}

impl ConfigUpdate {
    fn level(&self) -> Result<CompatibilityLevel, ApiError> {
        self.compatibility
            .as_deref()
            .ok_or(ApiError::InvalidCompatibilityLevel)?
            .parse()
    }
}

fn level_body(level: CompatibilityLevel) -> Response {
    registry_json(&json!({ "compatibilityLevel": level.as_str() }))
}

fn update_body(level: CompatibilityLevel) -> Response {
    registry_json(&json!({ "compatibility": level.as_str() }))
}

/// `GET /config` → `{"compatibilityLevel": ..}`.
pub async fn get_global(State(registry): State<Registry>) -> Result<Response, ApiError> {
    Ok(level_body(registry.global_level().await?))
}

/// `PUT /config` → `{"compatibility": ..}`.
pub async fn put_global(
    State(registry): State<Registry>,
    RegistryBody(update): RegistryBody<ConfigUpdate>,
) -> Result<Response, ApiError> {
    let level = update.level()?;
    registry.set_global_level(level).await?;
    Ok(update_body(level))
}

/// `DELETE /config`: back to the default (BACKWARD); returns the previous level.
pub async fn delete_global(State(registry): State<Registry>) -> Result<Response, ApiError> {
    Ok(level_body(registry.reset_global_level().await?))
}

/// `GET /config/{subject}`: 40408 unless configured, or `?defaultToGlobal=true`.
pub async fn get_subject(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let level = registry
        .subject_level(&subject, params.flag("defaultToGlobal"))
        .await?;
    Ok(level_body(level))
}

/// `PUT /config/{subject}` → `{"compatibility": ..}`.
pub async fn put_subject(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    RegistryBody(update): RegistryBody<ConfigUpdate>,
) -> Result<Response, ApiError> {
    let level = update.level()?;
    registry.set_subject_level(&subject, level).await?;
    Ok(update_body(level))
}

/// `DELETE /config/{subject}`: returns the removed level (40401 when none was set).
pub async fn delete_subject(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
) -> Result<Response, ApiError> {
    Ok(level_body(registry.delete_subject_level(&subject).await?))
}
