//! Reverts the installed-base change of a cancelled order item (`OrderItemCompensated`,
//! ADR 0008 §2) inside the inbox transaction: claim the item's revert (so nothing is reverted
//! twice, whatever event id or consumer group the fact arrives through), lock the asset, take
//! the state before the item's change from the asset's history, and write the reverted asset,
//! its history row and `AssetReverted`. An item whose change never reached the asset (it was
//! refused as inconsistent, or nothing was applied) is recorded as NOTHING_TO_REVERT.

use chrono::Utc;
use oms_contracts::AssetEventV1;
use oms_domain::events::{AssetEventBase, AssetReverted, OrderItemCompensated};
use oms_domain::value::CausationId;
use oms_domain::vocab::AssetEffect;
use oms_domain::{Actor, DomainEvent as _, TransitionMeta};
use oms_messaging::{Envelope, EventContract as _, Outbox};
use sqlx::PgConnection;

use crate::apply::ApplyError;
use crate::lifecycle::reverted;
use crate::store::text::to_text;
use crate::store::{assets, history};

/// What reverting one item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reverted {
    /// The item reached no asset (effect NONE): nothing to do.
    NoEffect,
    /// Reverted before; nothing changed.
    Duplicate,
    /// The item's change never reached the asset.
    NothingToRevert,
    /// The asset went back to `version`.
    Reverted { version: i64 },
}

#[tracing::instrument(
    skip_all,
    fields(order_id = %compensated.base.order_id, item_id = %compensated.item_id),
    err
)]
pub async fn revert(
    conn: &mut PgConnection,
    outbox: &Outbox,
    compensated: &OrderItemCompensated,
    source: &Envelope,
) -> Result<Reverted, ApplyError> {
    if compensated.reverted_effect == AssetEffect::None {
        return Ok(Reverted::NoEffect);
    }
    let Some(asset_id) = compensated.asset_id.clone() else {
        return Ok(Reverted::NoEffect);
    };
    let tenant = &compensated.base.tenant_id;
    let order_id = compensated.base.order_id;
    let item_id = compensated.item_id;
    let claimed = sqlx::query!(
        r#"insert into asset_change_reverted
               (tenant_id, order_item_id, order_id, asset_id, reverted_effect, fulfillment_event_id)
           values ($1, $2, $3, $4, $5, $6)
           on conflict (tenant_id, order_item_id) do nothing"#,
        tenant.as_str(),
        item_id.as_uuid(),
        order_id.as_uuid(),
        asset_id.as_str(),
        to_text(&compensated.reverted_effect)?,
        source.event_id,
    )
    .execute(&mut *conn)
    .await
    .map_err(crate::store::StoreError::from)?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(Reverted::Duplicate);
    }
    let settle = async |conn: &mut PgConnection, outcome: &str, event: Option<uuid::Uuid>| {
        sqlx::query!(
            r#"update asset_change_reverted set outcome = $3, asset_event_id = $4
                where tenant_id = $1 and order_item_id = $2"#,
            tenant.as_str(),
            item_id.as_uuid(),
            outcome,
            event,
        )
        .execute(conn)
        .await
        .map_err(crate::store::StoreError::from)
    };
    let current = assets::load_for_update(conn, tenant, &asset_id).await?;
    let before = history::before_change_of(conn, tenant, &asset_id, order_id, item_id).await?;
    let (Some(current), Some(before)) = (current, before) else {
        settle(conn, "NOTHING_TO_REVERT", None).await?;
        tracing::info!(%asset_id, "the cancelled item never changed the asset; nothing to revert");
        return Ok(Reverted::NothingToRevert);
    };
    let now = Utc::now();
    let next = reverted(
        &current.state,
        before.as_ref(),
        order_id,
        item_id,
        now.date_naive(),
    );
    let meta = TransitionMeta::new(
        Actor::service(crate::SERVICE),
        now,
        compensated.base.meta.correlation_id.clone(),
    );
    let meta = match CausationId::parse(&source.event_id.to_string()) {
        Ok(causation) => meta.caused_by(causation),
        Err(_) => meta,
    };
    let event = oms_domain::events::AssetEvent::from(AssetReverted {
        base: AssetEventBase {
            asset_id: asset_id.clone(),
            tenant_id: tenant.clone(),
            order_id,
            item_id,
            meta,
        },
        asset: next.installed.clone(),
        reverted_effect: compensated.reverted_effect,
    });
    let record = AssetEventV1::from(&event);
    let event_id = record.envelope().event_id;
    let version = assets::update(conn, &next, current.version).await?;
    history::append(
        conn,
        &history::NewEntry {
            version,
            event_type: event.event_type(),
            event_id,
            action: compensated.item.action,
            order_id,
            item_id,
            before: Some(&current.state),
            after: &next,
        },
    )
    .await?;
    outbox.append(conn, &record).await?;
    settle(conn, "REVERTED", Some(event_id)).await?;
    metrics::counter!("oms_asset_reverts_total", "effect" => format!("{:?}", compensated.reverted_effect)).increment(1);
    tracing::info!(%asset_id, version, reverted = ?compensated.reverted_effect, "asset change reverted");
    Ok(Reverted::Reverted { version })
}
