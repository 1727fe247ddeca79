//! What every simulated system keeps about the requests it applied, in its own table: the
//! [`Ledger`] trait, implemented once per system over its `sim_*` table.
//!
//! Invariant: a unique constraint on the idempotency key makes "apply" an
//! `INSERT .. ON CONFLICT DO NOTHING`; a request whose key exists gets the recorded result.

use crate::downstream::DownstreamRequest;
use crate::model::TargetSystem;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::future::Future;
use uuid::Uuid;

pub const COMPLETED: &str = "COMPLETED";
pub const ACCEPTED: &str = "ACCEPTED";

/// One applied request as the system recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The records of one simulated system.
pub trait Ledger: Send + Sync + 'static {
    fn system(&self) -> TargetSystem;

    /// The record of `key`, counting this presentation of the key (`calls + 1`).
    fn find(
        &self,
        pool: &PgPool,
        key: &str,
    ) -> impl Future<Output = sqlx::Result<Option<SimRecord>>> + Send;

    /// Applies the request; `None` when its key was recorded concurrently.
    fn insert(
        &self,
        pool: &PgPool,
        record: &NewRecord<'_>,
    ) -> impl Future<Output = sqlx::Result<Option<SimRecord>>> + Send;

    /// Finishes asynchronous work that is due (ACCEPTED -> COMPLETED); returns how many.
    fn complete_due(&self, pool: &PgPool) -> impl Future<Output = sqlx::Result<u64>> + Send;

    /// Finished asynchronous work whose callback was not acknowledged yet.
    fn pending_callbacks(
        &self,
        pool: &PgPool,
        limit: i64,
    ) -> impl Future<Output = sqlx::Result<Vec<SimRecord>>> + Send;

    fn mark_delivered(
        &self,
        pool: &PgPool,
        key: &str,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
}

/// The first item's configuration, as JSON (what network provisioning applies).
pub fn profile(request: &DownstreamRequest) -> serde_json::Value {
    serde_json::to_value(&request.items).unwrap_or(serde_json::Value::Null)
}

/// The service address as one line (where a technician goes or a parcel is sent).
pub fn address_line(request: &DownstreamRequest) -> Option<String> {
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
