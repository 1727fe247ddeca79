//! `catalog_version`: one row per published rules version, immutable once inserted.
//!
//! Publication runs under a transaction-level advisory lock ([`lock_publication`]), so two
//! publishers (replicas starting together, an operator and a start-up) decide "new, same or
//! conflicting" one after the other and the "higher than every published version" rule
//! cannot be raced.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;

use super::{StoreError, to_i32, to_u32};

/// Key of the publication lock (`pg_advisory_xact_lock(bigint)`); the relays lock shards
/// with the two-integer form, a separate key space.
const PUBLICATION_LOCK: i64 = 0x6f6d_735f_6361_7431; // "oms_cat1"

/// A published version, without its source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredVersion {
    pub version: u32,
    pub content_hash: String,
    pub source_sha256: String,
    pub source_name: String,
    pub description: Option<String>,
    pub rule_count: u32,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    pub publisher_tenant: Option<String>,
}

/// A version to insert.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub version: u32,
    pub content_hash: &'a str,
    pub source_sha256: &'a str,
    pub source_text: &'a str,
    pub source_name: &'a str,
    pub description: Option<&'a str>,
    pub rule_count: usize,
    pub published_by: &'a str,
    pub publisher_tenant: Option<&'a str>,
}

struct VersionRow {
    version: i32,
    content_hash: String,
    source_sha256: String,
    source_name: String,
    description: Option<String>,
    rule_count: i32,
    published_at: DateTime<Utc>,
    published_by: String,
    publisher_tenant: Option<String>,
}

impl TryFrom<VersionRow> for StoredVersion {
    type Error = StoreError;

    fn try_from(row: VersionRow) -> Result<Self, StoreError> {
        Ok(Self {
            version: to_u32("version", row.version)?,
            content_hash: row.content_hash,
            source_sha256: row.source_sha256,
            source_name: row.source_name,
            description: row.description,
            rule_count: to_u32("rule_count", row.rule_count)?,
            published_at: row.published_at,
            published_by: row.published_by,
            publisher_tenant: row.publisher_tenant,
        })
    }
}

/// Serialises publications until the caller's transaction ends.
pub async fn lock_publication(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query!("select pg_advisory_xact_lock($1)", PUBLICATION_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// The published version `version`, if any.
pub async fn find(
    conn: &mut PgConnection,
    version: u32,
) -> Result<Option<StoredVersion>, StoreError> {
    let row = sqlx::query_as!(
        VersionRow,
        r#"select version, content_hash, source_sha256, source_name, description, rule_count,
                  published_at, published_by, publisher_tenant
             from catalog_version where version = $1"#,
        to_i32("version", version)?,
    )
    .fetch_optional(conn)
    .await?;
    row.map(StoredVersion::try_from).transpose()
}

/// Every published version, newest first.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<StoredVersion>, StoreError> {
    let rows = sqlx::query_as!(
        VersionRow,
        r#"select version, content_hash, source_sha256, source_name, description, rule_count,
                  published_at, published_by, publisher_tenant
             from catalog_version order by version desc"#,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(StoredVersion::try_from).collect()
}

/// Number and content hash of the latest published version: the active one.
pub async fn latest(conn: &mut PgConnection) -> Result<Option<(u32, String)>, StoreError> {
    let row = sqlx::query!(
        "select version, content_hash from catalog_version order by version desc limit 1"
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| Ok((to_u32("version", r.version)?, r.content_hash)))
        .transpose()
}

/// The source text and content hash of `version`.
pub async fn source(
    conn: &mut PgConnection,
    version: u32,
) -> Result<Option<(String, String)>, StoreError> {
    let row = sqlx::query!(
        "select source_text, content_hash from catalog_version where version = $1",
        to_i32("version", version)?,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.source_text, r.content_hash)))
}

/// Inserts a new version; the caller holds the publication lock and checked the number.
pub async fn insert(conn: &mut PgConnection, new: &NewVersion<'_>) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into catalog_version
               (version, content_hash, source_sha256, source_text, source_name, description,
                rule_count, published_by, publisher_tenant)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        to_i32("version", new.version)?,
        new.content_hash,
        new.source_sha256,
        new.source_text,
        new.source_name,
        new.description,
        to_i32("rule_count", new.rule_count)?,
        new.published_by,
        new.publisher_tenant,
    )
    .execute(conn)
    .await?;
    Ok(())
}
