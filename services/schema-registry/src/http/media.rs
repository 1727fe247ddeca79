//! Media types: accepted request bodies, the response content type, lenient query flags.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The content type of every response, as Confluent's registry sends it.
pub const REGISTRY_V1_JSON: &str = "application/vnd.schemaregistry.v1+json";

/// Request body media types accepted (clients differ); a missing content type is accepted too.
pub const ACCEPTED_REQUEST_TYPES: [&str; 4] = [
    REGISTRY_V1_JSON,
    "application/vnd.schemaregistry+json",
    "application/json",
    "application/octet-stream",
];

/// `{"id": n}`: the global id a schema is registered under.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdBody {
    pub id: i64,
}

/// `{"schema": "..."}`: a schema's text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchemaBody {
    pub schema: String,
}

/// `{"subject": .., "version": ..}`: one use of a schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectVersionRef {
    pub subject: String,
    pub version: i32,
}

/// A JSON response with the registry content type.
pub fn registry_json<T: Serialize + ?Sized>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => registry_body(body),
        Err(e) => ApiError::BadRequest(format!("cannot serialise response: {e}")).into_response(),
    }
}

/// A raw body (already JSON) with the registry content type.
pub fn registry_body(body: impl Into<axum::body::Body>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(REGISTRY_V1_JSON),
        )],
        body.into(),
    )
        .into_response()
}

/// A JSON request body in one of the accepted media types.
#[derive(Debug)]
pub struct RegistryBody<T>(pub T);

impl<S, T> FromRequest<S> for RegistryBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(value) = req.headers().get(header::CONTENT_TYPE) {
            let raw = value.to_str().unwrap_or_default();
            let essence = raw.split(';').next().unwrap_or_default().trim();
            if !ACCEPTED_REQUEST_TYPES
                .iter()
                .any(|t| t.eq_ignore_ascii_case(essence))
            {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "content type '{raw}' is not accepted; use one of {}",
                    ACCEPTED_REQUEST_TYPES.join(", ")
                )));
            }
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        serde_json::from_slice(&bytes)
            .map(Self)
            .map_err(|e| ApiError::BadRequest(format!("Invalid JSON request body: {e}")))
    }
}

/// Query parameters, read leniently: clients send booleans as `true`, `True` or `1`.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// A boolean flag; absent or unrecognised is `false`.
    pub fn flag(&self, name: &str) -> bool {
        self.0
            .get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
    }

    /// A string parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// An integer parameter, `default` when absent or not a number.
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.0
            .get(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }

    /// Applies Confluent's `offset` / `limit` pagination (`limit` < 0: no limit).
    pub fn paginate<T>(&self, items: Vec<T>) -> Vec<T> {
        let offset = usize::try_from(self.int("offset", 0)).unwrap_or(0);
        let limit = usize::try_from(self.int("limit", -1)).ok();
        let rest = items.into_iter().skip(offset);
        match limit {
            Some(limit) => rest.take(limit).collect(),
            None => rest.collect(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        Ok(Self(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn flags_are_lenient() {
        let p = params(&[("a", "true"), ("b", "True"), ("c", "False"), ("d", "1")]);
        assert!(p.flag("a") && p.flag("b") && p.flag("d"));
        assert!(!p.flag("c") && !p.flag("missing"));
    }

    #[test]
    fn pagination() {
        let items = vec![1, 2, 3, 4, 5];
        assert_eq!(params(&[]).paginate(items.clone()), items);
        assert_eq!(
            params(&[("offset", "1"), ("limit", "2")]).paginate(items.clone()),
            vec![2, 3]
        );
        assert_eq!(
            params(&[("offset", "0"), ("limit", "-1")]).paginate(items.clone()),
            items
        );
    }
}
