//! Submitted schemas: validation of the request's schema type / references, Avro parsing, and
//! the canonical form whose SHA-256 fingerprint decides schema identity (the global id).
//!
//! The canonical form follows Avro's Parsing Canonical Form (PCF) rules — full names, a fixed
//! attribute order, no whitespace, `{"type":"int"}` reduced to `"int"`, quoted integers
//! unquoted — so schemas that differ only in whitespace, JSON key order or namespace spelling
//! get the same id. Unlike strict PCF it *keeps* the attributes that change how data is
//! resolved (`default`, `logicalType`, `precision`, `scale`, `aliases`): strict PCF would give
//! a schema and the same schema with a new field default one id, which would silently swallow a
//! real schema evolution. `doc` and custom properties are not part of the identity.

use std::collections::HashSet;
use std::fmt::Write as _;

use apache_avro::Schema;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The only schema type this stand-in supports.
pub const AVRO: &str = "AVRO";

/// A parsed, valid Avro schema with its identity.
#[derive(Debug, Clone)]
pub struct ParsedSchema {
    /// The schema text exactly as submitted.
    pub text: String,
    /// The parsed schema (for compatibility checks).
    pub schema: Schema,
    /// See the module documentation.
    pub canonical_form: String,
    /// SHA-256 of `canonical_form`.
    pub fingerprint: [u8; 32],
}

/// Checks the `schemaType` of a request: absent or `AVRO` is accepted; Confluent's other types
/// get a clear 42201 instead of being stored as if they were Avro.
pub fn check_schema_type(schema_type: Option<&str>) -> Result<(), ApiError> {
    match schema_type {
        None => Ok(()),
        Some(t) if t.eq_ignore_ascii_case(AVRO) => Ok(()),
        Some(t) if t.eq_ignore_ascii_case("PROTOBUF") || t.eq_ignore_ascii_case("JSON") => {
            Err(ApiError::InvalidSchema(format!(
                "Schema type {} is not supported by this registry: it is the local stand-in for \
                 a Confluent Schema Registry and supports AVRO only",
                t.to_ascii_uppercase()
            )))
        }
        Some(t) => Err(ApiError::InvalidSchema(format!("Invalid schema type {t}"))),
    }
}

/// Parses an Avro schema text; a schema that does not parse is a 42201.
pub fn parse_avro(text: &str) -> Result<ParsedSchema, ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::InvalidSchema("Empty schema".to_owned()));
    }
    let schema = Schema::parse_str(text).map_err(|e| {
        ApiError::InvalidSchema(format!("Invalid schema {text} of type AVRO, details: {e}"))
    })?;
    let canonical_form = canonical_form(&schema);
    let fingerprint: [u8; 32] = Sha256::digest(canonical_form.as_bytes()).into();
    Ok(ParsedSchema {
        text: text.to_owned(),
        schema,
        canonical_form,
        fingerprint,
    })
}

/// Parses a schema that is already stored (it was valid when registered).
pub fn parse_stored(text: &str) -> Result<Schema, ApiError> {
    Schema::parse_str(text)
        .map_err(|e| ApiError::InvalidSchema(format!("A stored schema no longer parses: {e}")))
}

/// The canonical form described in the module documentation.
pub fn canonical_form(schema: &Schema) -> String {
    // apache-avro's serialisation of a parsed schema already resolves names (each named type
    // carries its own namespace, references are full names); the rest is done here.
    let json = serde_json::to_value(schema).unwrap_or(Value::Null);
    let mut out = String::new();
    let mut defined = HashSet::new();
    write_schema(&json, &mut defined, &mut out);
    out
}

/// Attributes kept in the canonical form, in output order (PCF order, then the extras).
const KEPT: &[&str] = &[
    "name",
    "type",
    "fields",
    "symbols",
    "items",
    "values",
    "size",
    "logicalType",
    "precision",
    "scale",
    "aliases",
    "default",
];

fn write_schema(json: &Value, defined: &mut HashSet<String>, out: &mut String) {
    match json {
        Value::String(s) => write_json_string(s, out),
        Value::Array(branches) => {
            out.push('[');
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_schema(b, defined, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(map, defined, out),
        other => write_json_value(other, out),
    }
}

fn write_object(
    map: &serde_json::Map<String, Value>,
    defined: &mut HashSet<String>,
    out: &mut String,
) {
    let type_name = map.get("type").and_then(Value::as_str);
    let is_named = matches!(type_name, Some("record" | "enum" | "fixed"));
    let full_name = if is_named {
        let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
        match map.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && !name.contains('.') => Some(format!("{ns}.{name}")),
            _ => Some(name.to_owned()),
        }
    } else {
        None
    };
    if let Some(full) = &full_name {
        // A named type is written in full once; later occurrences are references.
        if !defined.insert(full.clone()) {
            write_json_string(full, out);
            return;
        }
    }

    let present: Vec<&str> = KEPT
        .iter()
        .copied()
        .filter(|k| map.contains_key(*k))
        .collect();
    // [PRIMITIVES]: an object with nothing but a primitive type name is that name.
    if present == ["type"]
        && let Some(Value::String(t)) = map.get("type")
    {
        write_json_string(t, out);
        return;
    }

    out.push('{');
    for (i, key) in present.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(key, out);
        out.push(':');
        let value = &map[*key];
        match *key {
            "name" => match &full_name {
                Some(full) => write_json_string(full, out),
                None => write_json_value(value, out),
            },
            "size" | "precision" | "scale" => {
                // [INTEGERS]: "4" and 4 are the same size.
                let n = value
                    .as_i64()
                    .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
                match n {
                    Some(n) => {
                        let _ = write!(out, "{n}");
                    }
                    None => write_json_value(value, out),
                }
            }
            "type" | "items" | "values" => write_schema(value, defined, out),
            "fields" => match value {
                Value::Array(fields) => {
                    out.push('[');
                    for (j, field) in fields.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        match field {
                            Value::Object(f) => write_field(f, defined, out),
                            other => write_json_value(other, out),
                        }
                    }
                    out.push(']');
                }
                other => write_json_value(other, out),
            },
            // symbols, aliases, logicalType, default: plain JSON data.
            _ => write_json_value(value, out),
        }
    }
    out.push('}');
}

/// A record field: its name, type, and the resolution-relevant attributes.
fn write_field(
    field: &serde_json::Map<String, Value>,
    defined: &mut HashSet<String>,
    out: &mut String,
) {
    out.push('{');
    let mut first = true;
    for key in ["name", "type", "aliases", "default"] {
        let Some(value) = field.get(key) else {
            continue;
        };
        if !first {
            out.push(',');
        }
        first = false;
        write_json_string(key, out);
        out.push(':');
        if key == "type" {
            write_schema(value, defined, out);
        } else {
            write_json_value(value, out);
        }
    }
    out.push('}');
}

/// Writes JSON data deterministically (object keys sorted, no whitespace).
fn write_json_value(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(k, out);
                out.push(':');
                write_json_value(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_value(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push_str(&Value::String(s.to_owned()).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cf(text: &str) -> String {
        parse_avro(text).expect("valid schema").canonical_form
    }

    #[test]
    fn whitespace_and_key_order_do_not_change_identity() {
        let a = r#"{"type":"record","name":"OrderCaptured","namespace":"com.example.oms.order.v1","fields":[{"name":"order_id","type":"string"},{"name":"amount","type":"long"}]}"#;
        let b = r#"
            {
              "namespace": "com.example.oms.order.v1",
              "fields": [
                {"type": "string", "name": "order_id"},
                {"type": {"type": "long"}, "name": "amount", "doc": "minor units"}
              ],
              "name": "OrderCaptured",
              "doc": "an order was captured",
              "type": "record"
            }"#;
        assert_eq!(cf(a), cf(b));
        assert_eq!(
            parse_avro(a).unwrap().fingerprint,
            parse_avro(b).unwrap().fingerprint
        );
        assert_eq!(
            cf(a),
            r#"{"name":"com.example.oms.order.v1.OrderCaptured","type":"record","fields":[{"name":"order_id","type":"string"},{"name":"amount","type":"long"}]}"#
        );
    }

    #[test]
    fn fullname_spelling_does_not_change_identity() {
        let a = r#"{"type":"record","name":"A","namespace":"x.y","fields":[]}"#;
        let b = r#"{"type":"record","name":"x.y.A","fields":[]}"#;
        assert_eq!(cf(a), cf(b));
    }

    #[test]
    fn defaults_and_logical_types_are_part_of_identity() {
        let plain = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
        let with_default =
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]}"#;
        let with_logical = r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"int","logicalType":"date"}}]}"#;
        assert_ne!(cf(plain), cf(with_default));
        assert_ne!(cf(plain), cf(with_logical));
    }

    #[test]
    fn field_order_is_part_of_identity() {
        let a = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#;
        let b = r#"{"type":"record","name":"R","fields":[{"name":"b","type":"int"},{"name":"a","type":"int"}]}"#;
        assert_ne!(cf(a), cf(b));
    }

    #[test]
    fn primitive_schemas() {
        assert_eq!(cf(r#""string""#), r#""string""#);
        assert_eq!(cf(r#"{"type":"string"}"#), r#""string""#);
    }

    #[test]
    fn invalid_schema_is_42201() {
        let err = parse_avro(r#"{"type":"record","name":"R"}"#).unwrap_err();
        assert_eq!(err.status_and_code().1, 42201);
        let err = parse_avro("not json").unwrap_err();
        assert_eq!(err.status_and_code().1, 42201);
    }

    #[test]
    fn schema_types() {
        assert!(check_schema_type(None).is_ok());
        assert!(check_schema_type(Some("AVRO")).is_ok());
        let err = check_schema_type(Some("PROTOBUF")).unwrap_err();
        assert_eq!(err.status_and_code().1, 42201);
        assert!(err.to_string().contains("PROTOBUF"));
        assert_eq!(
            check_schema_type(Some("JSON"))
                .unwrap_err()
                .status_and_code()
                .1,
            42201
        );
    }
}
