//! Query-string checks shared by the routes: page size, cursor, enumerations, booleans and
//! timestamps, every bad value reported as a violation of one 400 `INVALID_QUERY` problem.

use chrono::{DateTime, Utc};
use oms_runtime::http::{ApiError, Violation};
use uuid::Uuid;

use crate::store::orders::After;

/// Page size when the caller gives none.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 200;

/// Blank query parameters count as absent (`?state=` is no filter).
pub fn present(raw: Option<&String>) -> Option<&str> {
    raw.map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

/// The opaque cursor of the summary list: `<captured_at millis>.<order id>`.
pub fn cursor_of(after: After) -> String {
    format!(
        "{}.{}",
        after.captured_at.timestamp_millis(),
        after.order_id
    )
}

fn parse_cursor(raw: &str) -> Option<After> {
    let (millis, id) = raw.split_once('.')?;
    Some(After {
        captured_at: DateTime::from_timestamp_millis(millis.parse().ok()?)?,
        order_id: Uuid::parse_str(id).ok()?,
    })
}

/// Collects the violations of one query string.
#[derive(Debug, Default)]
pub struct QueryCheck {
    violations: Vec<Violation>,
}

impl QueryCheck {
    /// `limit`, 1..=`max`, default `default`.
    pub fn limit(&mut self, raw: Option<&str>, default: i64, max: i64) -> i64 {
        let Some(raw) = raw else { return default };
        match raw.parse::<i64>() {
            Ok(limit) if (1..=max).contains(&limit) => limit,
            _ => {
                self.violation(
                    "limit",
                    "OUT_OF_RANGE",
                    &format!("must be an integer from 1 to {max}"),
                );
                default
            }
        }
    }

    pub fn cursor(&mut self, raw: Option<&str>) -> Option<After> {
        let raw = raw?;
        let after = parse_cursor(raw);
        if after.is_none() {
            self.violation(
                "cursor",
                "INVALID_VALUE",
                "is not a cursor this API returned",
            );
        }
        after
    }

    /// A comma-separated list of values from `allowed`.
    pub fn one_of_list(
        &mut self,
        field: &str,
        raw: Option<&str>,
        allowed: &[&str],
    ) -> Option<Vec<String>> {
        let raw = raw?;
        let values: Vec<String> = raw
            .split(',')
            .map(|v| v.trim().to_ascii_uppercase())
            .filter(|v| !v.is_empty())
            .collect();
        if values.iter().all(|v| allowed.contains(&v.as_str())) && !values.is_empty() {
            Some(values)
        } else {
            self.violation(
                field,
                "INVALID_VALUE",
                &format!("must be one or more of {}", allowed.join(", ")),
            );
            None
        }
    }

    /// One value from `allowed`.
    pub fn one_of(&mut self, field: &str, raw: Option<&str>, allowed: &[&str]) -> Option<String> {
        let raw = raw?;
        let value = raw.to_ascii_uppercase();
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            self.violation(
                field,
                "INVALID_VALUE",
                &format!("must be one of {}", allowed.join(", ")),
            );
            None
        }
    }

    pub fn boolean(&mut self, field: &str, raw: Option<&str>) -> Option<bool> {
        match raw? {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                self.violation(field, "INVALID_VALUE", "must be true or false");
                None
            }
        }
    }

    pub fn timestamp(&mut self, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
        let raw = raw?;
        let at = DateTime::parse_from_rfc3339(raw).ok();
        if at.is_none() {
            self.violation(field, "INVALID_VALUE", "must be an RFC 3339 timestamp");
        }
        at.map(|at| at.with_timezone(&Utc))
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_anything_else_is_a_violation() {
        let after = After {
            captured_at: DateTime::from_timestamp_millis(1_782_000_000_123).unwrap(),
            order_id: Uuid::now_v7(),
        };
        let mut check = QueryCheck::default();
        assert_eq!(check.cursor(Some(&cursor_of(after))), Some(after));
        assert_eq!(check.cursor(Some("abc")), None);
        assert_eq!(check.limit(Some("0"), 50, 200), 50);
        assert_eq!(
            check.one_of_list(
                "state",
                Some("completed, fallout"),
                &["COMPLETED", "FALLOUT"]
            ),
            Some(vec!["COMPLETED".to_owned(), "FALLOUT".to_owned()])
        );
        let error = check.finish().unwrap_err().to_problem();
        assert_eq!(error.code, "INVALID_QUERY");
    }
}
