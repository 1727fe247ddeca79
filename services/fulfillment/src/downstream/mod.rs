//! The seam between the engine and the systems that do the work: one [`DownstreamSystem`]
//! per [`TargetSystem`], found through [`Downstreams`]. This build has the in-process
//! simulators (`crate::sim`); a real integration implements the same trait (an HTTP or
//! message adapter) and is registered in its place (docs/simulators.md).
//!
//! Contract every implementation keeps:
//! - the request's idempotency key names one logical request: presenting it again must
//!   return the recorded result and never apply the work twice;
//! - `TransientError` and `PermanentError` mean nothing was applied;
//! - `Accepted` means the system took the work on and reports the end through the
//!   [`CallbackSink`] with the same idempotency key (at least once).

use crate::model::TargetSystem;
use futures::future::BoxFuture;
use oms_domain::order::ServiceAddress;
use oms_domain::vocab::ItemAction;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use uuid::Uuid;

/// What one order item tells the downstream system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemContext {
    pub item_id: Uuid,
    pub action: ItemAction,
    pub offering_id: String,
    pub target_asset_id: Option<String>,
    pub configuration: BTreeMap<String, String>,
}

/// One call to a downstream system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownstreamRequest {
    pub task_id: Uuid,
    /// Same value for every re-dispatch of the same logical request.
    pub idempotency_key: String,
    pub task_type: String,
    pub order_id: Uuid,
    pub tenant_id: String,
    pub correlation_id: String,
    pub items: Vec<ItemContext>,
    pub billing_account_id: Option<String>,
    pub service_address: Option<ServiceAddress>,
}

/// References the downstream system gives back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalRefs {
    /// The system's own reference for the request (work order, reservation, tracking no.).
    pub external_ref: Option<String>,
    /// Service instances in the system's inventory.
    pub service_refs: Vec<String>,
    /// Resources (ports, devices, numbers) in the system's inventory.
    pub resource_refs: Vec<String>,
}

/// A failure the system reported; nothing was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownstreamFailure {
    /// Stable SCREAMING_SNAKE code, e.g. `INVENTORY_UNAVAILABLE`.
    pub code: String,
    pub message: String,
}

impl DownstreamFailure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownstreamResponse {
    Completed(ExternalRefs),
    /// Taken on; the end comes through the callback.
    Accepted {
        external_ref: Option<String>,
    },
    TransientError(DownstreamFailure),
    PermanentError(DownstreamFailure),
}

/// A downstream system.
pub trait DownstreamSystem: Send + Sync + 'static {
    fn system(&self) -> TargetSystem;

    fn execute<'a>(&'a self, request: &'a DownstreamRequest) -> BoxFuture<'a, DownstreamResponse>;
}

/// How asynchronous work ended, reported through the callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    Completed(ExternalRefs),
    /// The work failed after it was accepted; the request is closed, so a retry needs a
    /// new idempotency key.
    Failed {
        failure: DownstreamFailure,
        transient: bool,
    },
}

/// An asynchronous completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownstreamCallback {
    pub system: TargetSystem,
    pub task_id: Uuid,
    pub idempotency_key: String,
    pub outcome: CallbackOutcome,
}

/// Why a callback was not taken yet; the sender delivers it again later.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The engine has not recorded the acceptance yet (the callback overtook it).
    #[error("task {0} is not waiting for a callback yet")]
    NotYetWaiting(Uuid),
    #[error("callback not recorded: {0}")]
    Unavailable(String),
}

/// Where downstream systems report asynchronous completions (the engine's state machine).
pub trait CallbackSink: Send + Sync + 'static {
    fn deliver(&self, callback: DownstreamCallback) -> BoxFuture<'_, Result<(), CallbackError>>;
}

/// The adapters by system.
#[derive(Clone, Default)]
pub struct Downstreams {
    systems: HashMap<TargetSystem, Arc<dyn DownstreamSystem>>,
}

impl fmt::Debug for Downstreams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut systems: Vec<_> = self.systems.keys().collect();
        systems.sort();
        f.debug_struct("Downstreams")
            .field("systems", &systems)
            .finish()
    }
}

impl Downstreams {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `system` for its [`TargetSystem`], replacing any earlier adapter.
    pub fn register(&mut self, system: Arc<dyn DownstreamSystem>) {
        self.systems.insert(system.system(), system);
    }

    /// The adapter of the system a plan names, if there is one.
    pub fn find(&self, target_system: &str) -> Option<Arc<dyn DownstreamSystem>> {
        TargetSystem::parse(target_system).and_then(|s| self.systems.get(&s).cloned())
    }
}
