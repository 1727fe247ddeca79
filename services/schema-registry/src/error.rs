//! API errors. Each variant has the HTTP status and the stable `error_code` a Confluent Schema
//! Registry reports for the same situation, and renders as `{"error_code": .., "message": ..}`
//! with the registry media type.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::media::registry_json;
use crate::store::StoreError;

/// An error reported to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 40401.
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    /// 40402.
    #[error("Version {0} not found.")]
    VersionNotFound(i32),
    /// 40403, for a lookup by id.
    #[error("Schema {0} not found")]
    SchemaIdNotFound(i64),
    /// 40403, for a lookup of a schema under a subject.
    #[error("Schema not found")]
    SchemaNotFound,
    /// 40404.
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// 40405.
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// 40406.
    #[error(
        "Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently"
    )]
    VersionSoftDeleted { subject: String, version: i32 },
    /// 40407.
    #[error(
        "Subject '{subject}' Version {version} was not deleted first before being permanently deleted"
    )]
    VersionNotSoftDeleted { subject: String, version: i32 },
    /// 40408.
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectCompatibilityNotConfigured(String),
    /// 409 (Confluent uses the HTTP status as the error code here).
    #[error("{0}")]
    IncompatibleSchema(String),
    /// 42201: unparsable schema, unsupported schema type, references, metadata or rules.
    #[error("{0}")]
    InvalidSchema(String),
    /// 42202.
    #[error(
        "The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\""
    )]
    InvalidVersion(String),
    /// 42203.
    #[error(
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"
    )]
    InvalidCompatibilityLevel,
    /// 400: the body is not the JSON the endpoint expects.
    #[error("{0}")]
    BadRequest(String),
    /// 415: a request body in a media type the registry does not accept.
    #[error("HTTP 415 Unsupported Media Type: {0}")]
    UnsupportedMediaType(String),
    /// 404 for a path that is no endpoint.
    #[error("HTTP 404 Not Found")]
    RouteNotFound,
    /// 405 for a known path with the wrong method.
    #[error("HTTP 405 Method Not Allowed")]
    MethodNotAllowed,
    /// 50001: the database failed; details are logged, not returned.
    #[error("Error in the backend data store")]
    Store(#[from] StoreError),
}

/// The error body every Confluent client parses: a stable numeric `error_code` (Confluent's
/// codes, e.g. 40401 subject not found) and a message.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error_code: u32,
    pub message: String,
}

impl ApiError {
    /// HTTP status and Confluent `error_code`.
    pub fn status_and_code(&self) -> (StatusCode, u32) {
        match self {
            Self::SubjectNotFound(_) => (StatusCode::NOT_FOUND, 40401),
            Self::VersionNotFound(_) => (StatusCode::NOT_FOUND, 40402),
            Self::SchemaIdNotFound(_) | Self::SchemaNotFound => (StatusCode::NOT_FOUND, 40403),
            Self::SubjectSoftDeleted(_) => (StatusCode::NOT_FOUND, 40404),
            Self::SubjectNotSoftDeleted(_) => (StatusCode::NOT_FOUND, 40405),
            Self::VersionSoftDeleted { .. } => (StatusCode::NOT_FOUND, 40406),
            Self::VersionNotSoftDeleted { .. } => (StatusCode::NOT_FOUND, 40407),
            Self::SubjectCompatibilityNotConfigured(_) => (StatusCode::NOT_FOUND, 40408),
            Self::IncompatibleSchema(_) => (StatusCode::CONFLICT, 409),
            Self::InvalidSchema(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42201),
            Self::InvalidVersion(_) => (StatusCode::UNPROCESSABLE_ENTITY, 42202),
            Self::InvalidCompatibilityLevel => (StatusCode::UNPROCESSABLE_ENTITY, 42203),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, 400),
            Self::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, 415),
            Self::RouteNotFound => (StatusCode::NOT_FOUND, 404),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, 405),
            Self::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, 50001),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_code) = self.status_and_code();
        if let Self::Store(err) = &self {
            tracing::error!(error = %err, "schema registry store error");
        } else {
            tracing::debug!(error_code, message = %self, "request rejected");
        }
        let body = ErrorBody {
            error_code,
            message: self.to_string(),
        };
        (status, registry_json(&body)).into_response()
    }
}
