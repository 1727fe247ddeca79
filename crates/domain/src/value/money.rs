//! Money: a `rust_decimal::Decimal` amount with an ISO 4217 currency code.
//!
//! Invariants: amounts fit the Avro/SQL `decimal(18,4)` used on the wire and in storage
//! (at most 4 decimal places, at most 14 integer digits); arithmetic refuses to mix
//! currencies because there is no conversion policy in the order domain (003 §9.4).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ValueError;

/// ISO 4217 alphabetic code. We check the shape (three uppercase ASCII letters), not the
/// current list: the list changes over time and old orders must stay readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let bytes = raw.as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_uppercase) => Ok(Self([*a, *b, *c])),
            _ => Err(ValueError::Format {
                field: "currency",
                detail: format!("'{raw}' is not an ISO 4217 code (three uppercase letters)"),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        // The bytes are ASCII uppercase by construction.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = ValueError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<CurrencyCode> for String {
    fn from(v: CurrencyCode) -> Self {
        v.as_str().to_owned()
    }
}

/// Largest scale and integer digit count that fit `decimal(18,4)`.
pub const MONEY_SCALE: u32 = 4;
pub const MONEY_INTEGER_DIGITS: u32 = 14;

/// An amount in one currency. Negative amounts are allowed (discounts, credits); whether a
/// negative value is acceptable is a business rule of the caller, not of the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "MoneyRepr")]
pub struct Money {
    amount: Decimal,
    currency: CurrencyCode,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyRepr {
    amount: Decimal,
    currency: CurrencyCode,
}

impl TryFrom<MoneyRepr> for Money {
    type Error = ValueError;
    fn try_from(r: MoneyRepr) -> Result<Self, Self::Error> {
        Money::parse(r.amount, r.currency)
    }
}

impl Money {
    pub fn parse(amount: Decimal, currency: CurrencyCode) -> Result<Self, ValueError> {
        check_amount(amount)?;
        Ok(Self { amount, currency })
    }

    pub fn zero(currency: CurrencyCode) -> Self {
        Self {
            amount: Decimal::ZERO,
            currency,
        }
    }

    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    pub const fn currency(&self) -> CurrencyCode {
        self.currency
    }

    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Adds two amounts of the same currency; the result must still fit `decimal(18,4)`.
    pub fn checked_add(self, other: Money) -> Result<Money, ValueError> {
        self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(ValueError::Overflow)?;
        Money::parse(sum, self.currency).map_err(|_| ValueError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, ValueError> {
        self.same_currency(other)?;
        let diff = self
            .amount
            .checked_sub(other.amount)
            .ok_or(ValueError::Overflow)?;
        Money::parse(diff, self.currency).map_err(|_| ValueError::Overflow)
    }

    /// Sums amounts in `currency`; an empty input sums to zero.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: CurrencyCode,
        items: I,
    ) -> Result<Money, ValueError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    fn same_currency(self, other: Money) -> Result<(), ValueError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(ValueError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// `decimal(18,4)` check shared with the capture rules (which report it as a violation).
pub fn check_amount(amount: Decimal) -> Result<(), ValueError> {
    let normalized = amount.normalize();
    let too_precise = normalized.scale() > MONEY_SCALE;
    let limit = Decimal::from(10_i64.pow(MONEY_INTEGER_DIGITS));
    if too_precise || normalized.abs() >= limit {
        return Err(ValueError::AmountPrecision {
            amount: amount.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn eur() -> CurrencyCode {
        CurrencyCode::parse("EUR").unwrap()
    }

    #[test]
    fn currency_is_three_uppercase_letters() {
        assert_eq!(eur().as_str(), "EUR");
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(CurrencyCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_must_fit_decimal_18_4() {
        assert!(Money::parse(dec!(12.3456), eur()).is_ok());
        assert!(
            Money::parse(dec!(12.345600), eur()).is_ok(),
            "trailing zeros are not precision"
        );
        assert_eq!(
            Money::parse(dec!(1.23456), eur()).unwrap_err().code(),
            "AMOUNT_PRECISION"
        );
        assert!(Money::parse(dec!(99999999999999.9999), eur()).is_ok());
        assert!(Money::parse(dec!(100000000000000), eur()).is_err());
        assert!(Money::parse(dec!(-100000000000000), eur()).is_err());
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies() {
        let a = Money::parse(dec!(10), eur()).unwrap();
        let b = Money::parse(dec!(2.5), CurrencyCode::parse("USD").unwrap()).unwrap();
        assert_eq!(a.checked_add(b).unwrap_err().code(), "CURRENCY_MISMATCH");
        assert_eq!(a.checked_sub(b).unwrap_err().code(), "CURRENCY_MISMATCH");
        let c = Money::parse(dec!(-2.5), eur()).unwrap();
        assert_eq!(a.checked_add(c).unwrap().amount(), dec!(7.5));
        assert_eq!(a.checked_sub(c).unwrap().amount(), dec!(12.5));
        assert!(c.is_negative());
        assert_eq!(Money::sum(eur(), [a, c]).unwrap().amount(), dec!(7.5));
        assert_eq!(Money::sum(eur(), []).unwrap().amount(), dec!(0));
    }

    #[test]
    fn addition_overflowing_the_wire_format_is_refused() {
        let big = Money::parse(dec!(99999999999999), eur()).unwrap();
        assert_eq!(big.checked_add(big).unwrap_err().code(), "AMOUNT_OVERFLOW");
    }

    #[test]
    fn serde_goes_through_parse() {
        let m = Money::parse(dec!(1.5), eur()).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"1.5","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.23456","currency":"EUR"}"#).is_err());
    }
}
