//! Decomposes one `OrderReleasedForDecomposition` inside the caller's transaction (the one
//! the inbox consumer opened): lock the order, skip it if it already has an outcome, run the
//! readiness checks and the planner with the active rules version, then store the plan and
//! append `OrderDecomposed` — or store the classified failure and append
//! `OrderDecompositionFailed` — to the outbox. All or nothing.
//!
//! Failure handling (DOMAIN §6):
//! - data and catalog failures (ORDER_INVALID, DECOMPOSITION_RULE_MISSING,
//!   TECHNICAL_CATALOG_MAPPING_MISSING, TARGET_ASSET_NOT_FOUND, UNSUPPORTED_ACTION_TYPE) are
//!   recorded and published once; retrying the same order would fail the same way;
//! - INTERNAL_ERROR (a stored catalog that no longer loads as published, a planner panic)
//!   is recorded and published too: a person must look;
//! - TEMPORARY_DEPENDENCY_UNAVAILABLE (the catalog table cannot be read, nothing published
//!   yet, the database or the registry is down) is never recorded: the record is handed back
//!   as a transient error and retried with backoff until the dependency is back.

use chrono::Utc;
use oms_contracts::DecompositionEventV1;
use oms_domain::events::{
    DecompositionEvent, OrderDecomposed, OrderDecompositionFailed, OrderFactBase,
    OrderReleasedForDecomposition,
};
use oms_domain::value::{CausationId, FalloutId};
use oms_domain::vocab::DecompositionFailureCode as Code;
use oms_domain::{Actor, TransitionMeta};
use oms_messaging::{Envelope, EventContract as _, HandlerError, Outbox, OutboxError};
use sqlx::PgConnection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use uuid::Uuid;

use crate::canonical::{canonical_json, hash_json};
use crate::planner::{DecompositionFailure, DecompositionPlan, PlanningInput, decompose};
use crate::registry::{CatalogRegistry, RegistryError};
use crate::store::StoreError;
use crate::store::failures::{self, NewFailure};
use crate::store::outcomes::{self, Recorded};
use crate::store::plans::{self, NewPlan};

/// Namespace of fallout ids (UUID v5).
const FALLOUT_NAMESPACE: Uuid = Uuid::from_u128(0x5e2a_9c17_4d80_4b6f_93a1_0c7d_e4f2_6b38);
const FALLOUT_ID_TAG: &str = "oms.decomposition.fallout-id.v1";

/// What handling one release did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decomposition {
    /// The plan was stored and `OrderDecomposed` appended.
    Planned { plan_hash: String, tasks: usize },
    /// The failure was stored and `OrderDecompositionFailed` appended.
    Failed(Code),
    /// The order already had this outcome; nothing was written or emitted.
    AlreadyRecorded(Recorded),
}

/// Why a release could not be handled now (as opposed to failing to decompose, which is a
/// recorded outcome).
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// TEMPORARY_DEPENDENCY_UNAVAILABLE: retry later.
    #[error("TEMPORARY_DEPENDENCY_UNAVAILABLE: {0}")]
    Temporary(String),
}

/// Database and registry trouble is retried; a stored row that no longer reads (a bug or a
/// manual edit) goes to the dead letters with a stable code.
impl From<ReleaseError> for HandlerError {
    fn from(error: ReleaseError) -> Self {
        match error {
            ReleaseError::Store(StoreError::Database(e))
            | ReleaseError::Outbox(OutboxError::Database(e)) => Self::from(e),
            ReleaseError::Store(corrupt @ StoreError::Corrupt { .. }) => {
                Self::permanent("DECOMPOSITION_STATE_INVALID", corrupt.to_string())
            }
            ReleaseError::Outbox(OutboxError::Codec(e)) => Self::transient(e),
            ReleaseError::Temporary(message) => Self::transient(anyhow::anyhow!(message)),
        }
    }
}

/// Decomposes `release`, delivered in the record whose envelope is `source`.
#[tracing::instrument(
    skip_all,
    fields(order_id = %release.base.order_id, tenant_id = %release.base.tenant_id, items = release.content.items.len()),
    err
)]
pub async fn decompose_release(
    conn: &mut PgConnection,
    outbox: &Outbox,
    registry: &CatalogRegistry,
    release: &OrderReleasedForDecomposition,
    source: &Envelope,
) -> Result<Decomposition, ReleaseError> {
    let order_id = release.base.order_id;
    outcomes::lock_order(conn, order_id).await?;
    if let Some(recorded) = outcomes::recorded(conn, order_id).await? {
        tracing::info!(?recorded, "order already decomposed; nothing to do");
        crate::metrics::duplicate();
        return Ok(Decomposition::AlreadyRecorded(recorded));
    }
    let input = PlanningInput::from_release(release);
    let catalog = match registry.active(conn).await {
        Ok(catalog) => catalog,
        Err(RegistryError::Store(StoreError::Database(error))) => {
            crate::metrics::retried("catalog_unreadable");
            return Err(ReleaseError::Temporary(format!(
                "the technical catalog cannot be read: {error}"
            )));
        }
        Err(RegistryError::NothingPublished) => {
            crate::metrics::retried("nothing_published");
            return Err(ReleaseError::Temporary(
                "no technical catalog version is published yet".to_owned(),
            ));
        }
        Err(error @ RegistryError::Corrupt { version, .. }) => {
            let failure = DecompositionFailure::internal(error.to_string());
            return record_failure(
                conn,
                outbox,
                release,
                source,
                &input,
                Some(version),
                &failure,
            )
            .await;
        }
        Err(RegistryError::Store(corrupt @ StoreError::Corrupt { .. })) => {
            let failure = DecompositionFailure::internal(corrupt.to_string());
            return record_failure(conn, outbox, release, source, &input, None, &failure).await;
        }
    };
    let rules_version = catalog.version().number;
    // The planner is pure and shares nothing: if it panics (a bug), the order is recorded as
    // INTERNAL_ERROR instead of taking the consumer down with every later record.
    let outcome = catch_unwind(AssertUnwindSafe(|| decompose(&input, &catalog)))
        .unwrap_or_else(|panic| Err(DecompositionFailure::internal(panic_message(&panic))));
    match outcome {
        Ok(plan) => record_plan(conn, outbox, release, source, &input, &plan).await,
        Err(failure) if failure.is_retryable() => {
            crate::metrics::retried("planner");
            Err(ReleaseError::Temporary(failure.message))
        }
        Err(failure) => {
            record_failure(
                conn,
                outbox,
                release,
                source,
                &input,
                Some(rules_version),
                &failure,
            )
            .await
        }
    }
}

async fn record_plan(
    conn: &mut PgConnection,
    outbox: &Outbox,
    release: &OrderReleasedForDecomposition,
    source: &Envelope,
    input: &PlanningInput,
    plan: &DecompositionPlan,
) -> Result<Decomposition, ReleaseError> {
    let event = DecompositionEvent::from(OrderDecomposed {
        base: fact_base(release, source),
        plan: plan.to_fulfillment_plan(),
    });
    let record = DecompositionEventV1::from(&event);
    let plan_json = utf8(plan.to_canonical_json())?;
    let input_json = utf8(canonical_json(input))?;
    plans::insert(
        conn,
        &NewPlan {
            tenant_id: &release.base.tenant_id,
            plan,
            plan_json: &plan_json,
            input_json: &input_json,
            release_event_id: source.event_id,
            event_id: record.envelope().event_id,
        },
    )
    .await?;
    outbox.append(conn, &record).await?;
    tracing::info!(
        plan_id = %plan.plan_id,
        rules_version = %plan.rules_version,
        plan_hash = %plan.plan_hash,
        tasks = plan.tasks.len(),
        "order decomposed"
    );
    crate::metrics::plan_made(plan.rules_version.number, plan.tasks.len());
    Ok(Decomposition::Planned {
        plan_hash: plan.plan_hash.clone(),
        tasks: plan.tasks.len(),
    })
}

async fn record_failure(
    conn: &mut PgConnection,
    outbox: &Outbox,
    release: &OrderReleasedForDecomposition,
    source: &Envelope,
    input: &PlanningInput,
    rules_version: Option<u32>,
    failure: &DecompositionFailure,
) -> Result<Decomposition, ReleaseError> {
    let input_hash = input.input_hash();
    let fallout_id = fallout_id(input, &input_hash, rules_version, failure);
    let event = DecompositionEvent::from(OrderDecompositionFailed {
        base: fact_base(release, source),
        fallout_id: FalloutId::from_uuid(fallout_id),
        code: failure.code,
        item_id: failure.item_id,
        message: failure.message.clone(),
        remediation: failure.remediation.clone(),
    });
    let record = DecompositionEventV1::from(&event);
    failures::insert(
        conn,
        &NewFailure {
            order_id: release.base.order_id,
            tenant_id: &release.base.tenant_id,
            fallout_id,
            failure,
            rules_version,
            input_hash: &input_hash,
            release_event_id: source.event_id,
            event_id: record.envelope().event_id,
        },
    )
    .await?;
    outbox.append(conn, &record).await?;
    tracing::warn!(
        code = failure.code.as_str(),
        item_id = ?failure.item_id,
        %fallout_id,
        message = %failure.message,
        "order could not be decomposed"
    );
    crate::metrics::failure_recorded(failure.code);
    Ok(Decomposition::Failed(failure.code))
}

/// The fallout id of a failure: UUID v5 over the order, its planner input, the rules version
/// and what failed. The same release failing the same way always names the same case.
fn fallout_id(
    input: &PlanningInput,
    input_hash: &str,
    rules_version: Option<u32>,
    failure: &DecompositionFailure,
) -> Uuid {
    let name = hash_json(
        FALLOUT_ID_TAG,
        &(
            input.order_id,
            input_hash,
            rules_version,
            failure.code,
            failure.item_id,
        ),
    );
    Uuid::new_v5(&FALLOUT_NAMESPACE, name.as_bytes())
}

/// The meta of an outgoing fact: this service acting now, in the release's correlation,
/// caused by the consumed record.
fn fact_base(release: &OrderReleasedForDecomposition, source: &Envelope) -> OrderFactBase {
    let meta = TransitionMeta::new(
        Actor::service(crate::SERVICE),
        Utc::now(),
        release.base.meta.correlation_id.clone(),
    );
    let meta = match CausationId::parse(&source.event_id.to_string()) {
        Ok(causation) => meta.caused_by(causation),
        Err(_) => meta,
    };
    OrderFactBase {
        order_id: release.base.order_id,
        tenant_id: release.base.tenant_id.clone(),
        meta,
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String, ReleaseError> {
    String::from_utf8(bytes).map_err(|error| StoreError::corrupt("plan_json", error).into())
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("the planner failed unexpectedly: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_messages_are_kept() {
        let panic = catch_unwind(|| panic!("boom")).unwrap_err();
        assert_eq!(
            panic_message(panic.as_ref()),
            "the planner failed unexpectedly: boom"
        );
    }
}
