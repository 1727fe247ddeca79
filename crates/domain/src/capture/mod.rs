//! Capture and validation (DOMAIN §5, 001): the normalized intake, the looked-up context,
//! the violation model and rule-code registry, small composable rules grouped into
//! profiles per capture mode, normalisation into the typed order, and the semantic
//! request fingerprint used for idempotency.
//!
//! How to call it:
//! - advisory validation endpoint: [`validate_capture`]`(&intake, &context, None)`;
//! - authoritative capture: `decide(None, OrderCommand::CaptureOrder(..), &meta)`, which
//!   runs the same profile and emits `OrderCaptured` + `OrderValidated` / `OrderRejected`.
//!
//! The protocol, schema, authentication, idempotency-store and authorisation layers of the
//! pipeline (001 §8.1-8.5) need IO and live in the services; this module covers the
//! semantic, snapshot and domain-invariant layers (001 §8.6-8.8).

mod codes;
mod context;
mod fingerprint;
mod intake;
pub(crate) mod normalize;
mod profile;
pub(crate) mod rules;
mod violation;

pub use codes::RuleCode;
pub use context::{AssetSnapshot, CaptureContext, RelatedOrderSnapshot};
pub use fingerprint::request_fingerprint;
pub use intake::{
    AddressInput, CaptureItem, CaptureOrder, CustomerInput, DependencyInput, MigrationInput,
    PriceComponentInput, QuoteRefInput, RelationInput,
};
pub use profile::{COMMON_RULES, codes_with_a_rule, profile_rules, validate_capture};
pub use rules::{Rule, RuleInput};
pub use violation::{Severity, ValidationReport, Violation};
