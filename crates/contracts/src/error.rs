//! The one error of contract -> domain mapping, with stable codes.
//!
//! A record that decoded fine but does not map onto valid domain values (a blank customer
//! id, a nil UUID, a price whose components do not sum to its total, an envelope that names
//! another aggregate) can never be applied: consumers dead-letter it with [`MappingError::code`]
//! (see the `From<MappingError> for HandlerError` conversion).

use oms_domain::ValueError;
use oms_messaging::HandlerError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// A field does not parse into its domain value type.
    #[error("field {field}: {source}")]
    InvalidValue {
        field: String,
        #[source]
        source: ValueError,
    },
    /// A number does not fit the domain's range (e.g. a negative count).
    #[error("field {field}: {value} is out of range")]
    OutOfRange { field: String, value: i64 },
    /// The envelope does not describe this record (other event type, aggregate or tenant).
    #[error("envelope: {detail}")]
    EnvelopeMismatch { detail: String },
}

impl MappingError {
    /// Stable code for dead letters and logs (never the Display text).
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidValue { .. } => "CONTRACT_VALUE_INVALID",
            Self::OutOfRange { .. } => "CONTRACT_VALUE_OUT_OF_RANGE",
            Self::EnvelopeMismatch { .. } => "CONTRACT_ENVELOPE_MISMATCH",
        }
    }
}

/// A contract that does not map is permanent: retrying cannot make it valid.
impl From<MappingError> for HandlerError {
    fn from(error: MappingError) -> Self {
        HandlerError::permanent(error.code(), error.to_string())
    }
}

/// Attaches the field path to a value error.
pub(crate) fn parsed<T>(field: &str, result: Result<T, ValueError>) -> Result<T, MappingError> {
    result.map_err(|source| MappingError::InvalidValue {
        field: field.to_owned(),
        source,
    })
}

/// Parses an optional text field with `parse`.
pub(crate) fn parsed_opt<T>(
    field: &str,
    raw: Option<&String>,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Result<Option<T>, MappingError> {
    raw.map(|v| parsed(field, parse(v))).transpose()
}

/// A non-negative count or version that the domain keeps as `u32`.
pub(crate) fn count(field: &str, value: i64) -> Result<u32, MappingError> {
    u32::try_from(value).map_err(|_| MappingError::OutOfRange {
        field: field.to_owned(),
        value,
    })
}

/// `count` for an optional field.
pub(crate) fn count_opt(field: &str, value: Option<i64>) -> Result<Option<u32>, MappingError> {
    value.map(|v| count(field, v)).transpose()
}

/// A UUID id through its domain `parse` (which refuses the nil UUID).
pub(crate) fn id<T>(
    field: &str,
    id: uuid::Uuid,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Result<T, MappingError> {
    parsed(field, parse(&id.hyphenated().to_string()))
}

/// `id` for an optional field.
pub(crate) fn id_opt<T>(
    field: &str,
    id: Option<uuid::Uuid>,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Result<Option<T>, MappingError> {
    id.map(|v| self::id(field, v, parse)).transpose()
}

/// `id` for every element of a list.
pub(crate) fn ids<T>(
    field: &str,
    ids: &[uuid::Uuid],
    parse: fn(&str) -> Result<T, ValueError>,
) -> Result<Vec<T>, MappingError> {
    ids.iter().map(|v| id(field, *v, parse)).collect()
}

/// A domain enum published as a string (a set that may grow: kinds, dispositions), read
/// back through its serde spelling.
pub(crate) fn spelled<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(crate) fn unspelled<T: serde::de::DeserializeOwned>(
    field: &str,
    raw: &str,
) -> Result<T, MappingError> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|e| {
        MappingError::InvalidValue {
            field: field.to_owned(),
            source: ValueError::Format {
                field: "spelling",
                detail: format!("'{raw}': {e}"),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_messages_name_the_field() {
        let invalid = parsed("customerId", oms_domain::value::CustomerId::parse(" ")).unwrap_err();
        assert_eq!(invalid.code(), "CONTRACT_VALUE_INVALID");
        assert_eq!(
            invalid.to_string(),
            "field customerId: customerId must not be blank"
        );
        let range = count("attempt", -1).unwrap_err();
        assert_eq!(range.code(), "CONTRACT_VALUE_OUT_OF_RANGE");
        assert_eq!(range.to_string(), "field attempt: -1 is out of range");
        assert_eq!(count_opt("termMonths", Some(36)), Ok(Some(36)));
        match HandlerError::from(range) {
            HandlerError::Permanent { code, .. } => assert_eq!(code, "CONTRACT_VALUE_OUT_OF_RANGE"),
            HandlerError::Transient(e) => panic!("expected permanent, got {e}"),
        }
    }
}
