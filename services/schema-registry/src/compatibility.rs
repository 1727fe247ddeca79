//! Compatibility levels and the Avro schema-evolution rules behind them.
//!
//! The verdict comes from apache-avro's `schema_compatibility` module: a reader can read a
//! writer's data when `SchemaCompatibility::can_read(writer, reader)` is `Ok(Full)`. A `Partial`
//! result (e.g. the reader's enum lacks some of the writer's symbols, or the reader's union lacks
//! some of the writer's branches) counts as incompatible, as in Confluent's registry, because
//! some data written would fail to decode. When the verdict is negative, [`explain`] walks the
//! two schemas to name the offending field(s) for verbose messages and 409 details, in the
//! `{errorType:'..', description:'..', additionalInfo:'..'}` shape Confluent uses.
//!
//! BACKWARD: the new schema (reader) reads data written with the old one (writer).
//! FORWARD: the old schema (reader) reads data written with the new one (writer).
//! FULL: both. `*_TRANSITIVE`: against every live version, otherwise the latest only. NONE: no check.

use std::fmt;
use std::str::FromStr;

use apache_avro::Schema;
use apache_avro::schema::{EnumSchema, FixedSchema, RecordSchema, SchemaKind};
use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};

use crate::error::ApiError;

/// A compatibility level, as Confluent names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompatibilityLevel {
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
    None,
}

impl CompatibilityLevel {
    /// Confluent's default global level.
    pub const DEFAULT: Self = Self::Backward;

    pub const ALL: [Self; 7] = [
        Self::Backward,
        Self::BackwardTransitive,
        Self::Forward,
        Self::ForwardTransitive,
        Self::Full,
        Self::FullTransitive,
        Self::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backward => "BACKWARD",
            Self::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Self::Forward => "FORWARD",
            Self::ForwardTransitive => "FORWARD_TRANSITIVE",
            Self::Full => "FULL",
            Self::FullTransitive => "FULL_TRANSITIVE",
            Self::None => "NONE",
        }
    }

    /// Checked against every live version rather than the latest only.
    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Self::BackwardTransitive | Self::ForwardTransitive | Self::FullTransitive
        )
    }

    /// The new schema must read data written with the old one(s).
    pub fn checks_backward(self) -> bool {
        matches!(
            self,
            Self::Backward | Self::BackwardTransitive | Self::Full | Self::FullTransitive
        )
    }

    /// The old schema(s) must read data written with the new one.
    pub fn checks_forward(self) -> bool {
        matches!(
            self,
            Self::Forward | Self::ForwardTransitive | Self::Full | Self::FullTransitive
        )
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompatibilityLevel {
    type Err = ApiError;

    /// Case-insensitive, as clients differ in how they spell levels; anything else is a 42203.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(ApiError::InvalidCompatibilityLevel)
    }
}

/// A previously registered version to check a new schema against.
#[derive(Debug)]
pub struct PreviousVersion<'a> {
    pub version: i32,
    pub text: &'a str,
    pub schema: &'a Schema,
}

/// Checks `new` against `previous` (ordered oldest first) under `level`. Non-transitive levels
/// look at the last element only. Returns Confluent-style messages; empty means compatible.
pub fn check(
    level: CompatibilityLevel,
    new: &Schema,
    previous: &[PreviousVersion<'_>],
) -> Vec<String> {
    if level == CompatibilityLevel::None {
        return Vec::new();
    }
    let candidates: Vec<&PreviousVersion<'_>> = if level.is_transitive() {
        previous.iter().rev().collect()
    } else {
        previous.last().into_iter().collect()
    };
    for old in candidates {
        let mut problems = Vec::new();
        if level.checks_backward() {
            problems.extend(reader_problems(old.schema, new, Side::New));
        }
        if level.checks_forward() {
            problems.extend(reader_problems(new, old.schema, Side::Old));
        }
        if !problems.is_empty() {
            let mut messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
            messages.push(format!("{{oldSchemaVersion: {}}}", old.version));
            messages.push(format!("{{oldSchema: '{}'}}", old.text));
            messages.push(format!("{{compatibility: '{level}'}}"));
            return messages;
        }
    }
    Vec::new()
}

/// Which of the two schemas is the reader, for the wording of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The new schema reads old data (backward check).
    New,
    /// The old schema reads new data (forward check).
    Old,
}

impl Side {
    fn reader(self) -> &'static str {
        match self {
            Self::New => "new schema",
            Self::Old => "old schema",
        }
    }
    fn writer(self) -> &'static str {
        match self {
            Self::New => "old schema",
            Self::Old => "new schema",
        }
    }
}

/// Confluent's (Avro's) names for kinds of incompatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NameMismatch => "NAME_MISMATCH",
            Self::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            Self::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            Self::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            Self::TypeMismatch => "TYPE_MISMATCH",
            Self::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

/// One reason why a reader cannot read a writer's data, located in the reader schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    pub error_type: IncompatibilityType,
    /// JSON-pointer-like location in the reader schema, e.g. `/fields/1/type`.
    pub path: String,
    /// Dotted field name, e.g. `customer.id` (empty at the top level).
    pub field: String,
    pub description: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{errorType:'{}', description:'{}', additionalInfo:'{}'}}",
            self.error_type.as_str(),
            self.description,
            self.field
        )
    }
}

/// Whether `reader` can read everything written with `writer`; the reasons if not.
pub fn reader_problems(writer: &Schema, reader: &Schema, side: Side) -> Vec<Incompatibility> {
    match SchemaCompatibility::can_read(writer, reader) {
        Ok(Compatibility::Full) => Vec::new(),
        verdict => {
            let mut found = Vec::new();
            explain(writer, reader, &Location::root(side), &mut found);
            if found.is_empty() {
                // The walk found nothing more specific: report apache-avro's own reason.
                let detail = match verdict {
                    Err(e) => e.to_string(),
                    Ok(_) => "the reader can read only part of the writer's data".to_owned(),
                };
                found.push(Incompatibility {
                    error_type: IncompatibilityType::TypeMismatch,
                    path: "/".to_owned(),
                    field: String::new(),
                    description: format!(
                        "The {} cannot read data written with the {}: {detail}",
                        side.reader(),
                        side.writer()
                    ),
                });
            }
            found
        }
    }
}

#[derive(Debug, Clone)]
struct Location {
    side: Side,
    path: String,
    field: String,
}

impl Location {
    fn root(side: Side) -> Self {
        Self {
            side,
            path: String::new(),
            field: String::new(),
        }
    }

    fn child(&self, segment: &str) -> Self {
        Self {
            side: self.side,
            path: format!("{}/{segment}", self.path),
            field: self.field.clone(),
        }
    }

    fn field(&self, index: usize, name: &str) -> Self {
        Self {
            side: self.side,
            path: format!("{}/fields/{index}", self.path),
            field: if self.field.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", self.field)
            },
        }
    }

    fn shown_path(&self) -> &str {
        if self.path.is_empty() {
            "/"
        } else {
            &self.path
        }
    }

    fn of_field(&self) -> String {
        if self.field.is_empty() {
            String::new()
        } else {
            format!(" of field '{}'", self.field)
        }
    }

    fn problem(&self, error_type: IncompatibilityType, description: String) -> Incompatibility {
        Incompatibility {
            error_type,
            path: self.shown_path().to_owned(),
            field: self.field.clone(),
            description,
        }
    }
}

fn fully_readable(writer: &Schema, reader: &Schema) -> bool {
    matches!(
        SchemaCompatibility::can_read(writer, reader),
        Ok(Compatibility::Full)
    )
}

/// Walks reader and writer side by side, recording the innermost places that fail.
fn explain(writer: &Schema, reader: &Schema, at: &Location, found: &mut Vec<Incompatibility>) {
    if fully_readable(writer, reader) {
        return;
    }
    let side = at.side;
    if let (Some(w), Some(r)) = (writer.name(), reader.name())
        && w.name() != r.name()
    {
        found.push(at.problem(
            IncompatibilityType::NameMismatch,
            format!(
                "The name of the schema{} has changed (path '{}'): the {} has '{}', the {} has '{}'",
                at.of_field(),
                at.shown_path(),
                side.writer(),
                w.fullname(None),
                side.reader(),
                r.fullname(None)
            ),
        ));
        return;
    }
    match (writer, reader) {
        (Schema::Record(w), Schema::Record(r)) => explain_record(w, r, at, found),
        (Schema::Enum(w), Schema::Enum(r)) => explain_enum(w, r, at, found),
        (Schema::Fixed(w), Schema::Fixed(r)) => explain_fixed(w, r, at, found),
        (Schema::Array(w), Schema::Array(r)) => {
            explain(&w.items, &r.items, &at.child("items"), found);
        }
        (Schema::Map(w), Schema::Map(r)) => {
            explain(&w.types, &r.types, &at.child("values"), found);
        }
        (Schema::Union(w), Schema::Union(r)) => {
            for (i, branch) in w.variants().iter().enumerate() {
                if !r.variants().iter().any(|rb| fully_readable(branch, rb)) {
                    found.push(at.problem(
                        IncompatibilityType::MissingUnionBranch,
                        format!(
                            "The {} is missing a type inside a union{} at path '{}': the {} \
                             can write '{}' (union branch {i})",
                            side.reader(),
                            at.of_field(),
                            at.shown_path(),
                            side.writer(),
                            describe(branch)
                        ),
                    ));
                }
            }
        }
        (Schema::Union(w), _) => {
            for (i, branch) in w.variants().iter().enumerate() {
                if !fully_readable(branch, reader) {
                    found.push(at.problem(
                        IncompatibilityType::TypeMismatch,
                        format!(
                            "The type{} at path '{}' in the {} is '{}', which cannot read the \
                             union branch {i} ('{}') the {} can write",
                            at.of_field(),
                            at.shown_path(),
                            side.reader(),
                            describe(reader),
                            describe(branch),
                            side.writer()
                        ),
                    ));
                }
            }
        }
        (_, Schema::Union(_)) => found.push(at.problem(
            IncompatibilityType::MissingUnionBranch,
            format!(
                "The union{} at path '{}' in the {} has no branch that can read '{}' written \
                 with the {}",
                at.of_field(),
                at.shown_path(),
                side.reader(),
                describe(writer),
                side.writer()
            ),
        )),
        _ => found.push(at.problem(
            IncompatibilityType::TypeMismatch,
            format!(
                "The type{} at path '{}' in the {} is '{}', which cannot read '{}' written with \
                 the {}",
                at.of_field(),
                at.shown_path(),
                side.reader(),
                describe(reader),
                describe(writer),
                side.writer()
            ),
        )),
    }
}

fn explain_record(
    w: &RecordSchema,
    r: &RecordSchema,
    at: &Location,
    found: &mut Vec<Incompatibility>,
) {
    let side = at.side;
    for (index, r_field) in r.fields.iter().enumerate() {
        let here = at.field(index, &r_field.name);
        // Same lookup as apache-avro: the reader's name first, then the reader's aliases.
        let w_field = std::iter::once(&r_field.name)
            .chain(r_field.aliases.iter())
            .find_map(|name| w.fields.iter().find(|wf| &wf.name == name));
        match w_field {
            Some(w_field) => explain(&w_field.schema, &r_field.schema, &here.child("type"), found),
            None if r_field.default.is_none() => found.push(here.problem(
                IncompatibilityType::ReaderFieldMissingDefaultValue,
                format!(
                    "The field '{}' at path '{}' in the {} has no default value and is missing \
                     in the {}",
                    here.field,
                    here.shown_path(),
                    side.reader(),
                    side.writer()
                ),
            )),
            None => {}
        }
    }
}

fn explain_enum(w: &EnumSchema, r: &EnumSchema, at: &Location, found: &mut Vec<Incompatibility>) {
    if r.default.is_some() {
        return;
    }
    let missing: Vec<&str> = w
        .symbols
        .iter()
        .filter(|s| !r.symbols.contains(s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        let side = at.side;
        found.push(at.problem(
            IncompatibilityType::MissingEnumSymbols,
            format!(
                "The {} is missing enum symbols '{}' of enum '{}'{} at path '{}' that the {} \
                 can write, and the enum has no default",
                side.reader(),
                missing.join(", "),
                r.name.fullname(None),
                at.of_field(),
                at.shown_path(),
                side.writer()
            ),
        ));
    }
}

fn explain_fixed(
    w: &FixedSchema,
    r: &FixedSchema,
    at: &Location,
    found: &mut Vec<Incompatibility>,
) {
    if w.size != r.size {
        found.push(at.problem(
            IncompatibilityType::FixedSizeMismatch,
            format!(
                "The size of FIXED type '{}'{} at path '{}' in the {} ({}) does not match the \
                 {} ({})",
                r.name.fullname(None),
                at.of_field(),
                at.shown_path(),
                at.side.reader(),
                r.size,
                at.side.writer(),
                w.size
            ),
        ));
    }
}

/// A short human name for a schema, for messages.
fn describe(schema: &Schema) -> String {
    match schema {
        Schema::Record(r) => format!("record {}", r.name.fullname(None)),
        Schema::Enum(e) => format!("enum {}", e.name.fullname(None)),
        Schema::Fixed(f) => format!("fixed {}", f.name.fullname(None)),
        Schema::Ref { name } => name.fullname(None),
        Schema::Array(a) => format!("array<{}>", describe(&a.items)),
        Schema::Map(m) => format!("map<{}>", describe(&m.types)),
        Schema::Union(u) => {
            let branches: Vec<String> = u.variants().iter().map(describe).collect();
            format!("[{}]", branches.join(", "))
        }
        other => format!("{:?}", SchemaKind::from(other)).to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"{"type":"record","name":"OrderCaptured","namespace":"com.example.oms.order.v1","fields":[
        {"name":"order_id","type":"string"},
        {"name":"quantity","type":"int"},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID"]}},
        {"name":"note","type":["null","string"],"default":null}
    ]}"#;

    fn parse(text: &str) -> Schema {
        Schema::parse_str(text).expect("valid test schema")
    }

    /// v1 with `edit` applied to its JSON.
    fn v1_with(edit: impl FnOnce(&mut serde_json::Value)) -> Schema {
        let mut json: serde_json::Value = serde_json::from_str(V1).unwrap();
        edit(&mut json);
        parse(&json.to_string())
    }

    fn fields(json: &mut serde_json::Value) -> &mut Vec<serde_json::Value> {
        json["fields"].as_array_mut().unwrap()
    }

    fn verdict(level: CompatibilityLevel, old: &Schema, new: &Schema) -> Vec<String> {
        let previous = [PreviousVersion {
            version: 1,
            text: "old",
            schema: old,
        }];
        check(level, new, &previous)
    }

    fn compatible(level: CompatibilityLevel, old: &Schema, new: &Schema) -> bool {
        verdict(level, old, new).is_empty()
    }

    fn add_field(default: bool) -> Schema {
        v1_with(|j| {
            let mut f = serde_json::json!({"name":"channel","type":"string"});
            if default {
                f["default"] = serde_json::json!("web");
            }
            fields(j).push(f);
        })
    }

    fn remove_field(name: &'static str) -> Schema {
        v1_with(move |j| fields(j).retain(|f| f["name"] != name))
    }

    fn quantity_type(t: &'static str) -> Schema {
        v1_with(move |j| fields(j)[1]["type"] = serde_json::json!(t))
    }

    fn status_symbols(symbols: &[&str]) -> Schema {
        let symbols = serde_json::json!(symbols);
        v1_with(move |j| fields(j)[2]["type"]["symbols"] = symbols)
    }

    fn note_union(branches: serde_json::Value) -> Schema {
        v1_with(move |j| fields(j)[3]["type"] = branches)
    }

    use CompatibilityLevel as L;

    #[test]
    fn levels_parse_case_insensitively_and_reject_unknown() {
        assert_eq!("full_transitive".parse::<L>().unwrap(), L::FullTransitive);
        assert_eq!("NONE".parse::<L>().unwrap(), L::None);
        assert_eq!(
            "SIDEWAYS".parse::<L>().unwrap_err().status_and_code().1,
            42203
        );
    }

    #[test]
    fn backward() {
        let v1 = parse(V1);
        assert!(
            compatible(L::Backward, &v1, &add_field(true)),
            "add field with default"
        );
        assert!(
            !compatible(L::Backward, &v1, &add_field(false)),
            "add field without default"
        );
        assert!(
            compatible(L::Backward, &v1, &remove_field("quantity")),
            "remove field"
        );
        assert!(
            compatible(L::Backward, &v1, &quantity_type("long")),
            "int -> long"
        );
        assert!(
            !compatible(L::Backward, &quantity_type("long"), &v1),
            "long -> int"
        );
        assert!(
            compatible(
                L::Backward,
                &v1,
                &status_symbols(&["NEW", "PAID", "SHIPPED"])
            ),
            "enum add"
        );
        assert!(
            !compatible(L::Backward, &v1, &status_symbols(&["NEW"])),
            "enum remove"
        );
        assert!(
            compatible(
                L::Backward,
                &v1,
                &note_union(serde_json::json!(["null", "string", "int"]))
            ),
            "union widening"
        );
        assert!(
            !compatible(
                L::Backward,
                &v1,
                &note_union(serde_json::json!(["null", "int"]))
            ),
            "union narrowing"
        );
    }

    #[test]
    fn forward() {
        let v1 = parse(V1);
        assert!(
            compatible(L::Forward, &v1, &add_field(true)),
            "add field with default"
        );
        assert!(
            compatible(L::Forward, &v1, &add_field(false)),
            "add field without default"
        );
        assert!(
            !compatible(L::Forward, &v1, &remove_field("quantity")),
            "remove required field"
        );
        assert!(
            compatible(L::Forward, &v1, &remove_field("note")),
            "remove field with default"
        );
        assert!(
            !compatible(L::Forward, &v1, &quantity_type("long")),
            "int -> long"
        );
        assert!(
            compatible(L::Forward, &quantity_type("long"), &v1),
            "long -> int"
        );
        assert!(
            !compatible(
                L::Forward,
                &v1,
                &status_symbols(&["NEW", "PAID", "SHIPPED"])
            ),
            "enum add"
        );
        assert!(
            compatible(L::Forward, &v1, &status_symbols(&["NEW"])),
            "enum remove"
        );
        assert!(
            !compatible(
                L::Forward,
                &v1,
                &note_union(serde_json::json!(["null", "string", "int"]))
            ),
            "union widening"
        );
    }

    #[test]
    fn full() {
        let v1 = parse(V1);
        assert!(
            compatible(L::Full, &v1, &add_field(true)),
            "add field with default"
        );
        assert!(
            !compatible(L::Full, &v1, &add_field(false)),
            "add field without default"
        );
        assert!(
            !compatible(L::Full, &v1, &remove_field("quantity")),
            "remove required field"
        );
        assert!(
            compatible(L::Full, &v1, &remove_field("note")),
            "remove field with default"
        );
        assert!(
            !compatible(L::Full, &v1, &quantity_type("long")),
            "int -> long"
        );
        assert!(
            !compatible(L::Full, &v1, &status_symbols(&["NEW", "PAID", "SHIPPED"])),
            "enum add"
        );
        assert!(
            !compatible(L::Full, &v1, &status_symbols(&["NEW"])),
            "enum remove"
        );
        assert!(
            !compatible(
                L::Full,
                &v1,
                &note_union(serde_json::json!(["null", "string", "int"]))
            ),
            "union widening"
        );
    }

    #[test]
    fn none_accepts_anything() {
        let v1 = parse(V1);
        assert!(compatible(L::None, &v1, &add_field(false)));
        assert!(compatible(L::None, &v1, &parse(r#""string""#)));
    }

    /// v1 {a}; v2 {a, b default 0}; a candidate {a, b} without a default, which reads v2 data
    /// (b is there) but not v1 data (b missing): only transitive levels see the difference.
    fn transitive_history() -> (Schema, Schema, Schema) {
        let v1 = parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
        let v2 = parse(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}"#,
        );
        // Reads v2 data (b is there), but not v1 data (b missing, no default).
        let candidate = parse(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
        );
        (v1, v2, candidate)
    }

    fn check_history(level: L, v1: &Schema, v2: &Schema, candidate: &Schema) -> Vec<String> {
        let previous = [
            PreviousVersion {
                version: 1,
                text: "v1",
                schema: v1,
            },
            PreviousVersion {
                version: 2,
                text: "v2",
                schema: v2,
            },
        ];
        check(level, candidate, &previous)
    }

    #[test]
    fn backward_transitive_checks_all_versions() {
        let (v1, v2, candidate) = transitive_history();
        assert!(check_history(L::Backward, &v1, &v2, &candidate).is_empty());
        let messages = check_history(L::BackwardTransitive, &v1, &v2, &candidate);
        assert!(
            messages[0].contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"{oldSchemaVersion: 1}".to_owned()),
            "{messages:?}"
        );
    }

    #[test]
    fn forward_transitive_checks_all_versions() {
        // Old readers v1 {a, b} and v2 {a, b default}; the candidate {a} drops b. v2 can read it
        // (default), v1 cannot.
        let v1 = parse(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#,
        );
        let v2 = parse(
            r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}"#,
        );
        let candidate =
            parse(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
        assert!(check_history(L::Forward, &v1, &v2, &candidate).is_empty());
        assert!(!check_history(L::ForwardTransitive, &v1, &v2, &candidate).is_empty());
    }

    #[test]
    fn full_transitive_checks_all_versions() {
        let (v1, v2, candidate) = transitive_history();
        // FULL against v2 alone: candidate reads v2 (b present) and v2 reads candidate → ok.
        assert!(check_history(L::Full, &v1, &v2, &candidate).is_empty());
        assert!(!check_history(L::FullTransitive, &v1, &v2, &candidate).is_empty());
    }

    #[test]
    fn messages_name_the_field() {
        let v1 = parse(V1);
        let m = verdict(L::Backward, &v1, &add_field(false));
        assert!(m[0].contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{m:?}");
        assert!(m[0].contains("'channel'"), "{m:?}");
        assert!(m[0].contains("/fields/4"), "{m:?}");
        assert!(
            m.iter().any(|s| s == "{compatibility: 'BACKWARD'}"),
            "{m:?}"
        );

        let m = verdict(L::Backward, &quantity_type("long"), &v1);
        assert!(
            m[0].contains("TYPE_MISMATCH") && m[0].contains("'quantity'"),
            "{m:?}"
        );
        assert!(m[0].contains("/fields/1/type"), "{m:?}");

        let m = verdict(L::Backward, &v1, &status_symbols(&["NEW"]));
        assert!(
            m[0].contains("MISSING_ENUM_SYMBOLS") && m[0].contains("PAID"),
            "{m:?}"
        );
        assert!(m[0].contains("'status'"), "{m:?}");

        let m = verdict(
            L::Forward,
            &v1,
            &note_union(serde_json::json!(["null", "string", "int"])),
        );
        assert!(
            m[0].contains("MISSING_UNION_BRANCH") && m[0].contains("'note'"),
            "{m:?}"
        );

        let m = verdict(L::Forward, &v1, &remove_field("quantity"));
        assert!(m[0].contains("READER_FIELD_MISSING_DEFAULT_VALUE"), "{m:?}");
        assert!(
            m[0].contains("'quantity'") && m[0].contains("old schema"),
            "{m:?}"
        );
    }

    #[test]
    fn nested_fields_are_named_with_their_path() {
        let old = parse(
            r#"{"type":"record","name":"R","fields":[{"name":"customer","type":{"type":"record","name":"C","fields":[{"name":"id","type":"long"}]}}]}"#,
        );
        let new = parse(
            r#"{"type":"record","name":"R","fields":[{"name":"customer","type":{"type":"record","name":"C","fields":[{"name":"id","type":"int"}]}}]}"#,
        );
        let m = verdict(L::Backward, &old, &new);
        assert!(m[0].contains("'customer.id'"), "{m:?}");
        assert!(m[0].contains("/fields/0/type/fields/0/type"), "{m:?}");
    }

    #[test]
    fn record_rename_is_a_name_mismatch() {
        let old = parse(r#"{"type":"record","name":"A","fields":[]}"#);
        let new = parse(r#"{"type":"record","name":"B","fields":[]}"#);
        let m = verdict(L::Backward, &old, &new);
        assert!(m[0].contains("NAME_MISMATCH"), "{m:?}");
    }
}
