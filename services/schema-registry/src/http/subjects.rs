//! `/subjects/...`: register, look up, list, fetch and delete subject versions.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;

use super::media::{IdBody, Params, RegistryBody, registry_body, registry_json};
use crate::error::ApiError;
use crate::registry::{Registry, SchemaRequest, VersionSpec};
use crate::store::SubjectVersion;

/// `{subject, id, version, schema}` (no `schemaType` for Avro, like Confluent).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectVersionBody {
    pub subject: String,
    pub version: i32,
    pub id: i32,
    pub schema: String,
}

impl From<SubjectVersion> for SubjectVersionBody {
    fn from(v: SubjectVersion) -> Self {
        Self {
            subject: v.subject,
            version: v.version,
            id: v.schema_id,
            schema: v.schema_text,
        }
    }
}

/// `GET /subjects` (`subjectPrefix` or `subject` filters by prefix; `deleted`, `deleted_only`,
/// `offset`, `limit`).
#[utoipa::path(
    get,
    path = "/subjects",
    tag = "subjects",
    params(("subjectPrefix" = Option<String>, Query, description = "Only subjects with this prefix"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted subjects"), ("deleted_only" = Option<bool>, Query, description = "Only soft-deleted subjects"), ("offset" = Option<i64>, Query, description = "Skip this many"), ("limit" = Option<i64>, Query, description = "At most this many (negative: no limit)")),
    responses(
        (status = 200, description = "Subject names", body = Vec<String>, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn list(State(registry): State<Registry>, params: Params) -> Result<Response, ApiError> {
    let prefix = params
        .get("subjectPrefix")
        .or_else(|| params.get("subject"))
        .unwrap_or_default();
    let subjects = registry
        .subjects(prefix, params.flag("deleted"), params.flag("deleted_only"))
        .await?;
    Ok(registry_json(&params.paginate(subjects)))
}

/// `POST /subjects/{subject}/versions` → `{"id": n}`.
#[utoipa::path(
    post,
    path = "/subjects/{subject}/versions",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value")),
    request_body(content((crate::registry::SchemaRequest = "application/vnd.schemaregistry.v1+json"), (crate::registry::SchemaRequest = "application/json"))),
    responses(
        (status = 200, description = "The schema's global id", body = IdBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 400, description = "400: the body is not JSON of the expected shape",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 415, description = "415: the body's media type is not accepted",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 409, description = "409: incompatible with the subject's earlier versions", body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn register(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    RegistryBody(request): RegistryBody<SchemaRequest>,
) -> Result<Response, ApiError> {
    let id = registry.register(&subject, &request).await?;
    Ok(registry_json(&IdBody { id: i64::from(id) }))
}

/// `POST /subjects/{subject}`: is this schema registered under the subject?
#[utoipa::path(
    post,
    path = "/subjects/{subject}",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted ones")),
    request_body(content((crate::registry::SchemaRequest = "application/vnd.schemaregistry.v1+json"), (crate::registry::SchemaRequest = "application/json"))),
    responses(
        (status = 200, description = "The subject version with that schema", body = SubjectVersionBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 400, description = "400: the body is not JSON of the expected shape",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 415, description = "415: the body's media type is not accepted",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn lookup(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    params: Params,
    RegistryBody(request): RegistryBody<SchemaRequest>,
) -> Result<Response, ApiError> {
    let found = registry
        .lookup(&subject, &request, params.flag("deleted"))
        .await?;
    Ok(registry_json(&SubjectVersionBody::from(found)))
}

/// `GET /subjects/{subject}/versions`.
#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted ones"), ("deleted_only" = Option<bool>, Query, description = "Only soft-deleted versions"), ("offset" = Option<i64>, Query, description = "Skip this many"), ("limit" = Option<i64>, Query, description = "At most this many (negative: no limit)")),
    responses(
        (status = 200, description = "Version numbers", body = Vec<i32>, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn versions(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let versions = registry
        .versions(
            &subject,
            params.flag("deleted"),
            params.flag("deleted_only"),
        )
        .await?;
    Ok(registry_json(&params.paginate(versions)))
}

/// `GET /subjects/{subject}/versions/{version}`.
#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions/{version}",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("version" = String, Path, description = "A version number, or `latest` / `-1`"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted ones")),
    responses(
        (status = 200, description = "The version", body = SubjectVersionBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn version(
    State(registry): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    params: Params,
) -> Result<Response, ApiError> {
    let spec = VersionSpec::parse(&version)?;
    let found = registry
        .version(&subject, spec, params.flag("deleted"))
        .await?;
    Ok(registry_json(&SubjectVersionBody::from(found)))
}

/// `GET /subjects/{subject}/versions/{version}/schema`: the schema text itself.
#[utoipa::path(
    get,
    path = "/subjects/{subject}/versions/{version}/schema",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("version" = String, Path, description = "A version number, or `latest` / `-1`"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted ones")),
    responses(
        (status = 200, description = "The schema text itself", body = serde_json::Value, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn raw_version_schema(
    State(registry): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    params: Params,
) -> Result<Response, ApiError> {
    let spec = VersionSpec::parse(&version)?;
    let found = registry
        .version(&subject, spec, params.flag("deleted"))
        .await?;
    Ok(registry_body(found.schema_text))
}

/// `DELETE /subjects/{subject}` (`?permanent=true` after a soft delete) → deleted versions.
#[utoipa::path(
    delete,
    path = "/subjects/{subject}",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("permanent" = Option<bool>, Query, description = "Delete for good (after a soft delete)")),
    responses(
        (status = 200, description = "The deleted version numbers", body = Vec<i32>, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn delete(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let versions = registry
        .delete_subject(&subject, params.flag("permanent"))
        .await?;
    Ok(registry_json(&versions))
}

/// `DELETE /subjects/{subject}/versions/{version}` → the deleted version number.
#[utoipa::path(
    delete,
    path = "/subjects/{subject}/versions/{version}",
    tag = "subjects",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("version" = String, Path, description = "A version number, or `latest` / `-1`"), ("permanent" = Option<bool>, Query, description = "Delete for good (after a soft delete)")),
    responses(
        (status = 200, description = "The deleted version number", body = i32, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 422, description = "42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn delete_version(
    State(registry): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    params: Params,
) -> Result<Response, ApiError> {
    let spec = VersionSpec::parse(&version)?;
    let deleted = registry
        .delete_version(&subject, spec, params.flag("permanent"))
        .await?;
    Ok(registry_json(&deleted))
}
