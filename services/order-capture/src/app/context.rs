//! The capture context (the facts a capture decision needs, looked up first because the
//! domain does no IO): the caller's tenant, today's date, the snapshots of the assets the
//! items name (from the local projection, with the order currently changing each), and
//! whether the quote revision or the external reference is already used.

use chrono::NaiveDate;
use oms_domain::capture::{CaptureContext, CaptureOrder};
use oms_domain::value::TenantId;
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
    Ok(context)
}
