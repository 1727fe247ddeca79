//! Who did what, when, why, and in which flow: the metadata every transition carries.
//!
//! Invariant (DOMAIN §9): every state change is recorded with actor, reason, timestamp and
//! correlation id. Decisions take a [`TransitionMeta`] and copy it into every event they
//! produce, so the audit trail is the event stream itself. "Now" is `meta.at`, supplied by
//! the caller: the domain never reads the clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ValueError;
use crate::value::{CausationId, CorrelationId, MAX_REF_LEN, Reason, check_ref};

/// What kind of principal acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActorKind {
    /// A person (sales agent, operator, customer via a portal).
    User,
    /// One of our services or an upstream system reporting a fact (e.g. `fulfillment`, `cpq`).
    Service,
    /// Automatic behaviour without a human or service decision (schedulers, policies).
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "ActorRepr")]
pub struct Actor {
    kind: ActorKind,
    id: String,
}

#[derive(Deserialize)]
struct ActorRepr {
    kind: ActorKind,
    id: String,
}

impl TryFrom<ActorRepr> for Actor {
    type Error = ValueError;
    fn try_from(r: ActorRepr) -> Result<Self, Self::Error> {
        Actor::parse(r.kind, &r.id)
    }
}

impl Actor {
    pub fn parse(kind: ActorKind, id: &str) -> Result<Self, ValueError> {
        check_ref("actorId", id, MAX_REF_LEN)?;
        Ok(Self {
            kind,
            id: id.to_owned(),
        })
    }

    /// A person, identified by the id from their token.
    pub fn user(id: &str) -> Result<Self, ValueError> {
        Self::parse(ActorKind::User, id)
    }

    /// A service named in code, e.g. `Actor::service("fulfillment")`. Names are static
    /// strings reviewed with the code, so a blank one is a programming error: it is kept
    /// as `unknown-service` rather than panicking.
    pub fn service(name: &'static str) -> Self {
        Self::named(ActorKind::Service, name, "unknown-service")
    }

    /// Automatic system behaviour, e.g. `Actor::system("hold-expiry")`.
    pub fn system(name: &'static str) -> Self {
        Self::named(ActorKind::System, name, "unknown-system")
    }

    fn named(kind: ActorKind, name: &'static str, fallback: &'static str) -> Self {
        Self::parse(kind, name).unwrap_or(Self {
            kind,
            id: fallback.to_owned(),
        })
    }

    pub const fn kind(&self) -> ActorKind {
        self.kind
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}:{}", self.kind, self.id)
    }
}

/// Metadata of one decided command; copied verbatim into every event it produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionMeta {
    pub actor: Actor,
    pub reason: Option<Reason>,
    /// When the transition happened (the event's occurredAt). Supplied by the caller.
    pub at: DateTime<Utc>,
    pub correlation_id: CorrelationId,
    /// The message or request that caused this transition (e.g. the consumed event id).
    pub causation_id: Option<CausationId>,
}

impl TransitionMeta {
    pub fn new(actor: Actor, at: DateTime<Utc>, correlation_id: CorrelationId) -> Self {
        Self {
            actor,
            reason: None,
            at,
            correlation_id,
            causation_id: None,
        }
    }

    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reason = Some(reason);
        self
    }

    pub fn caused_by(mut self, causation_id: CausationId) -> Self {
        self.causation_id = Some(causation_id);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_distinguish_kinds_and_refuse_blank_ids() {
        assert_eq!(Actor::service("fulfillment").kind(), ActorKind::Service);
        assert_eq!(Actor::system("").id(), "unknown-system");
        assert!(Actor::user(" ").is_err());
        let json = serde_json::to_string(&Actor::user("u-1").unwrap()).unwrap();
        assert_eq!(json, r#"{"kind":"USER","id":"u-1"}"#);
        assert!(serde_json::from_str::<Actor>(r#"{"kind":"USER","id":""}"#).is_err());
    }
}
