//! The envelope every event carries, in its Avro record (field `envelope`) and as Kafka headers.
//!
//! Invariants: the event id is a UUID v7 unique per fact (a redelivery carries the same id);
//! the event type is the past-tense record name; correlation id is never empty; a follow-up
//! event names the event that caused it (causation id) and keeps its correlation id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Kafka header names of the envelope.
pub mod header {
    pub const EVENT_ID: &str = "event_id";
    pub const EVENT_TYPE: &str = "event_type";
    pub const EVENT_VERSION: &str = "event_version";
    pub const AGGREGATE_TYPE: &str = "aggregate_type";
    pub const AGGREGATE_ID: &str = "aggregate_id";
    pub const TENANT_ID: &str = "tenant_id";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const CORRELATION_ID: &str = "correlation_id";
    pub const CAUSATION_ID: &str = "causation_id";
    pub const TRACEPARENT: &str = "traceparent";
}

/// Metadata of one event. Field names match the Avro `Envelope` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    #[serde(with = "crate::avro_serde::uuid")]
    pub event_id: Uuid,
    pub event_type: String,
    pub event_version: i32,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub tenant_id: String,
    #[serde(with = "crate::avro_serde::timestamp_millis")]
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    pub traceparent: Option<String>,
}

impl Envelope {
    /// A new envelope for a fact about `aggregate_type`/`aggregate_id`, with a fresh UUID v7 id,
    /// the current trace context, and the given correlation id. Millisecond precision, because
    /// that is what the Avro `timestamp-millis` type keeps.
    pub fn new(
        event_type: &str,
        event_version: i32,
        aggregate_type: &str,
        aggregate_id: impl Into<String>,
        tenant_id: impl Into<String>,
        correlation_id: impl Into<String>,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: event_type.to_owned(),
            event_version,
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id: aggregate_id.into(),
            tenant_id: tenant_id.into(),
            occurred_at: truncate_to_millis(occurred_at),
            correlation_id: correlation_id.into(),
            causation_id: None,
            traceparent: oms_telemetry::current_traceparent(),
        }
    }

    /// Marks this event as caused by `cause`: same correlation id, causation id = cause's id.
    #[must_use]
    pub fn caused_by(mut self, cause: &Envelope) -> Self {
        self.correlation_id.clone_from(&cause.correlation_id);
        self.causation_id = Some(cause.event_id.to_string());
        self
    }

    /// The envelope as Kafka headers (name -> value), absent optional fields omitted.
    pub fn to_headers(&self) -> BTreeMap<String, String> {
        let mut headers = BTreeMap::from([
            (header::EVENT_ID.to_owned(), self.event_id.to_string()),
            (header::EVENT_TYPE.to_owned(), self.event_type.clone()),
            (
                header::EVENT_VERSION.to_owned(),
                self.event_version.to_string(),
            ),
            (
                header::AGGREGATE_TYPE.to_owned(),
                self.aggregate_type.clone(),
            ),
            (header::AGGREGATE_ID.to_owned(), self.aggregate_id.clone()),
            (header::TENANT_ID.to_owned(), self.tenant_id.clone()),
            (
                header::OCCURRED_AT.to_owned(),
                self.occurred_at.to_rfc3339(),
            ),
            (
                header::CORRELATION_ID.to_owned(),
                self.correlation_id.clone(),
            ),
        ]);
        if let Some(causation) = &self.causation_id {
            headers.insert(header::CAUSATION_ID.to_owned(), causation.clone());
        }
        if let Some(traceparent) = &self.traceparent {
            headers.insert(header::TRACEPARENT.to_owned(), traceparent.clone());
        }
        headers
    }
}

/// Drops sub-millisecond precision so a value survives an Avro round trip unchanged.
pub fn truncate_to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Envelope {
        Envelope::new(
            "OrderCaptured",
            1,
            "Order",
            "o-1",
            "tenant-a",
            "corr-1",
            Utc::now(),
        )
    }

    #[test]
    fn caused_by_keeps_the_correlation_and_names_the_cause() {
        let cause = sample();
        let effect = Envelope::new(
            "OrderDecomposed",
            1,
            "Order",
            "o-1",
            "tenant-a",
            "other",
            Utc::now(),
        )
        .caused_by(&cause);
        assert_eq!(effect.correlation_id, "corr-1");
        assert_eq!(effect.causation_id, Some(cause.event_id.to_string()));
        assert_ne!(effect.event_id, cause.event_id);
    }

    #[test]
    fn headers_carry_every_envelope_field_that_is_set() {
        let mut envelope = sample();
        envelope.causation_id = Some("cause".into());
        envelope.traceparent =
            Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into());
        let headers = envelope.to_headers();
        assert_eq!(headers[header::EVENT_ID], envelope.event_id.to_string());
        assert_eq!(headers[header::EVENT_TYPE], "OrderCaptured");
        assert_eq!(headers[header::EVENT_VERSION], "1");
        assert_eq!(headers[header::TENANT_ID], "tenant-a");
        assert_eq!(headers[header::CORRELATION_ID], "corr-1");
        assert_eq!(headers[header::CAUSATION_ID], "cause");
        assert!(headers[header::TRACEPARENT].starts_with("00-"));
        assert_eq!(headers.len(), 10);
    }

    #[test]
    fn occurred_at_is_kept_to_the_millisecond() {
        let envelope = sample();
        assert_eq!(envelope.occurred_at.timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
