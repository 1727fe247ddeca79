//! The generic part of the timeline: a row from the envelope (event id, type and version,
//! aggregate, tenant, occurredAt, correlation and causation ids, trace id from the
//! `traceparent`), where the record sat in Kafka, and the record's [`Fact`].

use oms_messaging::{HandlerError, MessageContext};
use sqlx::PgConnection;

use super::store_error;
use crate::describe::Fact;
use crate::store::timeline::{self, EventRow};

/// The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`).
pub fn trace_id(traceparent: &str) -> Option<String> {
    let mut parts = traceparent.split('-');
    let (_version, trace) = (parts.next()?, parts.next()?);
    (trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| trace.to_ascii_lowercase())
}

/// The timeline row of the event in `ctx`, written by `service` on contract topic `topic`.
pub fn row(ctx: &MessageContext, topic: &str, service: &str, fact: Fact) -> EventRow {
    let envelope = &ctx.envelope;
    EventRow {
        event_id: envelope.event_id,
        tenant_id: envelope.tenant_id.clone(),
        order_id: fact.order_id,
        topic: topic.to_owned(),
        service: service.to_owned(),
        event_type: envelope.event_type.clone(),
        event_version: envelope.event_version,
        aggregate_type: envelope.aggregate_type.clone(),
        aggregate_id: envelope.aggregate_id.clone(),
        order_version: fact.order_version,
        occurred_at: envelope.occurred_at,
        correlation_id: envelope.correlation_id.clone(),
        causation_id: envelope.causation_id.clone(),
        trace_id: envelope.traceparent.as_deref().and_then(trace_id),
        actor_kind: fact.actor_kind,
        actor_id: fact.actor_id,
        reason: fact.reason,
        summary: fact.summary,
        refs: fact.refs,
        kafka_partition: ctx.partition,
        kafka_offset: ctx.offset,
    }
}

/// Records the event in `ctx` on its order's timeline.
pub async fn record(
    conn: &mut PgConnection,
    ctx: &MessageContext,
    topic: &str,
    service: &str,
    fact: Fact,
) -> Result<(), HandlerError> {
    timeline::record(conn, &row(ctx, topic, service, fact))
        .await
        .map_err(store_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trace_id_is_the_second_field_of_the_traceparent() {
        assert_eq!(
            trace_id("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        assert_eq!(trace_id("garbage"), None);
        assert_eq!(trace_id("00-short-00f067aa0ba902b7-01"), None);
    }
}
