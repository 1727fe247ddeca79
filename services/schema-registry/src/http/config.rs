//! `/config` and `/config/{subject}`: global and per-subject compatibility levels.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::media::{Params, RegistryBody, registry_json};
use crate::compatibility::CompatibilityLevel;
use crate::error::ApiError;
use crate::registry::Registry;

/// `PUT /config[/{subject}]` body: `{"compatibility": "FULL"}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfigUpdate {
    /// NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or
    /// FULL_TRANSITIVE (`compatibilityLevel` is accepted too).
    #[serde(alias = "compatibilityLevel")]
    compatibility: Option<String>,
}

/// `{"compatibilityLevel": ..}`: a level as read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LevelBody {
    compatibility_level: &'static str,
}

/// `{"compatibility": ..}`: a level as set.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UpdateBody {
    compatibility: &'static str,
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
    registry_json(&LevelBody {
        compatibility_level: level.as_str(),
    })
}

fn update_body(level: CompatibilityLevel) -> Response {
    registry_json(&UpdateBody {
        compatibility: level.as_str(),
    })
}

/// `GET /config` → `{"compatibilityLevel": ..}`.
#[utoipa::path(
    get,
    path = "/config",
    tag = "config",
    responses(
        (status = 200, description = "The global level", body = LevelBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn get_global(State(registry): State<Registry>) -> Result<Response, ApiError> {
    Ok(level_body(registry.global_level().await?))
}

/// `PUT /config` → `{"compatibility": ..}`.
#[utoipa::path(
    put,
    path = "/config",
    tag = "config",
    request_body(content((ConfigUpdate = "application/vnd.schemaregistry.v1+json"), (ConfigUpdate = "application/json"))),
    responses(
        (status = 200, description = "The level set", body = UpdateBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 400, description = "400: the body is not JSON of the expected shape",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 415, description = "415: the body's media type is not accepted",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn put_global(
    State(registry): State<Registry>,
    RegistryBody(update): RegistryBody<ConfigUpdate>,
) -> Result<Response, ApiError> {
    let level = update.level()?;
    registry.set_global_level(level).await?;
    Ok(update_body(level))
}

/// `DELETE /config`: back to the default (BACKWARD); returns the previous level.
#[utoipa::path(
    delete,
    path = "/config",
    tag = "config",
    responses(
        (status = 200, description = "The previous level", body = LevelBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn delete_global(State(registry): State<Registry>) -> Result<Response, ApiError> {
    Ok(level_body(registry.reset_global_level().await?))
}

/// `GET /config/{subject}`: 40408 unless configured, or `?defaultToGlobal=true`.
#[utoipa::path(
    get,
    path = "/config/{subject}",
    tag = "config",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("defaultToGlobal" = Option<bool>, Query, description = "The global level when the subject has none")),
    responses(
        (status = 200, description = "The subject's level", body = LevelBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40408: no level is configured for the subject", body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
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
#[utoipa::path(
    put,
    path = "/config/{subject}",
    tag = "config",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value")),
    request_body(content((ConfigUpdate = "application/vnd.schemaregistry.v1+json"), (ConfigUpdate = "application/json"))),
    responses(
        (status = 200, description = "The level set", body = UpdateBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 400, description = "400: the body is not JSON of the expected shape",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 415, description = "415: the body's media type is not accepted",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
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
#[utoipa::path(
    delete,
    path = "/config/{subject}",
    tag = "config",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value")),
    responses(
        (status = 200, description = "The removed level", body = LevelBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn delete_subject(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
) -> Result<Response, ApiError> {
    Ok(level_body(registry.delete_subject_level(&subject).await?))
}
