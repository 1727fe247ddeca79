//! `TestClient`: HTTP calls to an app under test, with a base URL and an optional bearer token,
//! and [`expect_problem`] for checking error answers.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use std::time::Duration;

/// An HTTP client bound to one app.
#[derive(Debug, Clone)]
pub struct TestClient {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

impl TestClient {
    /// A client for `base_url` (such as `http://127.0.0.1:41234`), ignoring proxy variables and
    /// giving up on a request after 30 s.
    pub fn new(base_url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("building the HTTP test client");
        Self {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// A client for `http://127.0.0.1:<port>`.
    pub fn for_port(port: u16) -> Self {
        Self::new(format!("http://127.0.0.1:{port}"))
    }

    /// The same client sending `Authorization: Bearer <token>`.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The same client sending no credentials.
    pub fn without_token(mut self) -> Self {
        self.token = None;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `path` (starting with `/`) under the base URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A request with the token attached; add headers or a body, then `.send().await`.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self.http.request(method, self.url(path));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// POSTs `body` as JSON; panics if the request cannot be sent.
    pub async fn post_json<B: serde::Serialize + ?Sized>(&self, path: &str, body: &B) -> Response {
        self.post(path)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|error| panic!("POST {path}: {error}"))
    }

    /// GETs `path`; panics if the request cannot be sent.
    pub async fn get_ok(&self, path: &str) -> Response {
        self.get(path)
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {path}: {error}"))
    }
}

/// Asserts that `response` is an RFC 7807 problem with `status` (status line, content type and
/// body `status` member) and returns its body.
pub async fn expect_problem(response: Response, status: StatusCode) -> serde_json::Value {
    let actual = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(actual, status, "status; body: {text}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type was {content_type:?}; body: {text}"
    );
    let body: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("problem body is not JSON ({error}): {text}"));
    assert_eq!(
        body["status"],
        status.as_u16(),
        "body status member: {body}"
    );
    body
}
