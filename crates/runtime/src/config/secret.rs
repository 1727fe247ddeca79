//! `Secret<T>`: a configuration value that never prints.
//!
//! `Debug` and `Display` show `[redacted]`, so a secret can sit in a config struct that is logged
//! with `{:?}` without leaking. The value is reachable only through [`Secret::expose`], which makes
//! every use greppable. Serialization writes the real value because layered configuration feeds
//! the in-code defaults through serde; never serialize a configuration to a log or an API.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A value that must not appear in logs, errors or debug output.
#[derive(Clone, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value. Call it only where the value is handed to the thing that needs it
    /// (a connection string to the pool, a token to the verifier).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T: Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(format!("{:#?}", Some(&secret)), "Some(\n    [redacted],\n)");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn deserializes_transparently() {
        let secret: Secret<String> = serde_json::from_str("\"s3cret\"").unwrap();
        assert_eq!(secret.expose(), "s3cret");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"s3cret\"");
    }
}
