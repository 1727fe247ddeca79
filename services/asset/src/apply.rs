//! Applies one `OrderItemFulfilled` to the installed base inside the caller's transaction (the
//! one the inbox consumer opened): claim the order item, lock the asset, decide, then write the
//! asset, its history row and the asset event — or the inconsistency case and its event — to
//! the outbox. All or nothing.
//!
//! Idempotent per order item, independently of event ids and the inbox: the claim in
//! `asset_change_applied` comes first, so a second delivery of the same item changes nothing
//! and emits nothing, whatever consumer group it arrives through.

use chrono::Utc;
use oms_contracts::AssetEventV1;
use oms_domain::events::OrderItemFulfilled;
use oms_domain::value::CausationId;
use oms_domain::vocab::{AssetEffect, ItemAction};
use oms_domain::{Actor, DomainEvent as _, TransitionMeta};
use oms_messaging::{Envelope, EventContract as _, HandlerError, Outbox, OutboxError};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::lifecycle::{Decision, InconsistencyCode, decide};
use crate::model::{FulfilledChange, NoAssetNamed};
use crate::store::guard::{self, Outcome};
use crate::store::{StoreError, assets, cases, history};

/// Why a fulfilled item could not be applied (as opposed to being refused as inconsistent,
/// which is a successful outcome).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    NoAsset(#[from] NoAssetNamed),
}

/// Database trouble and an unreachable registry are retried; data that can never be applied
/// is dead-lettered with a stable code.
impl From<ApplyError> for HandlerError {
    fn from(error: ApplyError) -> Self {
        match error {
            ApplyError::Store(StoreError::Database(e))
            | ApplyError::Outbox(OutboxError::Database(e)) => Self::from(e),
            ApplyError::Store(conflict @ StoreError::VersionConflict { .. }) => {
                Self::transient(conflict)
            }
            ApplyError::Store(
                corrupt @ (StoreError::Corrupt { .. } | StoreError::OutOfRange { .. }),
            ) => Self::permanent("ASSET_STATE_INVALID", corrupt.to_string()),
            ApplyError::Outbox(OutboxError::Codec(e)) => Self::transient(e),
            ApplyError::NoAsset(e) => Self::permanent("ASSET_ID_MISSING", e.to_string()),
        }
    }
}

/// What applying one item did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Effect NONE (NO_CHANGE): nothing stored, nothing emitted.
    NoEffect,
    /// The order item was applied before; nothing changed.
    Duplicate,
    /// The asset changed to `version`; `event_type` was emitted.
    Changed {
        version: i64,
        event_type: &'static str,
    },
    /// An inconsistency case was opened and reported.
    Refused(InconsistencyCode),
}

/// Applies `fulfilled`, delivered in the record whose envelope is `source`.
#[tracing::instrument(
    skip_all,
    fields(order_id = %fulfilled.base.order_id, item_id = %fulfilled.item_id, action = ?fulfilled.item.action),
    err
)]
pub async fn apply(
    conn: &mut PgConnection,
    outbox: &Outbox,
    fulfilled: &OrderItemFulfilled,
    source: &Envelope,
) -> Result<Applied, ApplyError> {
    let action = fulfilled.item.action;
    if fulfilled.asset_effect == AssetEffect::None {
        if action.is_mutating() {
            tracing::warn!(
                "fulfillment reports no effect on the installed base for a mutating item"
            );
        }
        record(action, "no_effect");
        return Ok(Applied::NoEffect);
    }
    let change = FulfilledChange::from_event(fulfilled)?;
    if !guard::claim(conn, &change, source.event_id).await? {
        tracing::info!(asset_id = %change.asset_id, "order item already applied; nothing to do");
        record(action, "duplicate");
        return Ok(Applied::Duplicate);
    }
    let current = assets::load_for_update(conn, &change.tenant_id, &change.asset_id).await?;
    let meta = meta_for(fulfilled, source);
    match decide(current.as_ref().map(|stored| &stored.state), &change, &meta) {
        // Only effect NONE has no effect, and it returned above.
        Decision::NoEffect => Ok(Applied::NoEffect),
        Decision::Apply { next, event } => {
            let record_v1 = AssetEventV1::from(&event);
            let event_id = record_v1.envelope().event_id;
            let version = match &current {
                None => {
                    assets::insert(conn, &next).await?;
                    1
                }
                Some(stored) => assets::update(conn, &next, stored.version).await?,
            };
            let entry = history::NewEntry {
                version,
                event_type: event.event_type(),
                event_id,
                action,
                order_id: change.order_id,
                item_id: change.item_id,
                before: current.as_ref().map(|stored| &stored.state),
                after: &next,
            };
            history::append(conn, &entry).await?;
            outbox.append(conn, &record_v1).await?;
            guard::settle(conn, &change, Outcome::Applied, event_id).await?;
            tracing::info!(asset_id = %change.asset_id, version, event_type = event.event_type(), "asset changed");
            record(action, "applied");
            Ok(Applied::Changed {
                version,
                event_type: event.event_type(),
            })
        }
        Decision::Refuse(inconsistency) => {
            let record_v1 = AssetEventV1::from(&inconsistency.event);
            let event_id = record_v1.envelope().event_id;
            cases::open(conn, Uuid::now_v7(), &change, &inconsistency, event_id).await?;
            outbox.append(conn, &record_v1).await?;
            guard::settle(conn, &change, Outcome::Inconsistent, event_id).await?;
            tracing::warn!(
                asset_id = %change.asset_id,
                code = %inconsistency.code,
                description = %inconsistency.description,
                "fulfilled item refused: inconsistency case opened"
            );
            record(action, "inconsistent");
            metrics::counter!("oms_asset_inconsistencies_total", "code" => inconsistency.code.as_str())
                .increment(1);
            Ok(Applied::Refused(inconsistency.code))
        }
    }
}

/// The metadata of the asset event: this service acting now, in the fulfillment fact's
/// correlation, caused by the consumed record.
fn meta_for(fulfilled: &OrderItemFulfilled, source: &Envelope) -> TransitionMeta {
    let meta = TransitionMeta::new(
        Actor::service(crate::SERVICE),
        Utc::now(),
        fulfilled.base.meta.correlation_id.clone(),
    );
    match CausationId::parse(&source.event_id.to_string()) {
        Ok(causation) => meta.caused_by(causation),
        Err(_) => meta,
    }
}

fn record(action: ItemAction, outcome: &'static str) {
    let action = format!("{action:?}");
    metrics::counter!("oms_asset_changes_total", "action" => action, "outcome" => outcome)
        .increment(1);
}
