//! serde adapters between Rust value types and Avro logical types, for `#[serde(with = ...)]`
//! on contract structs.
//!
//! - `decimal4`: `rust_decimal::Decimal` <-> Avro `bytes` with logicalType `decimal`, scale 4
//!   (big-endian two's-complement unscaled value, as the Avro spec and Confluent serdes do).
//!   A value with more than 4 decimal places is refused rather than silently rounded: money must
//!   not change on the wire.
//! - `timestamp_millis`: `DateTime<Utc>` <-> Avro `long` / `timestamp-millis`.
//! - `date`: `NaiveDate` <-> Avro `int` / `date` (days since 1970-01-01).
//!
//! - `uuid`: `Uuid` <-> Avro `string` / `uuid` in its hyphenated text form (the Avro
//!   serializer is not "human readable", so `Uuid`'s own serde impl would write 16 raw bytes).
//!
//! Each has an `_opt` sibling for nullable unions (`["null", T]`).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};

/// The scale of every money amount on our topics (Avro `decimal(18, 4)`).
pub const MONEY_SCALE: u32 = 4;

/// Encodes `value` as the unscaled two's-complement bytes of scale [`MONEY_SCALE`].
pub fn decimal_to_avro_bytes(value: Decimal) -> Result<Vec<u8>, String> {
    let mut scaled = value;
    scaled.rescale(MONEY_SCALE);
    if scaled != value {
        return Err(format!(
            "{value} has more than {MONEY_SCALE} decimal places"
        ));
    }
    let unscaled: i128 = scaled.mantissa();
    let bytes = unscaled.to_be_bytes();
    // Minimal two's-complement: drop leading bytes that only repeat the sign.
    let mut start = 0;
    while start < bytes.len() - 1 {
        let (byte, next) = (bytes[start], bytes[start + 1]);
        let redundant = (byte == 0x00 && next & 0x80 == 0) || (byte == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    Ok(bytes[start..].to_vec())
}

/// Decodes unscaled two's-complement bytes of scale [`MONEY_SCALE`].
pub fn decimal_from_avro_bytes(bytes: &[u8]) -> Result<Decimal, String> {
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(format!(
            "a decimal needs 1 to 16 bytes, got {}",
            bytes.len()
        ));
    }
    let fill = if bytes[0] & 0x80 == 0 { 0x00 } else { 0xff };
    let mut buf = [fill; 16];
    buf[16 - bytes.len()..].copy_from_slice(bytes);
    Decimal::try_from_i128_with_scale(i128::from_be_bytes(buf), MONEY_SCALE)
        .map_err(|e| e.to_string())
}

pub mod decimal4 {
    use super::{Decimal, Deserialize, Deserializer, Serializer};
    use serde::{de::Error as _, ser::Error as _};

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        let bytes = super::decimal_to_avro_bytes(*value).map_err(S::Error::custom)?;
        serializer.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let bytes: super::serde_bytes_compat::Bytes = Deserialize::deserialize(deserializer)?;
        super::decimal_from_avro_bytes(&bytes.0).map_err(D::Error::custom)
    }
}

pub mod decimal4_opt {
    use super::{Decimal, Deserialize, Deserializer, Serializer};
    use serde::{de::Error as _, ser::Error as _};

    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => serializer.serialize_none(),
            Some(v) => {
                let bytes = super::decimal_to_avro_bytes(*v).map_err(S::Error::custom)?;
                serializer.serialize_some(&super::serde_bytes_compat::Bytes(bytes))
            }
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        let bytes: Option<super::serde_bytes_compat::Bytes> =
            Deserialize::deserialize(deserializer)?;
        bytes
            .map(|b| super::decimal_from_avro_bytes(&b.0).map_err(D::Error::custom))
            .transpose()
    }
}

pub mod timestamp_millis {
    use super::{DateTime, Deserialize, Deserializer, Serializer, Utc};
    use serde::de::Error as _;

    pub fn serialize<S: Serializer>(
        value: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(value.timestamp_millis())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let millis = i64::deserialize(deserializer)?;
        DateTime::from_timestamp_millis(millis)
            .ok_or_else(|| D::Error::custom(format!("timestamp {millis} out of range")))
    }
}

pub mod timestamp_millis_opt {
    use super::{DateTime, Deserialize, Deserializer, Serializer, Utc};
    use serde::de::Error as _;

    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => serializer.serialize_none(),
            Some(v) => serializer.serialize_some(&v.timestamp_millis()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<i64>::deserialize(deserializer)?
            .map(|millis| {
                DateTime::from_timestamp_millis(millis)
                    .ok_or_else(|| D::Error::custom(format!("timestamp {millis} out of range")))
            })
            .transpose()
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn date_to_days(value: NaiveDate) -> Result<i32, String> {
    i32::try_from((value - epoch()).num_days()).map_err(|_| format!("date {value} out of range"))
}

fn date_from_days(days: i32) -> Result<NaiveDate, String> {
    epoch()
        .checked_add_signed(chrono::Duration::days(i64::from(days)))
        .ok_or_else(|| format!("date offset {days} out of range"))
}

pub mod date {
    use super::{Deserialize, Deserializer, NaiveDate, Serializer};
    use serde::{de::Error as _, ser::Error as _};

    pub fn serialize<S: Serializer>(value: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(super::date_to_days(*value).map_err(S::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        super::date_from_days(i32::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

pub mod date_opt {
    use super::{Deserialize, Deserializer, NaiveDate, Serializer};
    use serde::{de::Error as _, ser::Error as _};

    pub fn serialize<S: Serializer>(
        value: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => serializer.serialize_none(),
            Some(v) => {
                serializer.serialize_some(&super::date_to_days(*v).map_err(S::Error::custom)?)
            }
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        Option::<i32>::deserialize(deserializer)?
            .map(|days| super::date_from_days(days).map_err(D::Error::custom))
            .transpose()
    }
}

pub mod uuid {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(
        value: &::uuid::Uuid,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.hyphenated().to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<::uuid::Uuid, D::Error> {
        let text = String::deserialize(deserializer)?;
        ::uuid::Uuid::parse_str(&text).map_err(D::Error::custom)
    }
}

pub mod uuid_opt {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(
        value: &Option<::uuid::Uuid>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => serializer.serialize_none(),
            Some(v) => serializer.serialize_some(&v.hyphenated().to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<::uuid::Uuid>, D::Error> {
        Option::<String>::deserialize(deserializer)?
            .map(|text| ::uuid::Uuid::parse_str(&text).map_err(D::Error::custom))
            .transpose()
    }
}

/// A byte buffer that serializes with `serialize_bytes` and accepts bytes or a byte sequence,
/// without pulling in the `serde_bytes` crate.
mod serde_bytes_compat {
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
    use std::fmt;

    pub struct Bytes(pub Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }

    impl<'de> Deserialize<'de> for Bytes {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> de::Visitor<'de> for Visitor {
                type Value = Bytes;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(v.to_vec()))
                }
                fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                    Ok(Bytes(v))
                }
                fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Bytes, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = seq.next_element::<u8>()? {
                        out.push(b);
                    }
                    Ok(Bytes(out))
                }
            }
            deserializer.deserialize_bytes(Visitor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn known_encodings_match_the_avro_spec() {
        // 1.0000 at scale 4 is unscaled 10000 = 0x2710
        assert_eq!(
            decimal_to_avro_bytes(Decimal::from_str("1").unwrap()).unwrap(),
            vec![0x27, 0x10]
        );
        // -0.0001 is unscaled -1 = 0xff
        assert_eq!(
            decimal_to_avro_bytes(Decimal::from_str("-0.0001").unwrap()).unwrap(),
            vec![0xff]
        );
        // 0.0128 is unscaled 128 = 0x0080 (needs the leading zero byte to stay positive)
        assert_eq!(
            decimal_to_avro_bytes(Decimal::from_str("0.0128").unwrap()).unwrap(),
            vec![0x00, 0x80]
        );
        assert_eq!(decimal_to_avro_bytes(Decimal::ZERO).unwrap(), vec![0x00]);
    }

    #[test]
    fn more_than_four_decimal_places_is_refused() {
        let error = decimal_to_avro_bytes(Decimal::from_str("1.23456").unwrap()).unwrap_err();
        assert!(error.contains("more than 4 decimal places"), "{error}");
    }

    #[test]
    fn dates_count_days_from_the_epoch() {
        assert_eq!(
            date_to_days(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()).unwrap(),
            1
        );
        assert_eq!(
            date_from_days(20_454).unwrap(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
    }

    proptest! {
        #[test]
        fn any_money_amount_round_trips(unscaled in -999_999_999_999_999_999_i64..=999_999_999_999_999_999_i64) {
            let value = Decimal::new(unscaled, MONEY_SCALE);
            let bytes = decimal_to_avro_bytes(value).unwrap();
            prop_assert_eq!(decimal_from_avro_bytes(&bytes).unwrap(), value);
        }
    }
}
