//! Reading the spans the services exported (`OMS_SPAN_FILE`, JSON lines), to check that one
//! trace follows an order through every service.

use oms_telemetry::SpanRecord;
use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

/// Every span in `path` (missing file: none).
pub fn read(path: &Path) -> anyhow::Result<Vec<SpanRecord>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).map_err(anyhow::Error::from))
        .collect()
}

/// The services that recorded spans in each trace.
pub fn services_by_trace(spans: &[SpanRecord]) -> BTreeMap<String, BTreeSet<String>> {
    let mut traces: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for span in spans {
        traces
            .entry(span.trace_id.clone())
            .or_default()
            .insert(span.service.clone());
    }
    traces
}

/// The trace ids of spans carrying `attribute = value` (e.g. `aggregate_id` = an order id).
pub fn traces_with(spans: &[SpanRecord], attribute: &str, value: &str) -> BTreeSet<String> {
    spans
        .iter()
        .filter(|span| {
            span.attributes
                .iter()
                .any(|(k, v)| k == attribute && v == value)
        })
        .map(|span| span.trace_id.clone())
        .collect()
}
