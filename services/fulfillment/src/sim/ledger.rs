//! What every simulated system keeps about the requests it applied, in its own `sim_*`
//! table: one [`Ledger`] per system, naming the table and the one column that is specific to
//! the system (what was reserved, where a technician or a parcel goes, which profile was
//! applied, which billing account was charged).
//!
//! Invariant: a unique constraint on the idempotency key makes "apply" an
//! `INSERT .. ON CONFLICT DO NOTHING`; a request whose key exists gets the recorded result.
//!
//! The statements are built from the static table and column names below (never from
//! input), so they are checked by the simulator tests rather than by `sqlx::query!`.

use crate::downstream::DownstreamRequest;
use crate::model::TargetSystem;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub const COMPLETED: &str = "COMPLETED";
pub const ACCEPTED: &str = "ACCEPTED";

/// One applied request as the system recorded it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SimRecord {
    pub idempotency_key: String,
    pub task_id: Uuid,
    /// COMPLETED, or ACCEPTED while asynchronous work is under way.
    pub status: String,
    pub external_ref: String,
}

/// A request about to be applied.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub request: &'a DownstreamRequest,
    pub status: &'static str,
    pub external_ref: String,
    pub received_at: DateTime<Utc>,
    /// ACCEPTED: when the asynchronous work finishes.
    pub complete_at: Option<DateTime<Utc>>,
    /// COMPLETED: when it was applied.
    pub completed_at: Option<DateTime<Utc>>,
}

/// The system-specific value a ledger stores with each request.
#[derive(Debug, Clone, Copy)]
enum Detail {
    /// `resource_kind text not null`: the kind of resource a task type reserves.
    ResourceKind,
    /// A nullable text column holding the service address as one line.
    Address,
    /// `profile jsonb not null`: the configuration applied.
    Profile,
    /// `billing_account_id text`.
    BillingAccount,
}

/// The records of one simulated system: its table and its detail column.
#[derive(Debug, Clone, Copy)]
pub struct Ledger {
    system: TargetSystem,
    table: &'static str,
    detail_column: &'static str,
    detail: Detail,
}

impl Ledger {
    /// Access ports, devices, IP addresses and SIM cards reserved for an order.
    pub const INVENTORY: Self = Self {
        system: TargetSystem::Inventory,
        table: "sim_inventory_reservation",
        detail_column: "resource_kind",
        detail: Detail::ResourceKind,
    };
    /// Appointments and technician visits (asynchronous by default: accepted at once and
    /// reported done through the callback later).
    pub const WORKFORCE: Self = Self {
        system: TargetSystem::WorkforceScheduling,
        table: "sim_workforce_appointment",
        detail_column: "visit_address",
        detail: Detail::Address,
    };
    /// Device and SIM shipments and returns (the external reference is the tracking number).
    pub const SHIPPING: Self = Self {
        system: TargetSystem::Shipping,
        table: "sim_shipping_shipment",
        detail_column: "ship_to",
        detail: Detail::Address,
    };
    /// Service instances and the profile (configuration) applied to them.
    pub const NETWORK: Self = Self {
        system: TargetSystem::NetworkProvisioning,
        table: "sim_network_service",
        detail_column: "profile",
        detail: Detail::Profile,
    };
    /// Start, change, suspend and stop charging a billing account.
    pub const BILLING: Self = Self {
        system: TargetSystem::BillingActivation,
        table: "sim_billing_activation",
        detail_column: "billing_account_id",
        detail: Detail::BillingAccount,
    };

    /// One ledger per simulated system.
    pub const ALL: [Self; 5] = [
        Self::INVENTORY,
        Self::WORKFORCE,
        Self::SHIPPING,
        Self::NETWORK,
        Self::BILLING,
    ];

    pub fn system(&self) -> TargetSystem {
        self.system
    }

    /// The system's table (tests and the fault suite read the ledgers straight from it).
    pub fn table(&self) -> &'static str {
        self.table
    }

    /// The record of `key`, counting this presentation of the key (`calls + 1`).
    pub async fn find(&self, pool: &PgPool, key: &str) -> sqlx::Result<Option<SimRecord>> {
        let sql = format!(
            "update {} set calls = calls + 1 where idempotency_key = $1 \
             returning idempotency_key, task_id, status, external_ref",
            self.table
        );
        sqlx::query_as(&sql).bind(key).fetch_optional(pool).await
    }

    /// Applies the request; `None` when its key was recorded concurrently.
    pub async fn insert(
        &self,
        pool: &PgPool,
        record: &NewRecord<'_>,
    ) -> sqlx::Result<Option<SimRecord>> {
        let r = record.request;
        let sql = format!(
            "insert into {} (idempotency_key, task_id, order_id, task_type, status, \
                 external_ref, received_at, complete_at, completed_at, {}) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             on conflict (idempotency_key) do nothing \
             returning idempotency_key, task_id, status, external_ref",
            self.table, self.detail_column
        );
        let query = sqlx::query_as(&sql)
            .bind(&r.idempotency_key)
            .bind(r.task_id)
            .bind(r.order_id)
            .bind(&r.task_type)
            .bind(record.status)
            .bind(&record.external_ref)
            .bind(record.received_at)
            .bind(record.complete_at)
            .bind(record.completed_at);
        let query = match self.detail {
            Detail::ResourceKind => query.bind(resource_kind(&r.task_type)),
            Detail::Address => query.bind(address_line(r)),
            Detail::Profile => query.bind(profile(r)),
            Detail::BillingAccount => query.bind(r.billing_account_id.clone()),
        };
        query.fetch_optional(pool).await
    }

    /// Finishes asynchronous work that is due (ACCEPTED -> COMPLETED); returns how many.
    pub async fn complete_due(&self, pool: &PgPool) -> sqlx::Result<u64> {
        let sql = format!(
            "update {} set status = 'COMPLETED', completed_at = clock_timestamp() \
             where status = 'ACCEPTED' and complete_at <= now()",
            self.table
        );
        Ok(sqlx::query(&sql).execute(pool).await?.rows_affected())
    }

    /// Finished asynchronous work whose callback was not acknowledged yet.
    pub async fn pending_callbacks(
        &self,
        pool: &PgPool,
        limit: i64,
    ) -> sqlx::Result<Vec<SimRecord>> {
        let sql = format!(
            "select idempotency_key, task_id, status, external_ref from {} \
             where status = 'COMPLETED' and complete_at is not null \
               and callback_delivered_at is null \
             order by id limit $1",
            self.table
        );
        sqlx::query_as(&sql).bind(limit).fetch_all(pool).await
    }

    pub async fn mark_delivered(&self, pool: &PgPool, key: &str) -> sqlx::Result<()> {
        let sql = format!(
            "update {} set callback_delivered_at = clock_timestamp() where idempotency_key = $1",
            self.table
        );
        sqlx::query(&sql).bind(key).execute(pool).await?;
        Ok(())
    }
}

/// The kind of resource a task type reserves.
fn resource_kind(task_type: &str) -> &'static str {
    match task_type {
        t if t.contains("PORT") => "PORT",
        t if t.contains("DEVICE") => "DEVICE",
        t if t.contains("IP") => "IP_ADDRESS",
        t if t.contains("SIM") => "SIM",
        _ => "RESOURCE",
    }
}

/// The items' configuration, as JSON (what network provisioning applies).
fn profile(request: &DownstreamRequest) -> serde_json::Value {
    serde_json::to_value(&request.items).unwrap_or(serde_json::Value::Null)
}

/// The service address as one line (where a technician goes or a parcel is sent).
fn address_line(request: &DownstreamRequest) -> Option<String> {
    request.service_address.as_ref().map(|a| {
        let line2 = a
            .line2
            .as_deref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default();
        format!(
            "{}{line2}, {} {}, {}",
            a.line1, a.postal_code, a.city, a.country_code
        )
    })
}
