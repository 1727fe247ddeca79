//! `/compatibility/...`: test a schema against a subject without registering it.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Serialize;

use super::media::{Params, RegistryBody, registry_json};
use crate::error::ApiError;
use crate::registry::{CompatibilityReport, Registry, SchemaRequest, VersionSpec};

/// `{"is_compatible": bool}`, with the reasons when `verbose=true`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompatibilityBody {
    is_compatible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<Vec<String>>,
}

fn body(report: &CompatibilityReport, verbose: bool) -> Response {
    registry_json(&CompatibilityBody {
        is_compatible: report.is_compatible(),
        messages: verbose.then(|| report.messages.clone()),
    })
}

/// `POST /compatibility/subjects/{subject}/versions`: against the versions the subject's level
/// looks at (all live ones when transitive, else the latest); compatible when there are none.
#[utoipa::path(
    post,
    path = "/compatibility/subjects/{subject}/versions",
    tag = "compatibility",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("verbose" = Option<bool>, Query, description = "Say why it is incompatible")),
    request_body(content((SchemaRequest = "application/vnd.schemaregistry.v1+json"), (SchemaRequest = "application/json"))),
    responses(
        (status = 200, description = "Whether the schema is compatible", body = CompatibilityBody, content_type = "application/vnd.schemaregistry.v1+json"),
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
pub async fn against_subject(
    State(registry): State<Registry>,
    Path(subject): Path<String>,
    params: Params,
    RegistryBody(request): RegistryBody<SchemaRequest>,
) -> Result<Response, ApiError> {
    let report = registry
        .test_compatibility(&subject, None, &request)
        .await?;
    Ok(body(&report, params.flag("verbose")))
}

/// `POST /compatibility/subjects/{subject}/versions/{version}`: against that one version
/// (`latest` / `-1` for the newest live one).
#[utoipa::path(
    post,
    path = "/compatibility/subjects/{subject}/versions/{version}",
    tag = "compatibility",
    params(("subject" = String, Path, description = "The subject, e.g. oms.order.events.v1-value"), ("version" = String, Path, description = "A version number, or `latest` / `-1`"), ("verbose" = Option<bool>, Query, description = "Say why it is incompatible")),
    request_body(content((SchemaRequest = "application/vnd.schemaregistry.v1+json"), (SchemaRequest = "application/json"))),
    responses(
        (status = 200, description = "Whether the schema is compatible", body = CompatibilityBody, content_type = "application/vnd.schemaregistry.v1+json"),
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
pub async fn against_version(
    State(registry): State<Registry>,
    Path((subject, version)): Path<(String, String)>,
    params: Params,
    RegistryBody(request): RegistryBody<SchemaRequest>,
) -> Result<Response, ApiError> {
    let spec = VersionSpec::parse(&version)?;
    let report = registry
        .test_compatibility(&subject, Some(spec), &request)
        .await?;
    Ok(body(&report, params.flag("verbose")))
}
