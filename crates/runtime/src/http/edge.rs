//! The layers every OMS HTTP API runs behind, outermost first:
//! 1. correlation id ([`super::correlation`]);
//! 2. the request span (`http.request`, with method, route, correlation id, and the caller's
//!    tenant and subject once authenticated), continuing an incoming W3C `traceparent`;
//! 3. request metrics: `http_requests_total{method,route,status}` and
//!    `http_request_duration_seconds{method,route}`;
//! 4. problem+json for every error response that is not already JSON (axum's 404/405, plain
//!    rejections), so clients see one error format;
//! 5. a NUL character in the URL or in a JSON body's strings: 400 before any handler;
//! 6. the request timeout: 503 `TIMEOUT`;
//! 7. the request body limit (413 `PAYLOAD_TOO_LARGE` through the body extractors).

use super::correlation::{self, CorrelationId};
use super::problem::{PROBLEM_JSON, Problem};
use crate::config::HttpConfig;
use axum::Router;
use axum::body::to_bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{self, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::trace::{DefaultOnResponse, MakeSpan, TraceLayer};
use tracing::{Level, Span, field};

/// Limits applied at the edge.
#[derive(Debug, Clone, Copy)]
pub struct EdgeOptions {
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for EdgeOptions {
    fn default() -> Self {
        Self::from(&HttpConfig::default())
    }
}

impl From<&HttpConfig> for EdgeOptions {
    fn from(config: &HttpConfig) -> Self {
        Self {
            body_limit_bytes: config.body_limit_bytes,
            request_timeout: config.request_timeout(),
        }
    }
}

/// Wraps `router` in the edge layers. [`super::Server::serve`] calls it; tests that drive a
/// router without a socket can too.
pub fn with_edge_layers(router: Router, options: EdgeOptions) -> Router {
    let timeout = options.request_timeout;
    let body_limit = options.body_limit_bytes;
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(correlation::middleware))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(RequestSpan)
                    .on_response(
                        DefaultOnResponse::new()
                            .level(Level::INFO)
                            .latency_unit(LatencyUnit::Millis),
                    ),
            )
            .layer(middleware::from_fn(record_metrics))
            .layer(middleware::from_fn(problem_for_plain_errors))
            .layer(middleware::from_fn(refuse_nul_in_url))
            .layer(middleware::from_fn(move |request, next| {
                refuse_nul_in_json(body_limit, request, next)
            }))
            .layer(middleware::from_fn(move |request, next| {
                enforce_timeout(timeout, request, next)
            }))
            .layer(DefaultBodyLimit::max(options.body_limit_bytes)),
    )
}

/// Builds the request span. The parent is the caller's trace when a `traceparent` header came in.
#[derive(Debug, Clone, Copy)]
struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &http::Request<B>) -> Span {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str);
        let correlation_id = request
            .extensions()
            .get::<CorrelationId>()
            .map(CorrelationId::as_str);
        let span = tracing::info_span!(
            "http.request",
            otel.name = format!("{} {}", request.method(), route.unwrap_or("unmatched")),
            otel.kind = "server",
            http.method = %request.method(),
            http.route = route,
            url.path = request.uri().path(),
            correlation_id,
            tenant_id = field::Empty,
            subject = field::Empty,
        );
        if let Some(traceparent) = request
            .headers()
            .get("traceparent")
            .and_then(|value| value.to_str().ok())
        {
            oms_telemetry::set_parent_from_traceparent(&span, traceparent);
        }
        span
    }
}

/// A NUL character (`%00`) in the path or query string is refused with 400 `INVALID_QUERY`
/// before any handler runs: no identifier or filter of ours can contain one, and PostgreSQL
/// text cannot hold it, so it would otherwise reach the database as a 500 (found by the
/// schemathesis run of CI: `GET /api/v1/fallouts?code=...%00...` on projections).
async fn refuse_nul_in_url(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let has_nul = |part: &str| part.contains("%00") || part.contains('\0');
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return Problem::new(StatusCode::BAD_REQUEST, "INVALID_QUERY")
            .detail("The path or query string contains a NUL character (%00), which no parameter may hold.")
            .violations(vec![super::problem::Violation::new(
                "",
                "INVALID_VALUE",
                "remove the NUL character (%00)",
            )])
            .into_response();
    }
    next.run(request).await
}

/// A JSON body whose strings hold a NUL character (`\u0000`) is refused with 400
/// `INVALID_BODY`, the violation at the field that holds it: PostgreSQL can store it neither
/// in `text` nor in `jsonb`, so it would otherwise reach the database as a 500. Bodies are
/// read up to the body limit (413 `PAYLOAD_TOO_LARGE` beyond it, as the extractors would
/// answer); bodies of other types pass untouched.
async fn refuse_nul_in_json(limit: usize, request: Request, next: Next) -> Response {
    let is_json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("json"));
    if !is_json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        return super::error::ApiError::PayloadTooLarge.into_response();
    };
    if has_nul(&bytes) {
        let field = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|value| nul_path(&value, String::new()))
            .unwrap_or_default();
        return Problem::new(StatusCode::BAD_REQUEST, "INVALID_BODY")
            .detail("A string of the JSON body contains a NUL character (\\u0000), which no field may hold.")
            .violations(vec![super::problem::Violation::new(
                field,
                "INVALID_VALUE",
                "remove the NUL character (\\u0000)",
            )])
            .into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Whether JSON text holds a NUL: escaped (`\u0000`) in a string, or raw. A backslash always
/// starts a two-character escape (or `\uXXXX`), so an escaped backslash followed by `u0000`
/// is text, not a NUL.
fn has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            0 => return true,
            b'\\' if json.get(i + 1..i + 6) == Some(b"u0000") => return true,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    false
}

/// The path (`items[0].reason`, `""` for the root) of the first string or key holding a NUL.
fn nul_path(value: &serde_json::Value, path: String) -> Option<String> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        serde_json::Value::String(text) => text.contains('\0').then_some(path),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(k, item)| nul_path(item, format!("{path}[{k}]"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, field)| {
            if key.contains('\0') {
                Some(join(key))
            } else {
                nul_path(field, join(key))
            }
        }),
        _ => None,
    }
}

async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        "http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

async fn enforce_timeout(timeout: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_elapsed) => {
            tracing::warn!(?timeout, "request timed out");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "TIMEOUT")
                .detail("The request took too long and was abandoned; retry it.")
                .into_response()
        }
    }
}

/// Largest plain-text error body kept as the problem's `detail`.
const MAX_PLAIN_DETAIL: usize = 2048;

async fn problem_for_plain_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if content_type.starts_with(PROBLEM_JSON) || content_type.starts_with("application/json") {
        return response;
    }
    let (parts, body) = response.into_parts();
    let mut problem = Problem::new(status, code_for(status));
    // axum's client-error texts are safe to show; server-error texts are not shown.
    if status.is_client_error()
        && content_type.starts_with("text/plain")
        && let Ok(bytes) = to_bytes(body, MAX_PLAIN_DETAIL).await
    {
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        if !text.is_empty() {
            problem = problem.detail(text);
        }
    }
    let mut converted = problem.into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            converted.headers_mut().append(name, value.clone());
        }
    }
    converted
}

/// A stable code for a bare status: `NOT_FOUND`, `METHOD_NOT_ALLOWED`, ...
fn code_for(status: StatusCode) -> String {
    match status {
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED".to_owned(),
        StatusCode::INTERNAL_SERVER_ERROR => "INTERNAL_ERROR".to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("ERROR")
            .to_ascii_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_escaped_or_raw_nul_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(has_nul(br#"{"a": "x\u0000y"}"#));
        assert!(has_nul(b"{\"a\": \"x\0\"}"));
        assert!(
            !has_nul(br#"{"a": "x\\u0000y"}"#),
            "a backslash, then the text u0000"
        );
        assert!(has_nul(br#"{"a": "x\\\u0000"}"#), "a backslash, then a NUL");
        assert!(has_nul(br#"{"a": "\u00001"}"#), "a NUL, then the text 1");
        assert!(!has_nul(br#"{"a": "caf\u00e9", "b": 0}"#));
    }

    #[test]
    fn the_violation_names_the_field_that_holds_the_nul() {
        let body = serde_json::json!({ "customer": { "id": "c-1" }, "items": [{ "note": "ok" }, { "note": "a\u{0}b" }] });
        assert_eq!(
            nul_path(&body, String::new()).as_deref(),
            Some("items[1].note")
        );
        let key = serde_json::json!({ "a\u{0}": 1 });
        assert_eq!(nul_path(&key, String::new()).as_deref(), Some("a\u{0}"));
        assert_eq!(
            nul_path(&serde_json::json!({ "a": "b" }), String::new()),
            None
        );
    }

    #[test]
    fn bare_statuses_get_screaming_snake_codes() {
        assert_eq!(code_for(StatusCode::NOT_FOUND), "NOT_FOUND");
        assert_eq!(
            code_for(StatusCode::METHOD_NOT_ALLOWED),
            "METHOD_NOT_ALLOWED"
        );
        assert_eq!(code_for(StatusCode::PAYLOAD_TOO_LARGE), "PAYLOAD_TOO_LARGE");
        assert_eq!(code_for(StatusCode::UNAUTHORIZED), "UNAUTHENTICATED");
    }
}
