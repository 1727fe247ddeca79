//! The envelope and the transition metadata: domain [`TransitionMeta`] <-> contract
//! `envelope` + `actor` + `reason`.
//!
//! The envelope carries occurredAt (`meta.at`), correlation and causation ids, tenant and
//! aggregate; actor and reason travel as record fields because the envelope has no place for
//! them and the audit trail needs them.
//!
//! Building an envelope mints a fresh event id (UUID v7): convert a domain event once per
//! fact and store the result (the outbox row), never re-convert on retry.

use oms_domain::value::{CausationId, CorrelationId, Reason, TenantId};
use oms_domain::{DomainEvent, TransitionMeta};
use oms_messaging::Envelope;

use super::records::Actor;
use crate::error::{MappingError, parsed, parsed_opt};

/// The envelope of `event`: type, version, aggregate, tenant, occurredAt = `meta.at`
/// (to the millisecond), correlation and causation ids from the meta, a fresh event id and
/// the current trace context.
pub fn envelope_of<E: DomainEvent>(event: &E) -> Envelope {
    let meta = event.meta();
    let mut envelope = Envelope::new(
        event.event_type(),
        i32::from(event.event_version()),
        event.aggregate_type(),
        event.aggregate_id(),
        event.tenant_id().as_str(),
        meta.correlation_id.as_str(),
        meta.at,
    );
    envelope.causation_id = meta.causation_id.as_ref().map(|c| c.as_str().to_owned());
    envelope
}

/// The record fields that carry the rest of the meta.
pub(crate) fn actor_and_reason(meta: &TransitionMeta) -> (Actor, Option<String>) {
    (
        Actor::from(&meta.actor),
        meta.reason.as_ref().map(|r| r.as_str().to_owned()),
    )
}

/// The domain meta back from the envelope and the record's actor and reason.
pub(crate) fn meta_of(
    envelope: &Envelope,
    actor: &Actor,
    reason: Option<&String>,
) -> Result<TransitionMeta, MappingError> {
    Ok(TransitionMeta {
        actor: actor.to_domain("actor")?,
        reason: parsed_opt("reason", reason, Reason::parse)?,
        at: envelope.occurred_at,
        correlation_id: parsed(
            "envelope.correlationId",
            CorrelationId::parse(&envelope.correlation_id),
        )?,
        causation_id: parsed_opt(
            "envelope.causationId",
            envelope.causation_id.as_ref(),
            CausationId::parse,
        )?,
    })
}

/// Checks the envelope describes a record of `event_type` about `aggregate_type`
/// `aggregate_id`, and returns its tenant.
pub(crate) fn checked_tenant(
    envelope: &Envelope,
    event_type: &str,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<TenantId, MappingError> {
    let mismatch = |what: &str, found: &str, expected: &str| MappingError::EnvelopeMismatch {
        detail: format!("{what} is '{found}', the record is a {expected}"),
    };
    if envelope.event_type != event_type {
        return Err(mismatch("eventType", &envelope.event_type, event_type));
    }
    if envelope.aggregate_type != aggregate_type {
        return Err(mismatch(
            "aggregateType",
            &envelope.aggregate_type,
            aggregate_type,
        ));
    }
    if envelope.aggregate_id != aggregate_id {
        return Err(MappingError::EnvelopeMismatch {
            detail: format!(
                "aggregateId is '{}', the record is about '{aggregate_id}'",
                envelope.aggregate_id
            ),
        });
    }
    parsed("envelope.tenantId", TenantId::parse(&envelope.tenant_id))
}
