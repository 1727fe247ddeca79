//! The walk over a schema's named types: every record, enum and fixed it defines, each with
//! its nested definitions replaced by their full names. The catalog renders from it, and the
//! schema consistency tests compare shared types with it (a type embedded in many schemas
//! must be defined identically everywhere).

use serde_json::Value;

use super::CatalogError;

/// One named type (record, enum, fixed) of a schema.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    pub full_name: String,
    /// The definition with nested named definitions replaced by their full names.
    pub definition: Value,
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Every named type defined in `schema_json`, the top-level one first.
pub fn named_types(schema_json: &str) -> Result<Vec<NamedType>, CatalogError> {
    let root: Value = serde_json::from_str(schema_json).map_err(|e| CatalogError {
        name: "?".into(),
        reason: e.to_string(),
    })?;
    let mut found = Vec::new();
    normalize(&root, "", &mut found);
    Ok(found)
}

fn full_name(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}.{name}")
    }
}

/// Replaces named definitions below `node` by their full names, collecting them.
fn normalize(node: &Value, namespace: &str, found: &mut Vec<NamedType>) -> Value {
    match node {
        Value::Object(map) => {
            let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
            let named = matches!(kind, "record" | "enum" | "fixed");
            let name = map.get("name").and_then(Value::as_str);
            if let (true, Some(name)) = (named, name) {
                let namespace = map
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(namespace);
                let full = full_name(name, namespace);
                let inner_namespace = full.rsplit_once('.').map_or("", |(ns, _)| ns).to_owned();
                let slot = found.len();
                found.push(NamedType {
                    full_name: full.clone(),
                    definition: Value::Null,
                });
                let mut definition = map.clone();
                if let Some(Value::Array(fields)) = map.get("fields") {
                    let fields = fields
                        .iter()
                        .map(|field| {
                            let mut field = field.clone();
                            if let Some(t) = field.get("type") {
                                field["type"] = normalize(t, &inner_namespace, found);
                            }
                            field
                        })
                        .collect();
                    definition.insert("fields".into(), Value::Array(fields));
                }
                found[slot].definition = Value::Object(definition);
                return Value::String(full);
            }
            let mut copy = map.clone();
            for key in ["items", "values"] {
                if let Some(inner) = map.get(key) {
                    copy.insert(key.into(), normalize(inner, namespace, found));
                }
            }
            if let Some(inner @ (Value::Array(_) | Value::Object(_))) = map.get("type") {
                copy.insert("type".into(), normalize(inner, namespace, found));
            }
            Value::Object(copy)
        }
        Value::Array(branches) => Value::Array(
            branches
                .iter()
                .map(|b| normalize(b, namespace, found))
                .collect(),
        ),
        Value::String(name) if !PRIMITIVES.contains(&name.as_str()) => {
            Value::String(full_name(name, namespace))
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::type_label;

    #[test]
    fn nested_definitions_become_names_and_namespaces_are_inherited() {
        let types = named_types(
            r#"{"type": "record", "name": "A", "namespace": "x.y", "fields": [
                {"name": "b", "type": ["null", {"type": "record", "name": "B", "fields": [
                    {"name": "c", "type": {"type": "enum", "name": "z.C", "symbols": ["K"]}}]}]},
                {"name": "again", "type": "B"},
                {"name": "list", "type": {"type": "array", "items": "z.C"}}]}"#,
        )
        .unwrap();
        let names: Vec<&str> = types.iter().map(|t| t.full_name.as_str()).collect();
        assert_eq!(names, ["x.y.A", "x.y.B", "z.C"]);
        assert_eq!(
            types[0].definition["fields"][0]["type"],
            serde_json::json!(["null", "x.y.B"])
        );
        assert_eq!(types[0].definition["fields"][1]["type"], "x.y.B");
        assert_eq!(types[1].definition["fields"][0]["type"], "z.C");
        assert_eq!(type_label(&types[0].definition["fields"][0]["type"]), "B?");
        assert_eq!(
            type_label(&types[0].definition["fields"][2]["type"]),
            "array<C>"
        );
    }
}
