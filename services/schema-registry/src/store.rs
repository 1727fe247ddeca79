//! The PostgreSQL repository: every SQL statement of the service, checked at compile time
//! (`sqlx::query!`, offline data in `.sqlx/`). Functions take a `&mut PgConnection` so callers
//! decide the transaction boundaries. Database errors are classified by SQLSTATE and constraint
//! name, never by message text.

use sqlx::PgConnection;

/// Unique constraint on the canonical-form fingerprint of `schemas`.
pub const SCHEMAS_FINGERPRINT_KEY: &str = "schemas_fingerprint_key";
/// Primary key (subject, version) of `subject_versions`.
pub const SUBJECT_VERSIONS_PKEY: &str = "subject_versions_pkey";
/// Partial unique index: a schema is live at most once per subject.
pub const SUBJECT_VERSIONS_LIVE_SCHEMA_KEY: &str = "subject_versions_live_schema_key";

/// SQLSTATE `unique_violation`.
const UNIQUE_VIOLATION: &str = "23505";

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A concurrent writer got there first (a unique constraint fired); the operation may be
    /// retried.
    #[error("concurrent modification (constraint {constraint})")]
    Conflict { constraint: String },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Classifies a database error: unique violations of our constraints become `Conflict`.
    pub fn classify(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err
            && db.code().as_deref() == Some(UNIQUE_VIOLATION)
            && let Some(constraint) = db.constraint()
            && [
                SCHEMAS_FINGERPRINT_KEY,
                SUBJECT_VERSIONS_PKEY,
                SUBJECT_VERSIONS_LIVE_SCHEMA_KEY,
            ]
            .contains(&constraint)
        {
            return Self::Conflict {
                constraint: constraint.to_owned(),
            };
        }
        Self::Database(err)
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// One version of a subject with its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectVersion {
    pub subject: String,
    pub version: i32,
    pub schema_id: i32,
    pub schema_text: String,
    pub deleted: bool,
}

/// Serialises writers of one subject until the end of the current transaction (registration
/// reads the latest versions, checks compatibility and appends a version: that must not
/// interleave with another registration on the same subject).
pub async fn lock_subject(conn: &mut PgConnection, subject: &str) -> Result<()> {
    sqlx::query!(
        r#"select 1 as "locked!" from pg_advisory_xact_lock(hashtextextended($1, 0))"#,
        subject
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(())
}

/// The version of `subject` whose schema has this fingerprint (live only unless
/// `include_deleted`; the newest if several).
pub async fn find_by_fingerprint(
    conn: &mut PgConnection,
    subject: &str,
    fingerprint: &[u8],
    include_deleted: bool,
) -> Result<Option<SubjectVersion>> {
    let row = sqlx::query_as!(
        SubjectVersion,
        r#"
        select sv.subject, sv.version, sv.schema_id, s.schema_text, sv.deleted
          from subject_versions sv
          join schemas s on s.id = sv.schema_id
         where sv.subject = $1
           and s.fingerprint = $2
           and (not sv.deleted or $3)
         order by sv.deleted, sv.version desc
         limit 1
        "#,
        subject,
        fingerprint,
        include_deleted
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(row)
}

/// The versions of `subject`, oldest first (live only unless `include_deleted`).
pub async fn versions(
    conn: &mut PgConnection,
    subject: &str,
    include_deleted: bool,
) -> Result<Vec<SubjectVersion>> {
    let rows = sqlx::query_as!(
        SubjectVersion,
        r#"
        select sv.subject, sv.version, sv.schema_id, s.schema_text, sv.deleted
          from subject_versions sv
          join schemas s on s.id = sv.schema_id
         where sv.subject = $1
           and (not sv.deleted or $2)
         order by sv.version
        "#,
        subject,
        include_deleted
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(rows)
}

/// One version of `subject` (soft-deleted ones too; the caller decides).
pub async fn version(
    conn: &mut PgConnection,
    subject: &str,
    version: i32,
) -> Result<Option<SubjectVersion>> {
    let row = sqlx::query_as!(
        SubjectVersion,
        r#"
        select sv.subject, sv.version, sv.schema_id, s.schema_text, sv.deleted
          from subject_versions sv
          join schemas s on s.id = sv.schema_id
         where sv.subject = $1 and sv.version = $2
        "#,
        subject,
        version
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(row)
}

/// The newest version of `subject` (live only unless `include_deleted`).
pub async fn latest_version(
    conn: &mut PgConnection,
    subject: &str,
    include_deleted: bool,
) -> Result<Option<SubjectVersion>> {
    let row = sqlx::query_as!(
        SubjectVersion,
        r#"
        select sv.subject, sv.version, sv.schema_id, s.schema_text, sv.deleted
          from subject_versions sv
          join schemas s on s.id = sv.schema_id
         where sv.subject = $1
           and (not sv.deleted or $2)
         order by sv.version desc
         limit 1
        "#,
        subject,
        include_deleted
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(row)
}

/// Whether `subject` has any version (live only unless `include_deleted`).
pub async fn subject_exists(
    conn: &mut PgConnection,
    subject: &str,
    include_deleted: bool,
) -> Result<bool> {
    let exists = sqlx::query_scalar!(
        r#"
        select exists (
            select 1 from subject_versions where subject = $1 and (not deleted or $2)
        ) as "exists!"
        "#,
        subject,
        include_deleted
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(exists)
}

/// Returns the id of the schema with this fingerprint, inserting it first if it is new.
///
/// Concurrent callers with the same schema race on `schemas_fingerprint_key`: `on conflict do
/// nothing` makes the loser wait for the winner's commit and insert nothing, and it then reads
/// the winner's id back, so one schema never gets two ids.
pub async fn get_or_insert_schema(
    conn: &mut PgConnection,
    fingerprint: &[u8],
    canonical_form: &str,
    schema_text: &str,
) -> Result<i32> {
    if let Some(id) = schema_id_by_fingerprint(conn, fingerprint).await? {
        return Ok(id);
    }
    let inserted = sqlx::query_scalar!(
        r#"
        insert into schemas (fingerprint, canonical_form, schema_text)
        values ($1, $2, $3)
        on conflict on constraint schemas_fingerprint_key do nothing
        returning id
        "#,
        fingerprint,
        canonical_form,
        schema_text
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    if let Some(id) = inserted {
        return Ok(id);
    }
    schema_id_by_fingerprint(conn, fingerprint)
        .await?
        .ok_or_else(|| StoreError::Conflict {
            constraint: SCHEMAS_FINGERPRINT_KEY.to_owned(),
        })
}

async fn schema_id_by_fingerprint(
    conn: &mut PgConnection,
    fingerprint: &[u8],
) -> Result<Option<i32>> {
    let id = sqlx::query_scalar!("select id from schemas where fingerprint = $1", fingerprint)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::classify)?;
    Ok(id)
}

/// Appends the next version of `subject` (one past the highest, soft-deleted included) pointing
/// at `schema_id`; returns the version number. Call with the subject locked.
pub async fn append_version(conn: &mut PgConnection, subject: &str, schema_id: i32) -> Result<i32> {
    let version = sqlx::query_scalar!(
        r#"
        insert into subject_versions (subject, version, schema_id)
        select $1, coalesce(max(version), 0) + 1, $2
          from subject_versions
         where subject = $1
        returning version
        "#,
        subject,
        schema_id
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(version)
}

/// The text of schema `id`, if some subject version (live or soft-deleted) still uses it.
pub async fn schema_text_by_id(conn: &mut PgConnection, id: i32) -> Result<Option<String>> {
    let text = sqlx::query_scalar!(
        r#"
        select s.schema_text
          from schemas s
         where s.id = $1
           and exists (select 1 from subject_versions sv where sv.schema_id = s.id)
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(text)
}

/// (subject, version) pairs using schema `id`, ordered by subject then version.
pub async fn usages_of_schema(
    conn: &mut PgConnection,
    id: i32,
    include_deleted: bool,
) -> Result<Vec<(String, i32)>> {
    let rows = sqlx::query!(
        r#"
        select subject, version
          from subject_versions
         where schema_id = $1 and (not deleted or $2)
         order by subject, version
        "#,
        id,
        include_deleted
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(rows.into_iter().map(|r| (r.subject, r.version)).collect())
}

/// Subjects with at least one version matching the filter, sorted.
/// `deleted_only`: subjects whose versions are all soft-deleted; else `include_deleted` adds them
/// to the subjects with live versions.
pub async fn subjects(
    conn: &mut PgConnection,
    prefix: &str,
    include_deleted: bool,
    deleted_only: bool,
) -> Result<Vec<String>> {
    let rows = sqlx::query_scalar!(
        r#"
        select subject as "subject!"
          from subject_versions
         where starts_with(subject, $1)
         group by subject
        having case
                 when $3 then bool_and(deleted)
                 when $2 then true
                 else not bool_and(deleted)
               end
         order by subject
        "#,
        prefix,
        include_deleted,
        deleted_only
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(rows)
}

/// Soft-deletes every live version of `subject`; returns their numbers.
pub async fn soft_delete_subject(conn: &mut PgConnection, subject: &str) -> Result<Vec<i32>> {
    let mut versions = sqlx::query_scalar!(
        "update subject_versions set deleted = true where subject = $1 and not deleted returning version",
        subject
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    versions.sort_unstable();
    Ok(versions)
}

/// Removes every version of `subject`; returns their numbers.
pub async fn hard_delete_subject(conn: &mut PgConnection, subject: &str) -> Result<Vec<i32>> {
    let mut versions = sqlx::query_scalar!(
        "delete from subject_versions where subject = $1 returning version",
        subject
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    versions.sort_unstable();
    Ok(versions)
}

/// Soft-deletes one version.
pub async fn soft_delete_version(
    conn: &mut PgConnection,
    subject: &str,
    version: i32,
) -> Result<()> {
    sqlx::query!(
        "update subject_versions set deleted = true where subject = $1 and version = $2",
        subject,
        version
    )
    .execute(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(())
}

/// Removes one version.
pub async fn hard_delete_version(
    conn: &mut PgConnection,
    subject: &str,
    version: i32,
) -> Result<()> {
    sqlx::query!(
        "delete from subject_versions where subject = $1 and version = $2",
        subject,
        version
    )
    .execute(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(())
}

/// The global compatibility level (as stored; validated by a check constraint).
pub async fn global_level(conn: &mut PgConnection) -> Result<String> {
    let level =
        sqlx::query_scalar!("select compatibility_level from global_config where singleton")
            .fetch_one(&mut *conn)
            .await
            .map_err(StoreError::classify)?;
    Ok(level)
}

/// Sets the global compatibility level; returns the previous one.
pub async fn set_global_level(conn: &mut PgConnection, level: &str) -> Result<String> {
    let previous = sqlx::query_scalar!(
        r#"
        update global_config g
           set compatibility_level = $1
          from global_config old
         where g.singleton and old.singleton
        returning old.compatibility_level as previous
        "#,
        level
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(previous)
}

/// The compatibility level configured for `subject`, if any.
pub async fn subject_level(conn: &mut PgConnection, subject: &str) -> Result<Option<String>> {
    let level = sqlx::query_scalar!(
        "select compatibility_level from subject_config where subject = $1",
        subject
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(level)
}

/// Configures the compatibility level of `subject`.
pub async fn set_subject_level(conn: &mut PgConnection, subject: &str, level: &str) -> Result<()> {
    sqlx::query!(
        r#"
        insert into subject_config (subject, compatibility_level)
        values ($1, $2)
        on conflict (subject) do update
           set compatibility_level = excluded.compatibility_level, updated_at = now()
        "#,
        subject,
        level
    )
    .execute(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(())
}

/// Removes the compatibility level of `subject`; returns it if there was one.
pub async fn delete_subject_level(
    conn: &mut PgConnection,
    subject: &str,
) -> Result<Option<String>> {
    let previous = sqlx::query_scalar!(
        "delete from subject_config where subject = $1 returning compatibility_level",
        subject
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::classify)?;
    Ok(previous)
}

/// Checks that the database answers (readiness probe).
pub async fn ping(conn: &mut PgConnection) -> Result<()> {
    sqlx::query_scalar!(r#"select 1 as "one!""#)
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::classify)?;
    Ok(())
}
