//! Operator routes for technical catalog versions (scope `operator`):
//!
//! - `POST /api/v1/catalog/versions`: publish a version. The body is the catalog TOML
//!   (`Content-Type: application/toml` or `text/plain`) or JSON `{"source": "<toml>"}`. 201
//!   with `Location` for a new version, 200 when the same version was already published with
//!   the same rules; 422 `CATALOG_INVALID` listing every error (code, line, column, path), 409
//!   `CATALOG_VERSION_CONFLICT` (same number, other rules) or `CATALOG_VERSION_NOT_HIGHER`,
//!   413 above `decomposition.max_catalog_bytes`;
//! - `GET /api/v1/catalog/versions`: every published version, newest first (the first is
//!   the active one);
//! - `GET /api/v1/catalog/versions/{version}`: one version with its source text.
//!
//! The catalog is the deployment's rules, not a tenant's data: every operator sees the same
//! versions. Publications record the operator's subject and tenant.

use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oms_runtime::http::{ApiError, Caller, Json, Problem, Violation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{ApiState, internal};
use crate::catalog::{CatalogErrors, RulesVersion};
use crate::publish::{self, PublishError, Published, Publisher};
use crate::store::catalog::{self, StoredVersion};

/// How publications through this API are labelled in errors and in `sourceName`.
const SOURCE_NAME: &str = "operator API";

/// Media types read as the catalog's TOML text.
const TOML_TYPES: [&str; 4] = [
    "application/toml",
    "application/x-toml",
    "text/x-toml",
    "text/plain",
];

/// A published version as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionView {
    /// `v<number>+<12 hex>`: what plans and `OrderDecomposed` carry as the rules version.
    label: String,
    /// Whether orders released now are decomposed with this version (the latest).
    active: bool,
    #[serde(flatten)]
    #[schema(inline)]
    stored: StoredVersion,
    /// The TOML as published (single-version reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

impl VersionView {
    fn new(stored: StoredVersion, active: bool, source: Option<String>) -> Self {
        let label = RulesVersion {
            number: stored.version,
            content_hash: stored.content_hash.clone(),
        }
        .label();
        Self {
            label,
            active,
            stored,
            source,
        }
    }
}

/// Every published version, newest first (the first is the active one).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionList {
    active_version: Option<u32>,
    versions: Vec<VersionView>,
}

/// The JSON form of a publication.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct JsonBody {
    /// The catalog's TOML text.
    source: String,
}

/// Publishes a technical catalog version (TOML, or JSON `{"source": "<toml>"}`).
#[utoipa::path(
    post,
    path = "/api/v1/catalog/versions",
    tag = "catalog",
    request_body(
        description = "The catalog TOML, or JSON {\"source\": \"<toml>\"}",
        content(
            (String = "application/toml"),
            (String = "text/plain"),
            (JsonBody = "application/json"),
        )
    ),
    responses(
        (status = 201, description = "A new version; `Location` names it", body = VersionView),
        (status = 200, description = "The same version was already published with the same rules",
            body = VersionView),
        (status = 400, description = "INVALID_BODY, INVALID_ENCODING",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
        (status = 409, description = "CATALOG_VERSION_CONFLICT, CATALOG_VERSION_NOT_HIGHER",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
        (status = 422, description = "CATALOG_INVALID: every error with its line, column and path",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
pub async fn publish(
    caller: Caller,
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let text = catalog_text(&headers, body, state.max_catalog_bytes).await?;
    let publisher = Publisher {
        subject: caller.subject.clone(),
        tenant: Some(caller.tenant_id.clone()),
    };
    let published = publish::publish(&state.pool, SOURCE_NAME, &text, &publisher)
        .await
        .map_err(publish_problem)?;
    let status = match &published {
        Published::Created(v) => {
            tracing::info!(version = v.version, operator = %caller.subject, "catalog version published through the API");
            StatusCode::CREATED
        }
        Published::Unchanged(_) => StatusCode::OK,
    };
    let stored = published.version().clone();
    let location = format!("/api/v1/catalog/versions/{}", stored.version);
    // A version just published or re-confirmed is the latest unless a higher one exists.
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let latest = catalog::latest(&mut conn).await.map_err(internal)?;
    let active = latest.is_some_and(|(n, _)| n == stored.version);
    let mut response = (status, Json(VersionView::new(stored, active, None))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// Every published version, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/catalog/versions",
    tag = "catalog",
    responses((status = 200, description = "The published versions", body = VersionList)),
    security(("bearer" = ["operator"]))
)]
pub async fn list(
    _caller: Caller,
    State(state): State<ApiState>,
) -> Result<Json<VersionList>, ApiError> {
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let stored = catalog::list(&mut conn).await.map_err(internal)?;
    let active_version = stored.first().map(|v| v.version);
    let versions = stored
        .into_iter()
        .map(|v| {
            let active = Some(v.version) == active_version;
            VersionView::new(v, active, None)
        })
        .collect();
    Ok(Json(VersionList {
        active_version,
        versions,
    }))
}

/// One published version with its source text.
#[utoipa::path(
    get,
    path = "/api/v1/catalog/versions/{version}",
    tag = "catalog",
    params(("version" = String, Path, description = "The version number")),
    responses(
        (status = 200, description = "The version and its TOML", body = VersionView),
        (status = 404, description = "CATALOG_VERSION_NOT_FOUND",
            body = oms_runtime::http::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["operator"]))
)]
pub async fn get(
    _caller: Caller,
    State(state): State<ApiState>,
    Path(version): Path<String>,
) -> Result<Json<VersionView>, ApiError> {
    let not_found = || -> ApiError {
        Problem::new(StatusCode::NOT_FOUND, "CATALOG_VERSION_NOT_FOUND")
            .detail(format!(
                "No technical catalog version {version} is published."
            ))
            .into()
    };
    let Ok(number) = version.parse::<u32>() else {
        return Err(not_found());
    };
    let mut conn = state.pool.acquire().await.map_err(|e| internal(e.into()))?;
    let Some(stored) = catalog::find(&mut conn, number).await.map_err(internal)? else {
        return Err(not_found());
    };
    let (source, _) = catalog::source(&mut conn, number)
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let latest = catalog::latest(&mut conn).await.map_err(internal)?;
    let active = latest.is_some_and(|(n, _)| n == number);
    Ok(Json(VersionView::new(stored, active, Some(source))))
}

/// The catalog text of a publication, within the size limit.
async fn catalog_text(headers: &HeaderMap, body: Body, limit: usize) -> Result<String, ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_json = media_type == "application/json";
    if !is_json && !TOML_TYPES.contains(&media_type.as_str()) {
        return Err(ApiError::UnsupportedMediaType {
            detail: "Send the catalog as TOML (Content-Type: application/toml or text/plain) \
                     or as JSON {\"source\": \"<toml>\"} (Content-Type: application/json)."
                .to_owned(),
        });
    }
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        ApiError::from(
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
                .detail(format!(
                    "A catalog may be at most {limit} bytes (decomposition.max_catalog_bytes)."
                ))
                .extension("limitBytes", limit),
        )
    })?;
    let text = if is_json {
        serde_json::from_slice::<JsonBody>(&bytes)
            .map_err(|error| {
                ApiError::bad_request(
                    "INVALID_BODY",
                    format!("Expected {{\"source\": \"<catalog TOML>\"}}: {error}."),
                )
            })?
            .source
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|_| {
            ApiError::bad_request("INVALID_ENCODING", "The catalog text must be UTF-8.")
        })?
    };
    Ok(text)
}

/// The problem+json of a refused publication.
fn publish_problem(error: PublishError) -> ApiError {
    match error {
        PublishError::Invalid(errors) => invalid_catalog(&errors),
        PublishError::VersionConflict {
            version,
            published_hash,
            offered_hash,
        } => Problem::new(StatusCode::CONFLICT, "CATALOG_VERSION_CONFLICT")
            .detail(format!(
                "Catalog version {version} is already published with other rules. Published \
                 versions are immutable: publish the change under a higher version number."
            ))
            .extension("version", version)
            .extension("publishedContentHash", published_hash)
            .extension("contentHash", offered_hash)
            .into(),
        PublishError::NotHigher { version, latest } => {
            Problem::new(StatusCode::CONFLICT, "CATALOG_VERSION_NOT_HIGHER")
                .detail(format!(
                    "Catalog version {version} is not higher than the latest published version \
                     {latest}; a new version must be higher than every published one."
                ))
                .extension("version", version)
                .extension("latestVersion", latest)
                .into()
        }
        PublishError::Store(error) => internal(error),
    }
}

/// 422 `CATALOG_INVALID`: every error, as violations (path, code, message with position)
/// and as `errors` with the line and column as numbers.
fn invalid_catalog(errors: &CatalogErrors) -> ApiError {
    let violations = errors
        .errors
        .iter()
        .map(|e| {
            let message = match e.location {
                Some(at) => format!("line {}, column {}: {}", at.line, at.column, e.message),
                None => e.message.clone(),
            };
            Violation::new(e.path.clone(), e.code.as_str(), message)
        })
        .collect();
    let detailed: Vec<serde_json::Value> = errors
        .errors
        .iter()
        .map(|e| {
            json!({
                "code": e.code.as_str(),
                "line": e.location.map(|l| l.line),
                "column": e.location.map(|l| l.column),
                "path": e.path,
                "message": e.message,
            })
        })
        .collect();
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "CATALOG_INVALID")
        .title("The technical catalog is not valid")
        .detail(format!(
            "The catalog has {} error(s); nothing was published. Fix every one and publish again.",
            errors.errors.len()
        ))
        .violations(violations)
        .extension("errors", detailed)
        .into()
}
