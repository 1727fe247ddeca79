//! `ApiError`: the error type of every handler, rendered as a [`Problem`].
//!
//! Each variant has one status and a stable code. Internal errors are logged with their whole
//! cause chain (inside the request span, so with the correlation id) and shown to the client only
//! as `INTERNAL_ERROR`: never a stack, SQL text or a connection string. Services map their own
//! errors into these variants (database errors by constraint name or SQLSTATE, domain errors by
//! their stable code).

use super::problem::{Problem, Violation};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Realm advertised in `WWW-Authenticate`.
const REALM: &str = "oms";

/// What a handler returns when it cannot do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422 `VALIDATION_FAILED`: the request is well-formed but breaks business rules.
    #[error("validation failed ({} violation(s))", violations.len())]
    Validation { violations: Vec<Violation> },
    /// 404 `NOT_FOUND`. Also the answer for another tenant's resources, so their existence does
    /// not leak.
    #[error("not found: {detail}")]
    NotFound { detail: String },
    /// 409 with the caller's code, such as `VERSION_MISMATCH` or `ORDER_ALREADY_CANCELLED`.
    #[error("conflict {code}: {detail}")]
    Conflict {
        code: Cow<'static, str>,
        detail: String,
    },
    /// 401 `UNAUTHENTICATED`, with `WWW-Authenticate: Bearer`. `invalid_token` adds
    /// `error="invalid_token"` (RFC 6750 §3.1) when a token was presented but rejected.
    #[error("unauthenticated: {detail}")]
    Unauthorized { detail: String, invalid_token: bool },
    /// 403 with a code such as `MISSING_SCOPE` or `FORBIDDEN`.
    #[error("forbidden {code}: {detail}")]
    Forbidden {
        code: Cow<'static, str>,
        detail: String,
    },
    /// 400 with a code such as `MISSING_HEADER`, `MALFORMED_JSON` or `INVALID_BODY`.
    #[error("bad request {code}: {detail}")]
    BadRequest {
        code: Cow<'static, str>,
        detail: String,
        violations: Vec<Violation>,
    },
    /// 413 `PAYLOAD_TOO_LARGE`.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415 `UNSUPPORTED_MEDIA_TYPE`.
    #[error("unsupported media type: {detail}")]
    UnsupportedMediaType { detail: String },
    /// 503 `SERVICE_UNAVAILABLE`: a dependency (identity provider, database) is down; retry later.
    #[error("service unavailable: {detail}")]
    Unavailable { detail: String },
    /// 500 `INTERNAL_ERROR`; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] BoxError),
    /// Any other problem, sent as built (status, code and extensions included).
    #[error("{} {}", .0.status, .0.code)]
    Problem(Box<Problem>),
}

impl ApiError {
    pub fn validation(violations: Vec<Violation>) -> Self {
        Self::Validation { violations }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound {
            detail: detail.into(),
        }
    }

    pub fn conflict(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code: code.into(),
            detail: detail.into(),
        }
    }

    /// 401 for a request without credentials.
    pub fn missing_credentials() -> Self {
        Self::Unauthorized {
            detail: "A bearer token is required (Authorization: Bearer <token>).".to_owned(),
            invalid_token: false,
        }
    }

    /// 401 for a token that was presented but is not valid.
    pub fn invalid_token() -> Self {
        Self::Unauthorized {
            detail: "The bearer token is not valid.".to_owned(),
            invalid_token: true,
        }
    }

    pub fn forbidden(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::Forbidden {
            code: code.into(),
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: impl Into<Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            code: code.into(),
            detail: detail.into(),
            violations: Vec::new(),
        }
    }

    /// 400 `MISSING_HEADER` naming the header in a violation.
    pub fn missing_header(name: &str) -> Self {
        Self::BadRequest {
            code: Cow::Borrowed("MISSING_HEADER"),
            detail: format!("The {name} header is required."),
            violations: vec![Violation::new(name, "REQUIRED", "header is required")],
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::Unavailable {
            detail: detail.into(),
        }
    }

    pub fn internal(error: impl Into<BoxError>) -> Self {
        Self::Internal(error.into())
    }

    /// The stable code clients see.
    pub fn code(&self) -> &str {
        match self {
            Self::Validation { .. } => "VALIDATION_FAILED",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict { code, .. }
            | Self::Forbidden { code, .. }
            | Self::BadRequest { code, .. } => code,
            Self::Unauthorized { .. } => "UNAUTHENTICATED",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType { .. } => "UNSUPPORTED_MEDIA_TYPE",
            Self::Unavailable { .. } => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_ERROR",
            Self::Problem(problem) => &problem.code,
        }
    }

    /// The problem body this error is rendered as. Logs internal errors.
    pub fn to_problem(&self) -> Problem {
        let code = self.code().to_owned();
        match self {
            Self::Validation { violations } => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code)
                .title("The request is not valid")
                .detail(format!("{} input(s) are invalid.", violations.len()))
                .violations(violations.clone()),
            Self::NotFound { detail } => Problem::new(StatusCode::NOT_FOUND, code).detail(detail),
            Self::Conflict { detail, .. } => {
                Problem::new(StatusCode::CONFLICT, code).detail(detail)
            }
            Self::Unauthorized { detail, .. } => {
                Problem::new(StatusCode::UNAUTHORIZED, code).detail(detail)
            }
            Self::Forbidden { detail, .. } => {
                Problem::new(StatusCode::FORBIDDEN, code).detail(detail)
            }
            Self::BadRequest {
                detail, violations, ..
            } => Problem::new(StatusCode::BAD_REQUEST, code)
                .detail(detail)
                .violations(violations.clone()),
            Self::PayloadTooLarge => Problem::new(StatusCode::PAYLOAD_TOO_LARGE, code)
                .detail("The request body is larger than this API accepts."),
            Self::UnsupportedMediaType { detail } => {
                Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, code).detail(detail)
            }
            Self::Unavailable { detail } => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, code).detail(detail)
            }
            Self::Internal(error) => {
                tracing::error!(error = %error_chain(error.as_ref()), "internal error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, code).detail(
                    "An unexpected error occurred. Quote the correlation id when reporting it.",
                )
            }
            Self::Problem(problem) => (**problem).clone(),
        }
    }
}

/// `error: cause: cause`, for one log field.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<Problem> for ApiError {
    fn from(problem: Problem) -> Self {
        Self::Problem(Box::new(problem))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.to_problem().into_response();
        if let Self::Unauthorized { invalid_token, .. } = &self {
            let challenge = if *invalid_token {
                format!("Bearer realm=\"{REALM}\", error=\"invalid_token\"")
            } else {
                format!("Bearer realm=\"{REALM}\"")
            };
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}
