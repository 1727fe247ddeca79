//! Correlation ids: one id per request, chosen by the caller or generated, carried through logs,
//! problem bodies, the response and (by the services) the events the request causes.
//!
//! The middleware accepts `X-Correlation-Id` when it is a sane token (1-128 characters of
//! `[A-Za-z0-9._:-]`, so it cannot inject into logs or headers) and otherwise generates a UUID v7.
//! It stores the id as a request extension (the [`CorrelationId`] extractor), makes it the
//! task-local [`current`] id while the request runs (so a [`super::Problem`] built anywhere in the
//! handler carries it), and echoes it in the response header. The request span records it; see
//! [`super::server`].

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;

/// The header carrying the id, in requests and responses.
pub const HEADER: HeaderName = HeaderName::from_static("x-correlation-id");

const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: CorrelationId;
}

/// A request's correlation id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorrelationId(String);

impl CorrelationId {
    /// A fresh UUID v7 (time-ordered, so ids sort by when the request arrived).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// Accepts an incoming id when it is 1-128 characters of `[A-Za-z0-9._:-]`.
    pub fn parse(value: &str) -> Option<Self> {
        let valid = (1..=MAX_LEN).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        valid.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Runs `future` with this id as the [`current`] one (consumers call it per message).
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The correlation id of the request (or message) being handled on this task, if any.
pub fn current() -> Option<CorrelationId> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Middleware: adopt or generate the id, expose it, echo it.
pub async fn middleware(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(CorrelationId::parse)
        .unwrap_or_else(CorrelationId::generate);
    request.extensions_mut().insert(id.clone());
    let mut response = id.clone().scope(next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for CorrelationId {
    type Rejection = Infallible;

    /// The id chosen by the middleware; a fresh one on a router without it.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Self>()
            .cloned()
            .or_else(current)
            .unwrap_or_else(Self::generate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_ids_are_adopted() {
        assert!(CorrelationId::parse("abc-123_x.y:z").is_some());
        assert!(CorrelationId::parse("").is_none());
        assert!(CorrelationId::parse("has space").is_none());
        assert!(CorrelationId::parse("line\nbreak").is_none());
        assert!(CorrelationId::parse(&"a".repeat(129)).is_none());
    }

    #[tokio::test]
    async fn the_scoped_id_is_current() {
        assert_eq!(current(), None);
        let id = CorrelationId::generate();
        let seen = id.clone().scope(async { current() }).await;
        assert_eq!(seen, Some(id));
    }
}
