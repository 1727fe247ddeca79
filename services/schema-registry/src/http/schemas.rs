//! `/schemas/...`: schemas by global id, and the supported schema types.

use super::media::{Params, SchemaBody, SubjectVersionRef, registry_body, registry_json};
use crate::error::ApiError;
use crate::registry::Registry;
use crate::schema::AVRO;
use axum::extract::{Path, State};
use axum::response::Response;

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| ApiError::RouteNotFound)
}

/// `GET /schemas/types`: only Avro.
#[utoipa::path(
    get,
    path = "/schemas/types",
    tag = "schemas",
    responses(
        (status = 200, description = "The supported schema types", body = Vec<String>, content_type = "application/vnd.schemaregistry.v1+json"),

    )
)]
pub async fn types() -> Response {
    registry_json(&[AVRO])
}

/// `GET /schemas/ids/{id}` → `{"schema": ...}` (no `schemaType` for Avro, like Confluent).
#[utoipa::path(
    get,
    path = "/schemas/ids/{id}",
    tag = "schemas",
    params(("id" = String, Path, description = "The global schema id")),
    responses(
        (status = 200, description = "The schema", body = SchemaBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn by_id(
    State(registry): State<Registry>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let text = registry.schema_by_id(parse_id(&id)?).await?;
    Ok(registry_json(&SchemaBody { schema: text }))
}

/// `GET /schemas/ids/{id}/schema`: the schema text itself.
#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/schema",
    tag = "schemas",
    params(("id" = String, Path, description = "The global schema id")),
    responses(
        (status = 200, description = "The schema text itself", body = serde_json::Value, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn raw_by_id(
    State(registry): State<Registry>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(registry_body(registry.schema_by_id(parse_id(&id)?).await?))
}

/// `GET /schemas/ids/{id}/versions` → `[{"subject": .., "version": ..}]`.
#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/versions",
    tag = "schemas",
    params(("id" = String, Path, description = "The global schema id"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted ones"), ("subject" = Option<String>, Query, description = "Only this subject"), ("offset" = Option<i64>, Query, description = "Skip this many"), ("limit" = Option<i64>, Query, description = "At most this many (negative: no limit)")),
    responses(
        (status = 200, description = "Where the schema is used", body = Vec<SubjectVersionRef>, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn versions(
    State(registry): State<Registry>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let usages = registry
        .schema_usages(parse_id(&id)?, params.flag("deleted"))
        .await?;
    let pairs: Vec<_> = usages
        .into_iter()
        .filter(|(s, _)| params.get("subject").is_none_or(|want| want == s))
        .map(|(subject, version)| SubjectVersionRef { subject, version })
        .collect();
    Ok(registry_json(&params.paginate(pairs)))
}

/// `GET /schemas/ids/{id}/subjects` → subject names.
#[utoipa::path(
    get,
    path = "/schemas/ids/{id}/subjects",
    tag = "schemas",
    params(("id" = String, Path, description = "The global schema id"), ("deleted" = Option<bool>, Query, description = "Include soft-deleted ones"), ("subject" = Option<String>, Query, description = "Only this subject"), ("offset" = Option<i64>, Query, description = "Skip this many"), ("limit" = Option<i64>, Query, description = "At most this many (negative: no limit)")),
    responses(
        (status = 200, description = "Subjects using the schema", body = Vec<String>, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 404, description = "40401 subject, 40402 version, 40403 schema not found (and 4040x for soft-deleted ones)",
            body = crate::error::ErrorBody, content_type = "application/vnd.schemaregistry.v1+json"),
        (status = 500, description = "50001: the backend store failed", body = crate::error::ErrorBody,
            content_type = "application/vnd.schemaregistry.v1+json"),
    )
)]
pub async fn subjects(
    State(registry): State<Registry>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let usages = registry
        .schema_usages(parse_id(&id)?, params.flag("deleted"))
        .await?;
    let mut names: Vec<String> = usages
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| params.get("subject").is_none_or(|want| want == s))
        .collect();
    names.dedup();
    Ok(registry_json(&params.paginate(names)))
}
