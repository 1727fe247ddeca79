//! W3C trace-context (`traceparent`) propagation between a `tracing` span and a string header.
//!
//! Producers put [`current_traceparent`] into the event envelope and Kafka headers; consumers
//! call [`set_parent_from_traceparent`] on their handler span, so the consumer's span continues
//! the producer's trace.

use opentelemetry::propagation::{Extractor, Injector};
use std::collections::HashMap;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

const TRACEPARENT: &str = "traceparent";

struct MapCarrier(HashMap<String, String>);

impl Injector for MapCarrier {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
}

impl Extractor for MapCarrier {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// The `traceparent` of the current span, if the span is sampled into a real trace.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let mut carrier = MapCarrier(HashMap::new());
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut carrier);
    });
    carrier.0.remove(TRACEPARENT)
}

/// Makes `span` a child of the remote span described by `traceparent`. A malformed value is
/// ignored (the span then starts a new trace), because tracing must never fail business work.
pub fn set_parent_from_traceparent(span: &tracing::Span, traceparent: &str) {
    let carrier = MapCarrier(HashMap::from([(
        TRACEPARENT.to_owned(),
        traceparent.to_owned(),
    )]));
    let context =
        opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(&carrier));
    // set_parent only fails when the span is disabled; nothing to propagate then.
    let _ignored = span.set_parent(context);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_span_continues_the_remote_trace() {
        crate::init_for_tests("propagation-test");
        let remote = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let span = tracing::info_span!("consumer");
        set_parent_from_traceparent(&span, remote);
        let traceparent = span.in_scope(current_traceparent).expect("a traceparent");
        let parts: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(
            parts[1], "4bf92f3577b34da6a3ce929d0e0e4736",
            "same trace id"
        );
        assert_ne!(parts[2], "00f067aa0ba902b7", "a new span id of our own");
    }

    #[test]
    fn a_root_span_gets_a_fresh_trace() {
        crate::init_for_tests("propagation-test");
        let span = tracing::info_span!("root");
        let traceparent = span.in_scope(current_traceparent).expect("a traceparent");
        assert_eq!(
            traceparent.len(),
            55,
            "00-<32 hex>-<16 hex>-<2 hex>: {traceparent}"
        );
        assert!(traceparent.starts_with("00-"));
    }
}
