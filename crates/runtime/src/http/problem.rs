//! RFC 7807 problem details: the one error body every OMS HTTP API returns.
//!
//! ```json
//! {
//!   "type": "urn:oms:problem:validation-failed",
//!   "title": "The request is not valid",
//!   "status": 422,
//!   "code": "VALIDATION_FAILED",
//!   "detail": "2 fields are invalid",
//!   "correlationId": "0193...",
//!   "violations": [{ "field": "items[0].quantity", "code": "OUT_OF_RANGE", "message": "..." }]
//! }
//! ```
//!
//! `code` is the stable, SCREAMING_SNAKE identifier clients branch on; `type` is derived from it.
//! `title` and `detail` are for people and may change. Extension members sit at the top level,
//! as the RFC asks. The correlation id of the current request is filled in automatically when the
//! response is built inside [`super::correlation`]'s middleware.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 7807 problem details object (`application/problem+json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A URI naming the problem type, derived from `code`.
    #[serde(rename = "type")]
    #[schema(example = "urn:oms:problem:not-found")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// The stable, SCREAMING_SNAKE identifier clients branch on.
    #[schema(example = "NOT_FOUND")]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    /// Extension members, serialized next to the standard ones.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extensions: Map<String, Value>,
}

/// One invalid input: where, a stable code, and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Violation {
    /// Path of the offending input: a JSON path such as `items[0].quantity`, a header name, or
    /// empty when the whole body is at fault.
    pub field: String,
    /// Stable SCREAMING_SNAKE code, such as `REQUIRED` or `OUT_OF_RANGE`.
    pub code: String,
    pub message: String,
}

impl Violation {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl Problem {
    /// A problem with the given status and stable code; `type` is `urn:oms:problem:<code in
    /// kebab case>` and `title` the status's reason phrase until [`Problem::title`] sets one.
    pub fn new(status: StatusCode, code: impl Into<String>) -> Self {
        let code = code.into();
        Self {
            type_uri: type_uri(&code),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code,
            detail: None,
            correlation_id: None,
            violations: Vec::new(),
            extensions: Map::new(),
        }
    }

    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn violations(mut self, violations: Vec<Violation>) -> Self {
        self.violations = violations;
        self
    }

    /// Adds an extension member, such as `currentVersion` on a version conflict. Standard member
    /// names are ignored here so an extension cannot shadow them.
    pub fn extension(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        if !RESERVED.contains(&name.as_str()) {
            self.extensions.insert(name, value.into());
        }
        self
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

const RESERVED: [&str; 8] = [
    "type",
    "title",
    "status",
    "code",
    "detail",
    "correlationId",
    "violations",
    "instance",
];

fn type_uri(code: &str) -> String {
    format!(
        "urn:oms:problem:{}",
        code.to_ascii_lowercase().replace('_', "-")
    )
}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        if self.correlation_id.is_none() {
            self.correlation_id = super::correlation::current().map(|id| id.to_string());
        }
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| {
            br#"{"type":"urn:oms:problem:internal-error","title":"Internal Server Error","status":500,"code":"INTERNAL_ERROR"}"#.to_vec()
        });
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_camel_case_and_top_level_extensions() {
        let problem = Problem::new(StatusCode::CONFLICT, "VERSION_MISMATCH")
            .detail("order changed")
            .extension("currentVersion", 7)
            .extension("status", 999);
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "urn:oms:problem:version-mismatch");
        assert_eq!(json["title"], "Conflict");
        assert_eq!(json["status"], 409);
        assert_eq!(json["currentVersion"], 7);
        assert!(
            json.get("violations").is_none(),
            "empty violations are omitted"
        );
        assert!(json.get("correlationId").is_none());
    }
}
