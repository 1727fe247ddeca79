//! `com.example.oms.common.v1`: the envelope, the transition metadata and the records and
//! enums more than one topic uses (actor, service address, product, price, item action,
//! asset effect/status, cancellation feasibility, repair resolution, external effect level).
//!
//! Avro has no cross-file references, so every event schema repeats these definitions
//! inline; `schemas/common/` holds the canonical copy of each and a test checks every
//! embedded copy against it.

mod enums;
mod fact;
mod meta;
mod records;

pub use enums::{
    ActorKind, AssetEffect, AssetStatus, CancellationFeasibility, ExternalEffectLevel, ItemAction,
    PriceKind, RepairResolution,
};
pub(crate) use fact::{FactHead, FactRecord, fact_base, fact_event};
pub use meta::envelope_of;
pub(crate) use meta::{actor_and_reason, checked_tenant, meta_of};
pub use records::{Actor, PriceComponent, PriceSnapshot, ProductRef, ServiceAddress};
