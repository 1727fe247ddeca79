//! Query-string parsing shared by the list routes: page size, cursor and closed-enum filters,
//! with every bad value reported as a violation of a 400 `INVALID_QUERY` problem.

use oms_runtime::http::{ApiError, Violation};
use serde::de::DeserializeOwned;

/// Page size when the caller gives none.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 200;

/// Collects violations of one query string.
#[derive(Debug, Default)]
pub struct QueryCheck {
    violations: Vec<Violation>,
}

impl QueryCheck {
    /// `limit`, 1..=MAX_LIMIT, default DEFAULT_LIMIT.
    pub fn limit(&mut self, raw: Option<&str>) -> i64 {
        let Some(raw) = raw else { return DEFAULT_LIMIT };
        match raw.trim().parse::<i64>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                self.violations.push(Violation::new(
                    "limit",
                    "OUT_OF_RANGE",
                    format!("must be an integer from 1 to {MAX_LIMIT}"),
                ));
                DEFAULT_LIMIT
            }
        }
    }

    /// A SCREAMING_SNAKE value of enum `T` (`ACTIVE`), or a violation listing `allowed`.
    pub fn enumerated<T: DeserializeOwned>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        allowed: &str,
    ) -> Option<T> {
        let raw = raw?;
        if let Ok(value) = serde_json::from_value(serde_json::Value::String(raw.to_owned())) {
            return Some(value);
        }
        self.violations.push(Violation::new(
            field,
            "INVALID_VALUE",
            format!("must be one of {allowed}"),
        ));
        None
    }

    /// Any other violation.
    pub fn violation(&mut self, field: &str, code: &str, message: &str) {
        self.violations.push(Violation::new(field, code, message));
    }

    /// `Ok` when every parameter was valid.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.violations.is_empty() {
            return Ok(());
        }
        Err(ApiError::BadRequest {
            code: "INVALID_QUERY".into(),
            detail: "The query string has invalid parameters.".to_owned(),
            violations: self.violations,
        })
    }
}

/// Blank query parameters count as absent (`?status=` is no filter).
pub fn present(raw: Option<&String>) -> Option<&str> {
    raw.map(|value| value.trim())
        .filter(|value| !value.is_empty())
}
