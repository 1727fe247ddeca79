//! Audit text: free-text reasons and stable SCREAMING_SNAKE reason codes.
//!
//! Reasons are mandatory evidence for holds, repairs, waivers and cancellations
//! (000 §17.6), so they have their own type instead of a bare `String`.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::check_ref;
use crate::error::ValueError;

/// Human-readable justification recorded with a transition (at most 1000 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        if raw.trim().is_empty() {
            return Err(ValueError::Blank { field: "reason" });
        }
        if raw.chars().count() > 1000 {
            return Err(ValueError::TooLong {
                field: "reason",
                max: 1000,
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Reason {
    type Error = ValueError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Reason> for String {
    fn from(v: Reason) -> Self {
        v.0
    }
}

/// Stable machine-readable code such as `CUSTOMER_REQUEST` or `PROVISIONING_TIMEOUT`:
/// uppercase ASCII letters, digits and underscores, starting with a letter, at most 80 long.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReasonCode(String);

impl ReasonCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        check_ref("reasonCode", raw, 80)?;
        let well_formed = raw.starts_with(|c: char| c.is_ascii_uppercase())
            && raw
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            return Err(ValueError::Format {
                field: "reasonCode",
                detail: "expected SCREAMING_SNAKE_CASE".into(),
            });
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ReasonCode {
    type Error = ValueError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ReasonCode> for String {
    fn from(v: ReasonCode) -> Self {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_code_must_be_screaming_snake() {
        assert!(ReasonCode::parse("CUSTOMER_REQUEST").is_ok());
        assert!(ReasonCode::parse("customer_request").is_err());
        assert!(ReasonCode::parse("1ABC").is_err());
        assert!(Reason::parse("  ").is_err());
        assert!(Reason::parse(&"r".repeat(1001)).is_err());
    }
}
