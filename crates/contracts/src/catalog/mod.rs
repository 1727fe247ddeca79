//! The event catalog (`docs/event-catalog.md`), rendered from the schemas the families
//! register, so the document cannot drift from the contracts: a test compares the committed
//! file with [`render`], and `cargo run -q -p oms-contracts --bin oms-event-catalog`
//! rewrites it.
//!
//! [`named_types`] (in `walk.rs`) is the walk over a schema's named types the rendering and
//! the schema consistency tests share.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use oms_messaging::{EventContract, RecordSchema};
use serde_json::Value;

mod walk;

pub use walk::{NamedType, named_types};

use crate::{AssetEventV1, DecompositionEventV1, FulfillmentEventV1, OrderEventV1, QuoteEventV1};

/// What the catalog says about a topic besides its schemas (ARCHITECTURE §1-2).
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    pub name: &'static str,
    pub key: &'static str,
    pub producer: &'static str,
    pub consumers: &'static str,
    pub summary: &'static str,
    pub schemas: fn() -> &'static [RecordSchema],
}

/// Every topic with a contract, in catalog order.
pub const TOPICS: [Topic; 5] = [
    Topic {
        name: OrderEventV1::TOPIC,
        key: "order id",
        producer: "order-capture (the single writer of order state)",
        consumers: "decomposition, fulfillment, asset, projections, billing",
        summary: "Every fact about an order. Billing reads OrderItemCompleted, OrderCompleted and OrderCancelled; decomposition reads OrderReleasedForDecomposition; fulfillment reads OrderReleasedForFulfillment and the cancellation events.",
        schemas: OrderEventV1::schemas,
    },
    Topic {
        name: DecompositionEventV1::TOPIC,
        key: "order id",
        producer: "decomposition",
        consumers: "order-capture, fulfillment, projections",
        summary: "The fulfillment plan of an order, or why none could be made.",
        schemas: DecompositionEventV1::schemas,
    },
    Topic {
        name: FulfillmentEventV1::TOPIC,
        key: "order id",
        producer: "fulfillment",
        consumers: "order-capture, asset, projections",
        summary: "Execution of an order's plan: task progress, item results with their asset effect and item context, fallout cases, the cancellation loop.",
        schemas: FulfillmentEventV1::schemas,
    },
    Topic {
        name: AssetEventV1::TOPIC,
        key: "asset id",
        producer: "asset",
        consumers: "order-capture (actual asset id, asset snapshot projection), projections",
        summary: "Changes to the installed base, each with the asset as it stands after the change and the order item that caused it.",
        schemas: AssetEventV1::schemas,
    },
    Topic {
        name: QuoteEventV1::TOPIC,
        key: "quote id",
        producer: "CPQ (upstream; its contract, flat layout without envelope)",
        consumers: "order-capture",
        summary: "An accepted quote revision; order-capture captures it as a QUOTE_DERIVED order.",
        schemas: QuoteEventV1::schemas,
    },
];

/// A schema that is not the JSON of an Avro schema.
#[derive(Debug, thiserror::Error)]
#[error("schema {name}: {reason}")]
pub struct CatalogError {
    pub name: String,
    pub reason: String,
}

/// How a (normalized) type reads in the catalog.
pub(crate) fn type_label(t: &Value) -> String {
    match t {
        Value::String(name) => name.rsplit('.').next().unwrap_or(name).to_owned(),
        Value::Array(branches) => {
            let others: Vec<&Value> = branches.iter().filter(|b| *b != "null").collect();
            match (others.as_slice(), others.len() < branches.len()) {
                ([one], true) => format!("{}?", type_label(one)),
                _ => branches
                    .iter()
                    .map(type_label)
                    .collect::<Vec<_>>()
                    .join(" \\| "),
            }
        }
        Value::Object(map) => {
            let logical = map.get("logicalType").and_then(Value::as_str);
            let base = map.get("type").map(type_label).unwrap_or_default();
            match (logical, base.as_str()) {
                (Some("decimal"), _) => format!(
                    "decimal({},{})",
                    map.get("precision").unwrap_or(&Value::Null),
                    map.get("scale").unwrap_or(&Value::Null)
                ),
                (Some(logical), _) => logical.to_owned(),
                (None, "array") => format!(
                    "array<{}>",
                    map.get("items").map(type_label).unwrap_or_default()
                ),
                (None, "map") => format!(
                    "map<{}>",
                    map.get("values").map(type_label).unwrap_or_default()
                ),
                (None, other) => other.to_owned(),
            }
        }
        other => other.to_string(),
    }
}

fn doc(v: &Value) -> String {
    v.get("doc")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn fields_table(out: &mut String, definition: &Value) {
    out.push_str("| field | type | doc |\n|---|---|---|\n");
    for field in definition["fields"].as_array().into_iter().flatten() {
        let name = field["name"].as_str().unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} |",
            type_label(&field["type"]),
            doc(field)
        );
    }
}

/// The whole catalog as Markdown.
pub fn render() -> Result<String, CatalogError> {
    let mut out = String::from(
        "# Event catalog\n\n\
         <!-- Generated from schemas/ by `cargo run -q -p oms-contracts --bin oms-event-catalog`. Do not edit. -->\n\n\
         Every topic with an Avro contract, its key, producer and consumers, and every event type\n\
         with its fields. Values use the Confluent wire format with TopicRecordName subjects\n\
         (`<topic>-<record full name>`); OMS events carry the `Envelope` record first and repeat it\n\
         as Kafka headers. `T?` is an optional field (`[\"null\", T]`, default null). Shared records\n\
         and enums are listed once under [Named types](#named-types).\n\n\
         | topic | key | producer | consumers | event types |\n|---|---|---|---|---|\n",
    );
    let mut shared: BTreeMap<String, Value> = BTreeMap::new();
    for topic in &TOPICS {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            topic.name,
            topic.key,
            topic.producer,
            topic.consumers,
            (topic.schemas)().len()
        );
    }
    for topic in &TOPICS {
        let _ = write!(
            out,
            "\n## `{}`\n\n{}\n\n- key: {}\n- producer: {}\n- consumers: {}\n",
            topic.name, topic.summary, topic.key, topic.producer, topic.consumers
        );
        for record in (topic.schemas)() {
            let types = named_types(record.schema).map_err(|e| CatalogError {
                name: record.name.to_owned(),
                reason: e.reason,
            })?;
            let Some((top, nested)) = types.split_first() else {
                return Err(CatalogError {
                    name: record.name.to_owned(),
                    reason: "no named record".into(),
                });
            };
            let short = top.full_name.rsplit('.').next().unwrap_or_default();
            let _ = write!(
                out,
                "\n### {short}\n\n`{}`: {}\n\n",
                top.full_name,
                doc(&top.definition)
            );
            fields_table(&mut out, &top.definition);
            for n in nested {
                shared
                    .entry(n.full_name.clone())
                    .or_insert_with(|| n.definition.clone());
            }
        }
    }
    out.push_str("\n## Named types\n");
    for (name, definition) in &shared {
        let kind = definition["type"].as_str().unwrap_or_default();
        let _ = write!(
            out,
            "\n### {}\n\n`{name}` ({kind}): {}\n\n",
            name.rsplit('.').next().unwrap_or_default(),
            doc(definition)
        );
        if kind == "enum" {
            let symbols: Vec<String> = definition["symbols"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|s| format!("`{s}`"))
                .collect();
            let default = definition["default"]
                .as_str()
                .map_or_else(|| "none".to_owned(), |d| format!("`{d}`"));
            let _ = writeln!(out, "Symbols: {}. Default: {default}.", symbols.join(", "));
        } else {
            fields_table(&mut out, definition);
        }
    }
    Ok(out)
}
