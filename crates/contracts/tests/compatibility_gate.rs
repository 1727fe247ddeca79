//! The compatibility gate (ADR 0002): every schema in `schemas/<topic>/` must stay BACKWARD
//! compatible with its released copy in `schemas/released/<topic>/` (the new schema reads
//! data written with the released one). A schema without a released copy is a new event
//! type (reported, fine); a released schema whose file disappeared breaks its consumers.
//!
//! The verdict is the local registry's own (`oms_schema_registry::compatibility`), so the
//! gate and the registry that will later refuse an incompatible registration agree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apache_avro::Schema;
use oms_schema_registry::compatibility::{Side, reader_problems};
use serde_json::{Value, json};

/// Schema files by `<topic>/<EventType>.avsc`.
type Schemas = BTreeMap<String, String>;

#[derive(Debug, Default)]
struct Verdict {
    /// One line per incompatibility, naming the file and the field.
    problems: Vec<String>,
    /// Schemas without a released copy (new event types).
    new_schemas: Vec<String>,
    /// Schemas checked against a released copy.
    checked: usize,
}

fn parse(file: &str, text: &str, problems: &mut Vec<String>) -> Option<Schema> {
    Schema::parse_str(text)
        .map_err(|e| problems.push(format!("{file}: does not parse: {e}")))
        .ok()
}

/// Checks `current` against `released`.
fn gate(current: &Schemas, released: &Schemas) -> Verdict {
    let mut verdict = Verdict::default();
    for (file, text) in current {
        let Some(new) = parse(file, text, &mut verdict.problems) else {
            continue;
        };
        let Some(old_text) = released.get(file) else {
            verdict.new_schemas.push(file.clone());
            continue;
        };
        let Some(old) = parse(&format!("released/{file}"), old_text, &mut verdict.problems) else {
            continue;
        };
        verdict.checked += 1;
        for problem in reader_problems(&old, &new, Side::New) {
            let field = if problem.field.is_empty() {
                "(record)"
            } else {
                &problem.field
            };
            verdict.problems.push(format!(
                "{file}: field '{field}': {}: {}",
                problem.error_type.as_str(),
                problem.description
            ));
        }
    }
    for file in released.keys().filter(|f| !current.contains_key(*f)) {
        verdict.problems.push(format!(
            "{file}: the released schema has no current file; removing an event type breaks \
             its consumers (publish a new topic major instead)"
        ));
    }
    verdict
}

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

/// `<topic>/<EventType>.avsc` files under `dir`, skipping `released/` and `common/`.
fn load(dir: &Path) -> Schemas {
    let mut schemas = Schemas::new();
    for topic in std::fs::read_dir(dir).expect("schemas directory") {
        let topic = topic.expect("entry").path();
        let name = topic
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !topic.is_dir() || name == "released" || name == "common" {
            continue;
        }
        for file in std::fs::read_dir(&topic).expect("topic directory") {
            let file = file.expect("entry").path();
            if file.extension().is_some_and(|e| e == "avsc") {
                let key = format!("{name}/{}", file.file_name().unwrap().to_string_lossy());
                schemas.insert(key, std::fs::read_to_string(&file).expect("schema text"));
            }
        }
    }
    schemas
}

#[test]
fn every_schema_is_backward_compatible_with_its_released_copy() {
    let current = load(&schemas_dir());
    let released = load(&schemas_dir().join("released"));
    let verdict = gate(&current, &released);
    for file in &verdict.new_schemas {
        println!("new schema (no released copy yet): {file}");
    }
    assert!(
        verdict.problems.is_empty(),
        "schemas incompatible with their released copies (see schemas/README.md):\n{}",
        verdict.problems.join("\n")
    );
    assert_eq!(
        verdict.checked,
        released.len(),
        "every released schema was checked"
    );
    assert!(
        released.len() >= 42,
        "release 1 has 42 schemas, found {}",
        released.len()
    );
}

const FILE: &str = "oms.order.events.v1/OrderItemCompleted.avsc";

/// The released schemas plus one modified copy of `FILE`.
fn with_change(change: impl FnOnce(&mut Value)) -> (Schemas, Schemas) {
    let released = load(&schemas_dir().join("released"));
    let mut schema: Value = serde_json::from_str(&released[FILE]).expect("json");
    change(&mut schema);
    let mut current = released.clone();
    current.insert(FILE.to_owned(), schema.to_string());
    (current, released)
}

fn fields(schema: &mut Value) -> &mut Vec<Value> {
    schema["fields"].as_array_mut().expect("fields")
}

fn field<'a>(schema: &'a mut Value, name: &str) -> &'a mut Value {
    fields(schema)
        .iter_mut()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("field {name}"))
}

fn single_problem(current: &Schemas, released: &Schemas) -> String {
    let verdict = gate(current, released);
    assert_eq!(verdict.problems.len(), 1, "{:#?}", verdict.problems);
    println!("{}", verdict.problems[0]);
    verdict.problems[0].clone()
}

#[test]
fn a_new_required_field_without_default_is_caught() {
    let (current, released) = with_change(|s| {
        fields(s).push(json!({"name": "invoiceGroup", "type": "string"}));
    });
    let problem = single_problem(&current, &released);
    assert!(problem.starts_with(FILE), "{problem}");
    assert!(problem.contains("field 'invoiceGroup'"), "{problem}");
    assert!(
        problem.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{problem}"
    );
}

#[test]
fn a_removed_enum_symbol_is_caught() {
    let (current, released) = with_change(|s| {
        let symbols = field(s, "assetEffect")["type"]["symbols"]
            .as_array_mut()
            .expect("enum");
        symbols.retain(|symbol| symbol != "NONE");
    });
    let problem = single_problem(&current, &released);
    assert!(problem.starts_with(FILE), "{problem}");
    assert!(problem.contains("field 'assetEffect'"), "{problem}");
    assert!(problem.contains("MISSING_ENUM_SYMBOLS"), "{problem}");
    assert!(problem.contains("NONE"), "{problem}");
}

#[test]
fn a_changed_field_type_is_caught() {
    let (current, released) = with_change(|s| {
        field(s, "quantity")["type"] = json!("string");
    });
    let problem = single_problem(&current, &released);
    assert!(problem.starts_with(FILE), "{problem}");
    assert!(problem.contains("field 'quantity'"), "{problem}");
    assert!(problem.contains("TYPE_MISMATCH"), "{problem}");
}

#[test]
fn a_removed_schema_fails_and_a_new_one_is_only_reported() {
    let released = load(&schemas_dir().join("released"));
    let mut current = released.clone();
    current.remove(FILE);
    let new_file = "oms.order.events.v1/OrderRepriced.avsc";
    current.insert(
        new_file.to_owned(),
        json!({"type": "record", "name": "OrderRepriced", "namespace": "com.example.oms.order.v1",
               "fields": [{"name": "orderId", "type": "string"}]})
        .to_string(),
    );
    let verdict = gate(&current, &released);
    assert_eq!(verdict.new_schemas, vec![new_file.to_owned()]);
    assert_eq!(verdict.problems.len(), 1, "{:#?}", verdict.problems);
    assert!(
        verdict.problems[0].starts_with(FILE),
        "{}",
        verdict.problems[0]
    );
    assert!(verdict.problems[0].contains("no current file"));
}

#[test]
fn an_optional_field_with_a_default_and_a_new_symbol_are_compatible() {
    let (current, released) = with_change(|s| {
        fields(s)
            .push(json!({"name": "invoiceGroup", "type": ["null", "string"], "default": null}));
        field(s, "assetEffect")["type"]["symbols"]
            .as_array_mut()
            .expect("enum")
            .push(json!("UPGRADE"));
    });
    let verdict = gate(&current, &released);
    assert!(verdict.problems.is_empty(), "{:#?}", verdict.problems);
    assert_eq!(verdict.checked, released.len());
}
