//! `asset_change_applied`: the per-order-item idempotency guard. Claimed first in the applying
//! transaction, so a second delivery of the same order item — a redelivery, a replay of the
//! whole topic into a new consumer group, a fresh event id for the same fact — finds the row
//! (or waits for the transaction holding it) and changes nothing. Independent of the inbox.

use oms_domain::vocab::ItemAction;
use sqlx::PgConnection;
use uuid::Uuid;

use super::StoreError;
use super::text::to_text;
use crate::model::FulfilledChange;

/// What the claimed item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The asset changed; the asset event is the one published.
    Applied,
    /// An inconsistency case was opened; the event is `AssetInconsistencyDetected`.
    Inconsistent,
}

impl Outcome {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "APPLIED",
            Self::Inconsistent => "INCONSISTENT",
        }
    }
}

/// Claims `change`'s order item. `false`: it was already applied (or is being applied by a
/// transaction that committed first) and must not be applied again.
#[tracing::instrument(skip_all, fields(item_id = %change.item_id), err)]
pub async fn claim(
    conn: &mut PgConnection,
    change: &FulfilledChange,
    fulfillment_event_id: Uuid,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query!(
        r#"insert into asset_change_applied
               (tenant_id, order_item_id, order_id, asset_id, action, asset_effect,
                fulfillment_event_id)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (tenant_id, order_item_id) do nothing"#,
        change.tenant_id.as_str(),
        change.item_id.as_uuid(),
        change.order_id.as_uuid(),
        change.asset_id.as_str(),
        to_text::<ItemAction>(&change.item.action)?,
        to_text(&change.effect)?,
        fulfillment_event_id,
    )
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Records what the claimed item did, in the claiming transaction.
#[tracing::instrument(skip_all, fields(item_id = %change.item_id, ?outcome), err)]
pub async fn settle(
    conn: &mut PgConnection,
    change: &FulfilledChange,
    outcome: Outcome,
    asset_event_id: Uuid,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"update asset_change_applied set outcome = $3, asset_event_id = $4
            where tenant_id = $1 and order_item_id = $2"#,
        change.tenant_id.as_str(),
        change.item_id.as_uuid(),
        outcome.as_str(),
        asset_event_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}
