//! Positive counters of an order line: quantity and line number.
//!
//! Both are strictly positive (000 §17.1); parsing takes `i64` because that is what loose
//! intake carries (Avro `int`, JSON number) and refusing zero/negative here is the point.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ValueError;

macro_rules! positive {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(u32);

        impl $name {
            pub fn parse(raw: i64) -> Result<Self, ValueError> {
                if raw <= 0 {
                    return Err(ValueError::NotPositive { field: $field });
                }
                u32::try_from(raw)
                    .map(Self)
                    .map_err(|_| ValueError::Format { field: $field, detail: "too large".into() })
            }

            pub const fn get(self) -> u32 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl TryFrom<i64> for $name {
            type Error = ValueError;
            fn try_from(raw: i64) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> Self {
                i64::from(v.0)
            }
        }
    };
}

positive!(/// Requested quantity of an order item (> 0).
    Quantity, "quantity");
positive!(/// Human-readable line number, unique within an order (> 0).
    LineNumber, "lineNumber");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_values_parse() {
        assert_eq!(Quantity::parse(3).unwrap().get(), 3);
        assert_eq!(Quantity::parse(0).unwrap_err().code(), "NOT_POSITIVE");
        assert!(Quantity::parse(-1).is_err());
        assert!(LineNumber::parse(i64::from(u32::MAX) + 1).is_err());
        assert!(serde_json::from_str::<Quantity>("0").is_err());
    }
}
