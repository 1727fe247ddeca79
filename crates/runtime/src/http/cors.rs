//! Cross-origin requests from browser front ends (`http.cors_allowed_origins`), off by default.
//!
//! The operations dashboard is served by the projections service; its operator actions (retry a
//! task, repair a fallout, release a hold) call the owning service's API straight from the
//! browser with the operator's own bearer token (ADR 0011). A browser only sends such a request
//! to another origin when that service allows the dashboard's origin, so a service lists the
//! origins it trusts, exactly (scheme, host and port; no wildcards). Nothing changes for other
//! clients: CORS only tells browsers what they may do, the bearer token still decides.
//!
//! The layer sits outside every other one, so a preflight `OPTIONS` is answered before routing
//! and authentication (browsers send it without credentials).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use serde::{Deserialize, Deserializer};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Request headers a front end may send.
const ALLOWED_HEADERS: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    HeaderName::from_static("idempotency-key"),
    HeaderName::from_static("x-correlation-id"),
];

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// `router` behind a CORS layer for `origins`; unchanged when there are none (the default).
/// Origins that are not valid header values are skipped with a warning.
pub fn allow_origins(router: Router, origins: &[String]) -> Router {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .map(|origin| origin.trim().trim_end_matches('/'))
        .filter(|origin| !origin.is_empty())
        .filter_map(|origin| {
            let value = HeaderValue::from_str(origin).ok();
            if value.is_none() {
                tracing::warn!(%origin, "ignoring an invalid CORS origin");
            }
            value
        })
        .collect();
    if allowed.is_empty() {
        return router;
    }
    tracing::info!(origins = ?allowed, "CORS enabled");
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(allowed))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers(ALLOWED_HEADERS)
            .expose_headers([HeaderName::from_static("x-correlation-id")])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// Reads `http.cors_allowed_origins` as a list, or as one comma-separated string (what an
/// environment variable gives: `OMS_HTTP__CORS_ALLOWED_ORIGINS=http://a:8085,http://b:8085`).
pub(crate) fn origins<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Origins {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Origins::deserialize(deserializer)? {
        Origins::List(list) => list,
        Origins::Text(text) => text.split(',').map(str::to_owned).collect(),
    }
    .into_iter()
    .map(|origin| origin.trim().to_owned())
    .filter(|origin| !origin.is_empty())
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt as _;

    fn app(origins: &[&str]) -> Router {
        let origins: Vec<String> = origins.iter().map(|o| (*o).to_owned()).collect();
        allow_origins(Router::new().route("/x", get(|| async { "x" })), &origins)
    }

    fn preflight(origin: &str) -> Request<Body> {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/x")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn a_listed_origin_may_call_with_a_bearer_token() {
        let response = app(&["http://127.0.0.1:8085"])
            .oneshot(preflight("http://127.0.0.1:8085"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert_eq!(
            headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://127.0.0.1:8085"
        );
        assert!(
            headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
                .to_str()
                .unwrap()
                .contains("authorization")
        );
    }

    #[tokio::test]
    async fn other_origins_and_the_default_get_no_cors_headers() {
        let response = app(&["http://127.0.0.1:8085"])
            .oneshot(preflight("http://evil.example"))
            .await
            .unwrap();
        assert!(
            !response
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        );
        let response = app(&[])
            .oneshot(preflight("http://127.0.0.1:8085"))
            .await
            .unwrap();
        assert!(
            !response
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        );
    }

    #[test]
    fn origins_read_from_a_list_or_a_comma_separated_string() {
        let from = |value: serde_json::Value| origins(value).unwrap();
        assert_eq!(
            from(serde_json::json!("http://a:1, http://b:2,")),
            ["http://a:1", "http://b:2"]
        );
        assert_eq!(from(serde_json::json!(["http://a:1"])), ["http://a:1"]);
        assert!(from(serde_json::json!("")).is_empty());
    }
}
