//! `order_view`: one row per order with the summary columns and the folded domain aggregate.
//! Written by the order-topic projection (lock, then upsert); read by the API within one
//! tenant, newest first with keyset paging on `(captured_at, order_id)`.

use chrono::{DateTime, Utc};
use oms_domain::Order;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::StoreError;

/// First time the order entered each state (`{"VALIDATED": t, ...}`).
pub type Milestones = BTreeMap<String, DateTime<Utc>>;

/// What the projection reads back before applying the next order event.
#[derive(Debug, Clone)]
pub struct Folded {
    pub aggregate: Order,
    pub milestones: Milestones,
    pub state_entered_at: DateTime<Utc>,
}

/// The order `order_id` as folded so far, locked for this transaction.
pub async fn lock(conn: &mut PgConnection, order_id: Uuid) -> Result<Option<Folded>, StoreError> {
    let row = sqlx::query!(
        r#"select aggregate as "aggregate: Json<Order>",
                  milestones as "milestones: Json<Milestones>",
                  state_entered_at
             from order_view where order_id = $1 for update"#,
        order_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Folded {
        aggregate: row.aggregate.0,
        milestones: row.milestones.0,
        state_entered_at: row.state_entered_at,
    }))
}

/// One summary row (every column of `order_view`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    pub order_id: Uuid,
    pub tenant_id: String,
    pub order_number: String,
    pub capture_mode: String,
    pub order_type: Option<String>,
    pub customer_id: String,
    pub account_id: String,
    pub state: String,
    pub customer_status: String,
    pub order_version: i64,
    pub item_count: i32,
    pub item_states: BTreeMap<String, i64>,
    pub active_holds: i32,
    pub blocking_holds: i32,
    pub open_fallouts: i32,
    pub currency: String,
    pub order_total: Option<Decimal>,
    pub totals_by_kind: BTreeMap<String, String>,
    pub plan_id: Option<Uuid>,
    pub milestones: Milestones,
    pub captured_at: DateTime<Utc>,
    pub state_entered_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Writes the summary and the aggregate of one order.
pub async fn upsert(
    conn: &mut PgConnection,
    row: &OrderRow,
    aggregate: &Order,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into order_view (order_id, tenant_id, order_number, capture_mode, order_type,
                                   customer_id, account_id, state, customer_status, order_version,
                                   item_count, item_states, active_holds, blocking_holds,
                                   open_fallouts, currency, order_total, totals_by_kind, plan_id,
                                   milestones, captured_at, state_entered_at, updated_at, aggregate)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24)
           on conflict (order_id) do update set
               order_number = excluded.order_number, capture_mode = excluded.capture_mode,
               order_type = excluded.order_type, customer_id = excluded.customer_id,
               account_id = excluded.account_id, state = excluded.state,
               customer_status = excluded.customer_status, order_version = excluded.order_version,
               item_count = excluded.item_count, item_states = excluded.item_states,
               active_holds = excluded.active_holds, blocking_holds = excluded.blocking_holds,
               open_fallouts = excluded.open_fallouts, currency = excluded.currency,
               order_total = excluded.order_total, totals_by_kind = excluded.totals_by_kind,
               plan_id = excluded.plan_id, milestones = excluded.milestones,
               captured_at = excluded.captured_at, state_entered_at = excluded.state_entered_at,
               updated_at = excluded.updated_at, aggregate = excluded.aggregate"#,
        row.order_id,
        row.tenant_id,
        row.order_number,
        row.capture_mode,
        row.order_type,
        row.customer_id,
        row.account_id,
        row.state,
        row.customer_status,
        row.order_version,
        row.item_count,
        Json(&row.item_states) as _,
        row.active_holds,
        row.blocking_holds,
        row.open_fallouts,
        row.currency,
        row.order_total,
        Json(&row.totals_by_kind) as _,
        row.plan_id,
        Json(&row.milestones) as _,
        row.captured_at,
        row.state_entered_at,
        row.updated_at,
        Json(aggregate) as _,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A summary row as the API lists it, with the last time anything happened to the order.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub row: OrderRow,
    pub last_event_at: Option<DateTime<Utc>>,
}

/// Optional filters of the summary list; all given ones must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Any of these header states.
    pub states: Option<Vec<String>>,
    pub customer_status: Option<String>,
    pub customer_id: Option<String>,
    /// An order number prefix, or an exact customer id or order id.
    pub search: Option<String>,
    pub has_fallout: Option<bool>,
    pub on_hold: Option<bool>,
    pub captured_from: Option<DateTime<Utc>>,
    pub captured_to: Option<DateTime<Utc>>,
}

/// Position in the list: the last row of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub captured_at: DateTime<Utc>,
    pub order_id: Uuid,
}

struct ListedRecord {
    order_id: Uuid,
    tenant_id: String,
    order_number: String,
    capture_mode: String,
    order_type: Option<String>,
    customer_id: String,
    account_id: String,
    state: String,
    customer_status: String,
    order_version: i64,
    item_count: i32,
    item_states: Json<BTreeMap<String, i64>>,
    active_holds: i32,
    blocking_holds: i32,
    open_fallouts: i32,
    currency: String,
    order_total: Option<Decimal>,
    totals_by_kind: Json<BTreeMap<String, String>>,
    plan_id: Option<Uuid>,
    milestones: Json<Milestones>,
    captured_at: DateTime<Utc>,
    state_entered_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_event_at: Option<DateTime<Utc>>,
}

impl From<ListedRecord> for Listed {
    fn from(r: ListedRecord) -> Self {
        Self {
            row: OrderRow {
                order_id: r.order_id,
                tenant_id: r.tenant_id,
                order_number: r.order_number,
                capture_mode: r.capture_mode,
                order_type: r.order_type,
                customer_id: r.customer_id,
                account_id: r.account_id,
                state: r.state,
                customer_status: r.customer_status,
                order_version: r.order_version,
                item_count: r.item_count,
                item_states: r.item_states.0,
                active_holds: r.active_holds,
                blocking_holds: r.blocking_holds,
                open_fallouts: r.open_fallouts,
                currency: r.currency,
                order_total: r.order_total,
                totals_by_kind: r.totals_by_kind.0,
                plan_id: r.plan_id,
                milestones: r.milestones.0,
                captured_at: r.captured_at,
                state_entered_at: r.state_entered_at,
                updated_at: r.updated_at,
            },
            last_event_at: r.last_event_at,
        }
    }
}

/// Up to `limit` of the tenant's orders matching `filter`, newest first, after `after`.
#[tracing::instrument(skip_all, err)]
pub async fn list(
    conn: &mut PgConnection,
    tenant: &str,
    filter: &OrderFilter,
    after: Option<After>,
    limit: i64,
) -> Result<Vec<Listed>, StoreError> {
    let rows = sqlx::query_as!(
        ListedRecord,
        r#"select v.order_id, v.tenant_id, v.order_number, v.capture_mode, v.order_type,
                  v.customer_id, v.account_id, v.state, v.customer_status, v.order_version,
                  v.item_count, v.item_states as "item_states: Json<BTreeMap<String, i64>>",
                  v.active_holds, v.blocking_holds, v.open_fallouts, v.currency, v.order_total,
                  v.totals_by_kind as "totals_by_kind: Json<BTreeMap<String, String>>",
                  v.plan_id, v.milestones as "milestones: Json<Milestones>", v.captured_at,
                  v.state_entered_at, v.updated_at, a.last_event_at as "last_event_at?"
             from order_view v
             left join order_activity a on a.order_id = v.order_id
            where v.tenant_id = $1
              and ($2::text[] is null or v.state = any($2))
              and ($3::text is null or v.customer_status = $3)
              and ($4::text is null or v.customer_id = $4)
              and ($5::text is null or v.order_number like $5 || '%' or v.customer_id = $5
                   or v.order_id::text = $5)
              and ($6::bool is null or (v.open_fallouts > 0) = $6)
              and ($7::bool is null or (v.active_holds > 0) = $7)
              and ($8::timestamptz is null or v.captured_at >= $8)
              and ($9::timestamptz is null or v.captured_at < $9)
              and ($10::timestamptz is null or (v.captured_at, v.order_id) < ($10, $11::uuid))
            order by v.captured_at desc, v.order_id desc
            limit $12"#,
        tenant,
        filter.states.as_deref(),
        filter.customer_status.as_deref(),
        filter.customer_id.as_deref(),
        filter.search.as_deref(),
        filter.has_fallout,
        filter.on_hold,
        filter.captured_from,
        filter.captured_to,
        after.map(|a| a.captured_at),
        after.map(|a| a.order_id),
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Listed::from).collect())
}

/// The tenant's order `order_id`: its summary and its aggregate.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn get(
    conn: &mut PgConnection,
    tenant: &str,
    order_id: Uuid,
) -> Result<Option<(Listed, Order)>, StoreError> {
    let row = sqlx::query!(
        r#"select v.order_id, v.tenant_id, v.order_number, v.capture_mode, v.order_type,
                  v.customer_id, v.account_id, v.state, v.customer_status, v.order_version,
                  v.item_count, v.item_states as "item_states: Json<BTreeMap<String, i64>>",
                  v.active_holds, v.blocking_holds, v.open_fallouts, v.currency, v.order_total,
                  v.totals_by_kind as "totals_by_kind: Json<BTreeMap<String, String>>",
                  v.plan_id, v.milestones as "milestones: Json<Milestones>", v.captured_at,
                  v.state_entered_at, v.updated_at, a.last_event_at as "last_event_at?",
                  v.aggregate as "aggregate: Json<Order>"
             from order_view v
             left join order_activity a on a.order_id = v.order_id
            where v.tenant_id = $1 and v.order_id = $2"#,
        tenant,
        order_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let listed = Listed::from(ListedRecord {
            order_id: r.order_id,
            tenant_id: r.tenant_id,
            order_number: r.order_number,
            capture_mode: r.capture_mode,
            order_type: r.order_type,
            customer_id: r.customer_id,
            account_id: r.account_id,
            state: r.state,
            customer_status: r.customer_status,
            order_version: r.order_version,
            item_count: r.item_count,
            item_states: r.item_states,
            active_holds: r.active_holds,
            blocking_holds: r.blocking_holds,
            open_fallouts: r.open_fallouts,
            currency: r.currency,
            order_total: r.order_total,
            totals_by_kind: r.totals_by_kind,
            plan_id: r.plan_id,
            milestones: r.milestones,
            captured_at: r.captured_at,
            state_entered_at: r.state_entered_at,
            updated_at: r.updated_at,
            last_event_at: r.last_event_at,
        });
        (listed, r.aggregate.0)
    }))
}
