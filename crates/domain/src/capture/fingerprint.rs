//! Semantic request fingerprint for the API idempotency layer (DOMAIN §5, 002 §11).
//!
//! `sha256` (hex) over a canonical JSON form of the intake: object keys sorted at every
//! level, decimals normalised (`10.0` and `10.00` are the same price), no insignificant
//! whitespace, prefixed with a format version. Timestamps of the *request* are not part
//! of the intake (they travel in the transition meta), so retries with a new timestamp
//! hash the same; the quote's acceptance time is business evidence and does count.
//! Key order is fixed here rather than relying on serde_json's map type, whose ordering
//! changes with the `preserve_order` feature anywhere in the build.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::intake::CaptureOrder;

const FORMAT: &str = "oms.capture-order.fingerprint.v1\n";

pub fn request_fingerprint(intake: &CaptureOrder) -> String {
    let mut normalized = intake.clone();
    normalize_decimals(&mut normalized);
    let value = serde_json::to_value(&normalized).unwrap_or(Value::Null);
    let mut canonical = String::from(FORMAT);
    write_canonical(&value, &mut canonical);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn normalize_decimals(intake: &mut CaptureOrder) {
    intake.order_total = intake.order_total.map(|d| d.normalize());
    for item in &mut intake.items {
        item.item_total = item.item_total.map(|d| d.normalize());
        for c in &mut item.price_components {
            c.amount = c.amount.normalize();
        }
    }
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (n, (k, v)) in entries.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, v) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
