//! Human-facing order number, e.g. `O-2026-00000421`.
//!
//! The number is allocated by the capture service (a per-year sequence in its database);
//! the domain only guarantees the format. It is never used as an internal reference.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ValueError;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrderNumber(String);

impl OrderNumber {
    /// Parses `O-YYYY-NNNNNNNN` (four-digit year, eight-digit zero-padded sequence).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let bad = || ValueError::Format {
            field: "orderNumber",
            detail: format!("'{raw}' does not match O-YYYY-NNNNNNNN"),
        };
        let mut parts = raw.split('-');
        let (Some("O"), Some(year), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(seq, 8) || seq.bytes().all(|b| b == b'0') {
            return Err(bad());
        }
        Ok(Self(raw.to_owned()))
    }

    /// Formats a number from its parts (`year` 1000..=9999, `sequence` 1..=99_999_999).
    pub fn from_parts(year: i32, sequence: u32) -> Result<Self, ValueError> {
        Self::parse(&format!("O-{year:04}-{sequence:08}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrderNumber {
    type Error = ValueError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<OrderNumber> for String {
    fn from(v: OrderNumber) -> Self {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_format_only() {
        assert_eq!(
            OrderNumber::parse("O-2026-00000421").unwrap().as_str(),
            "O-2026-00000421"
        );
        assert_eq!(
            OrderNumber::from_parts(2026, 421).unwrap().as_str(),
            "O-2026-00000421"
        );
        for bad in [
            "O-2026-421",
            "Q-2026-00000421",
            "O-26-00000421",
            "O-2026-00000000",
            "O-2026-0000042a",
            "O-2026-00000421-1",
        ] {
            assert!(OrderNumber::parse(bad).is_err(), "{bad}");
        }
        assert!(OrderNumber::from_parts(2026, 100_000_000).is_err());
    }
}
