//! A `Json` extractor whose rejections are problem+json, and the mapping of axum's
//! `JsonRejection` into [`ApiError`] for handlers that use `axum::Json` directly.
//!
//! - body is not JSON: 400 `MALFORMED_JSON`, with serde's line and column;
//! - JSON of the wrong shape: 400 `INVALID_BODY`, with a violation at the field path
//!   (`items[0].quantity`), code `REQUIRED` for a missing field, else `INVALID_VALUE`;
//! - no `Content-Type: application/json`: 415 `UNSUPPORTED_MEDIA_TYPE`;
//! - body over the limit: 413 `PAYLOAD_TOO_LARGE`.

use super::error::ApiError;
use super::problem::Violation;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Like `axum::Json`, but rejects with [`ApiError`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match &rejection {
            JsonRejection::JsonDataError(error) => {
                let violation = match find_source::<PathError>(error) {
                    Some(error) => data_violation(error),
                    None => Violation::new("", "INVALID_VALUE", rejection.body_text()),
                };
                Self::BadRequest {
                    code: "INVALID_BODY".into(),
                    detail: "The JSON body does not have the expected shape.".to_owned(),
                    violations: vec![violation],
                }
            }
            JsonRejection::JsonSyntaxError(error) => {
                let reason = find_source::<PathError>(error)
                    .map_or_else(|| rejection.body_text(), |error| error.inner().to_string());
                Self::bad_request(
                    "MALFORMED_JSON",
                    format!("The body is not valid JSON: {reason}."),
                )
            }
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType {
                detail: "Expected Content-Type: application/json.".to_owned(),
            },
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            _ => Self::bad_request("UNREADABLE_BODY", rejection.body_text()),
        }
    }
}

type PathError = serde_path_to_error::Error<serde_json::Error>;

/// A violation at the path serde stopped at. A missing field is reported at the field itself.
fn data_violation(error: &PathError) -> Violation {
    let path = error.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = without_position(&error.inner().to_string());
    if let Some(field) = missing_field(&message) {
        let field = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return Violation::new(field, "REQUIRED", "field is required");
    }
    Violation::new(path, "INVALID_VALUE", message)
}

/// `missing field `quantity`` -> `quantity`.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")?
        .split_once('`')
        .map(|(field, _)| field)
}

/// Drops serde_json's ` at line 1 column 17`, meaningless once the path is known.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

fn find_source<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        current = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_names_are_extracted() {
        assert_eq!(missing_field("missing field `quantity`"), Some("quantity"));
        assert_eq!(missing_field("invalid type: string"), None);
        assert_eq!(
            without_position("expected u32 at line 1 column 9"),
            "expected u32"
        );
    }
}
