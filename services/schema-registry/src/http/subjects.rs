//! `/subjects/...`: register, look up, list, fetch and delete subject versions.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::media::{Params, RegistryBody, registry_body, registry_json};
use crate::error::ApiError;
use crate::registry::{Registry, SchemaRequest, VersionSpec};
use crate::store::SubjectVersion;

/// `{subject, id, version, schema}` (no `schemaType` for Avro, like Confluent).
#[derive(Debug, Serialize)]
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
pub async fn register(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    RegistryBody(request): RegistryBody<SchemaRequest>,
) -> Result<Response, ApiError> {
    let id = registry.register(&subject, &request).await?;
    Ok(registry_json(&json!({ "id": id })))
}

/// `POST /subjects/{subject}`: is this schema registered under the subject?
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
