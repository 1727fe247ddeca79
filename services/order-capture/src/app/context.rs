//! The capture context (the facts a capture decision needs, looked up first because the
//! domain does no IO): the caller's tenant, today's date, the snapshots of the assets the
//! items name (from the local projection, with the order currently changing each), whether
//! the quote revision or the external reference is already used, and a snapshot of every
//! order the intake relates to (a supplemental order's original).

use chrono::NaiveDate;
use oms_domain::capture::{CaptureContext, CaptureOrder, RelatedOrderSnapshot};
use oms_domain::value::{OrderId, TenantId};
use sqlx::PgConnection;

use crate::store::{StoreError, assets, orders};

#[tracing::instrument(skip_all, fields(tenant = %tenant), err)]
pub async fn capture_context(
    conn: &mut PgConnection,
    tenant: &TenantId,
    intake: &CaptureOrder,
    today: NaiveDate,
) -> Result<CaptureContext, StoreError> {
    let mut context = CaptureContext::new(tenant.clone(), today);
    let mut asset_ids: Vec<String> = intake
        .items
        .iter()
        .filter_map(|i| i.target_asset_id.clone())
        .filter(|a| !a.trim().is_empty())
        .collect();
    asset_ids.sort_unstable();
    asset_ids.dedup();
    for snapshot in assets::snapshots(conn, tenant, &asset_ids).await? {
        context = context.with_asset(snapshot);
    }
    if let Some(quote) = &intake.quote {
        context.quote_converted_by =
            orders::converted_quote(conn, tenant, &quote.quote_id, quote.revision).await?;
    }
    if let Some(reference) = &intake.external_order_ref {
        context.external_ref_used_by = orders::with_external_ref(conn, tenant, reference).await?;
    }
    for relation in &intake.relations {
        let Ok(related_id) = OrderId::parse(&relation.order_id) else {
            continue;
        };
        if let Some(related) = orders::load_for_tenant(conn, tenant, related_id).await? {
            let parties = related.content.as_ref().map(|c| &c.header.parties);
            context = context.with_related_order(RelatedOrderSnapshot {
                order_id: related.id,
                state: related.state,
                customer_id: parties.map(|p| p.customer_id.clone()),
                account_id: parties.map(|p| p.account_id.clone()),
            });
        }
    }
    Ok(context)
}
