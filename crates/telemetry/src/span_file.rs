//! A span exporter that appends finished spans to a file as JSON lines.
//!
//! It exists so a local run or an end-to-end test can follow one trace id across services
//! without running an OpenTelemetry collector; production exports OTLP instead.

use opentelemetry_sdk::{
    error::{OTelSdkError, OTelSdkResult},
    trace::{SpanData, SpanExporter},
};
use serde::{Deserialize, Serialize};
use std::{
    fs::{File, OpenOptions},
    io::{BufWriter, Write as _},
    path::Path,
    sync::{Arc, Mutex},
    time::UNIX_EPOCH,
};

/// One exported span, as written to the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanRecord {
    pub service: String,
    pub name: String,
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: String,
    pub start_unix_nanos: u128,
    pub end_unix_nanos: u128,
    pub attributes: Vec<(String, String)>,
}

/// Appends spans to a file shared safely by several processes (each line is one write).
#[derive(Debug, Clone)]
pub struct JsonLinesSpanExporter {
    service: String,
    file: Arc<Mutex<File>>,
}

impl JsonLinesSpanExporter {
    pub fn create(path: &Path, service: &str) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            service: service.to_owned(),
            file: Arc::new(Mutex::new(file)),
        })
    }

    fn record(&self, span: &SpanData) -> SpanRecord {
        let nanos =
            |t: std::time::SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        SpanRecord {
            service: self.service.clone(),
            name: span.name.to_string(),
            trace_id: span.span_context.trace_id().to_string(),
            span_id: span.span_context.span_id().to_string(),
            parent_span_id: span.parent_span_id.to_string(),
            start_unix_nanos: nanos(span.start_time),
            end_unix_nanos: nanos(span.end_time),
            attributes: span
                .attributes
                .iter()
                .map(|kv| (kv.key.to_string(), kv.value.to_string()))
                .collect(),
        }
    }
}

impl SpanExporter for JsonLinesSpanExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut lines = Vec::with_capacity(batch.len() * 256);
        for span in &batch {
            serde_json::to_writer(&mut lines, &self.record(span))
                .map_err(|e| OTelSdkError::InternalFailure(e.to_string()))?;
            lines.push(b'\n');
        }
        let file = self
            .file
            .lock()
            .map_err(|_| OTelSdkError::InternalFailure("span file lock poisoned".into()))?;
        // One write_all per batch on an O_APPEND file keeps lines from different processes intact.
        let mut writer = BufWriter::with_capacity(lines.len().max(1), &*file);
        writer
            .write_all(&lines)
            .and_then(|()| writer.flush())
            .map_err(|e| OTelSdkError::InternalFailure(e.to_string()))
    }
}
