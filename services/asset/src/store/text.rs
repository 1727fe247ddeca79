//! Closed domain enums as the SCREAMING_SNAKE text stored in `text` columns: the same spelling
//! as in events and the API, through the enums' own serde names.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StoreError;

/// `AssetStatus::Active` -> `ACTIVE`.
pub fn to_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        _ => Err(StoreError::Corrupt {
            column: "enum",
            detail: "value does not serialise as text".to_owned(),
        }),
    }
}

/// `ACTIVE` -> `AssetStatus::Active`; an unknown spelling is a corrupt `column`.
pub fn parse_enum<T: DeserializeOwned>(column: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|error| {
        StoreError::Corrupt {
            column,
            detail: format!("'{text}': {error}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_domain::vocab::{AssetStatus, ItemAction};

    #[test]
    fn enums_round_trip_through_their_text() {
        assert_eq!(to_text(&AssetStatus::Active).unwrap(), "ACTIVE");
        assert_eq!(to_text(&ItemAction::NoChange).unwrap(), "NO_CHANGE");
        assert_eq!(
            parse_enum::<AssetStatus>("status", "SUSPENDED").unwrap(),
            AssetStatus::Suspended
        );
        assert!(parse_enum::<AssetStatus>("status", "active").is_err());
    }
}
