//! `/compatibility/...`: test a schema against a subject without registering it.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::media::{Params, RegistryBody, registry_json};
use crate::error::ApiError;
use crate::registry::{CompatibilityReport, Registry, SchemaRequest, VersionSpec};

fn body(report: &CompatibilityReport, verbose: bool) -> Response {
    if verbose {
        registry_json(&json!({
            "is_compatible": report.is_compatible(),
            "messages": report.messages,
        }))
    } else {
        registry_json(&json!({ "is_compatible": report.is_compatible() }))
    }
}

/// `POST /compatibility/subjects/{subject}/versions`: against the versions the subject's level
/// looks at (all live ones when transitive, else the latest); compatible when there are none.
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
