//! `/schemas/...`: schemas by global id, and the supported schema types.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::media::{Params, registry_body, registry_json};
use crate::error::ApiError;
use crate::registry::Registry;
use crate::schema::AVRO;

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| ApiError::RouteNotFound)
}

/// `GET /schemas/types`: only Avro.
pub async fn types() -> Response {
    registry_json(&[AVRO])
}

/// `GET /schemas/ids/{id}` → `{"schema": ...}` (no `schemaType` for Avro, like Confluent).
pub async fn by_id(
    State(registry): State<Registry>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let text = registry.schema_by_id(parse_id(&id)?).await?;
    Ok(registry_json(&json!({ "schema": text })))
}

/// `GET /schemas/ids/{id}/schema`: the schema text itself.
pub async fn raw_by_id(
    State(registry): State<Registry>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(registry_body(registry.schema_by_id(parse_id(&id)?).await?))
}

/// `GET /schemas/ids/{id}/versions` → `[{"subject": .., "version": ..}]`.
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
        .map(|(subject, version)| json!({"subject": subject, "version": version}))
        .collect();
    Ok(registry_json(&params.paginate(pairs)))
}

/// `GET /schemas/ids/{id}/subjects` → subject names.
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
