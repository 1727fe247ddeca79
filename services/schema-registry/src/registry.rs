//! The registry's use cases — register, look up, list, delete, configure, test compatibility —
//! with Confluent's semantics and error codes. Each runs in one database transaction; writes to
//! a subject are serialised by a per-subject lock so that "check compatibility, then append a
//! version" cannot interleave with another registration.

use apache_avro::Schema;
use serde::Deserialize;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

use crate::compatibility::{self, CompatibilityLevel, PreviousVersion};
use crate::error::ApiError;
use crate::schema::{self, ParsedSchema};
use crate::store::{self, StoreError, SubjectVersion};

/// How often a registration that lost a race on a unique constraint is retried.
const CONFLICT_RETRIES: usize = 3;

/// The body of register / lookup / compatibility requests.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaRequest {
    /// The schema text (Avro JSON).
    pub schema: Option<String>,
    /// `AVRO` (the default; the only type this registry accepts).
    pub schema_type: Option<String>,
    /// Schema references (not supported: must be absent or empty).
    #[schema(value_type = Option<Vec<Object>>)]
    pub references: Option<Vec<Value>>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub rule_set: Option<Value>,
}

impl SchemaRequest {
    /// A request carrying just an Avro schema text.
    pub fn avro(schema: impl Into<String>) -> Self {
        Self {
            schema: Some(schema.into()),
            ..Self::default()
        }
    }

    /// Validates the request and parses its schema (all failures are 42201).
    pub fn parse(&self) -> Result<ParsedSchema, ApiError> {
        schema::check_schema_type(self.schema_type.as_deref())?;
        if self.references.as_ref().is_some_and(|r| !r.is_empty()) {
            return Err(ApiError::InvalidSchema(
                "Schema references are not supported by this registry (the local stand-in for a \
                 Confluent Schema Registry); inline the referenced named types instead"
                    .to_owned(),
            ));
        }
        if self.metadata.as_ref().is_some_and(|m| !m.is_null())
            || self.rule_set.as_ref().is_some_and(|r| !r.is_null())
        {
            return Err(ApiError::InvalidSchema(
                "Schema metadata and rule sets (data contracts) are not supported by this \
                 registry (the local stand-in for a Confluent Schema Registry)"
                    .to_owned(),
            ));
        }
        let text = self
            .schema
            .as_deref()
            .ok_or_else(|| ApiError::InvalidSchema("Empty schema".to_owned()))?;
        schema::parse_avro(text)
    }
}

/// A version selector in a path: a number in `[1, 2^31-1]`, `latest`, or `-1` (= latest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    Latest,
    Number(i32),
}

impl VersionSpec {
    /// Parses a path segment; anything else is a 42202.
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let trimmed = raw.trim();
        if trimmed.eq_ignore_ascii_case("latest") {
            return Ok(Self::Latest);
        }
        match trimmed.parse::<i32>() {
            Ok(-1) => Ok(Self::Latest),
            Ok(n) if n >= 1 => Ok(Self::Number(n)),
            _ => Err(ApiError::InvalidVersion(raw.to_owned())),
        }
    }
}

/// Result of a compatibility test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompatibilityReport {
    /// Confluent-style messages; empty when compatible.
    pub messages: Vec<String>,
}

impl CompatibilityReport {
    pub fn is_compatible(&self) -> bool {
        self.messages.is_empty()
    }
}

fn db(err: sqlx::Error) -> ApiError {
    ApiError::Store(StoreError::classify(err))
}

/// The registry service over a connection pool.
#[derive(Debug, Clone)]
pub struct Registry {
    pool: PgPool,
}

impl Registry {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Registers `request`'s schema under `subject` and returns its global id. The same schema
    /// (by canonical form) already live under the subject returns the existing id and adds no
    /// version; a schema known under another subject reuses that id.
    pub async fn register(&self, subject: &str, request: &SchemaRequest) -> Result<i32, ApiError> {
        let parsed = request.parse()?;
        let mut attempt = 0;
        loop {
            match self.try_register(subject, &parsed).await {
                Err(ApiError::Store(StoreError::Conflict { constraint }))
                    if attempt < CONFLICT_RETRIES =>
                {
                    attempt += 1;
                    tracing::debug!(subject, constraint, attempt, "registration raced, retrying");
                }
                outcome => return outcome,
            }
        }
    }

    async fn try_register(&self, subject: &str, parsed: &ParsedSchema) -> Result<i32, ApiError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        store::lock_subject(&mut tx, subject).await?;
        if let Some(existing) =
            store::find_by_fingerprint(&mut tx, subject, &parsed.fingerprint, false).await?
        {
            tx.commit().await.map_err(db)?;
            return Ok(existing.schema_id);
        }
        let level = effective_level(&mut tx, subject).await?;
        let previous = store::versions(&mut tx, subject, false).await?;
        let messages = check_against(level, &parsed.schema, &previous)?;
        if !messages.is_empty() {
            return Err(ApiError::IncompatibleSchema(format!(
                "Schema being registered is incompatible with an earlier schema for subject \
                 \"{subject}\", details: [{}]",
                messages.join(", ")
            )));
        }
        let id = store::get_or_insert_schema(
            &mut tx,
            &parsed.fingerprint,
            &parsed.canonical_form,
            &parsed.text,
        )
        .await?;
        let version = store::append_version(&mut tx, subject, id).await?;
        tx.commit().await.map_err(db)?;
        tracing::info!(subject, id, version, "registered schema");
        Ok(id)
    }

    /// Is this schema registered under `subject`? (POST /subjects/{subject})
    pub async fn lookup(
        &self,
        subject: &str,
        request: &SchemaRequest,
        include_deleted: bool,
    ) -> Result<SubjectVersion, ApiError> {
        let parsed = request.parse()?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        if !store::subject_exists(&mut conn, subject, include_deleted).await? {
            return Err(ApiError::SubjectNotFound(subject.to_owned()));
        }
        store::find_by_fingerprint(&mut conn, subject, &parsed.fingerprint, include_deleted)
            .await?
            .ok_or(ApiError::SchemaNotFound)
    }

    /// The schema text of global id `id`.
    pub async fn schema_by_id(&self, id: i64) -> Result<String, ApiError> {
        let key = i32::try_from(id).map_err(|_| ApiError::SchemaIdNotFound(id))?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        store::schema_text_by_id(&mut conn, key)
            .await?
            .ok_or(ApiError::SchemaIdNotFound(id))
    }

    /// (subject, version) pairs that use schema `id`.
    pub async fn schema_usages(
        &self,
        id: i64,
        include_deleted: bool,
    ) -> Result<Vec<(String, i32)>, ApiError> {
        self.schema_by_id(id).await?;
        let key = i32::try_from(id).map_err(|_| ApiError::SchemaIdNotFound(id))?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Ok(store::usages_of_schema(&mut conn, key, include_deleted).await?)
    }

    /// Subjects, sorted.
    pub async fn subjects(
        &self,
        prefix: &str,
        include_deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<String>, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        Ok(store::subjects(&mut conn, prefix, include_deleted, deleted_only).await?)
    }

    /// Version numbers of `subject`; 40401 when it has none matching the filter.
    pub async fn versions(
        &self,
        subject: &str,
        include_deleted: bool,
        deleted_only: bool,
    ) -> Result<Vec<i32>, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let versions: Vec<i32> =
            store::versions(&mut conn, subject, include_deleted || deleted_only)
                .await?
                .into_iter()
                .filter(|v| !deleted_only || v.deleted)
                .map(|v| v.version)
                .collect();
        if versions.is_empty() {
            return Err(ApiError::SubjectNotFound(subject.to_owned()));
        }
        Ok(versions)
    }

    /// One version of `subject`.
    pub async fn version(
        &self,
        subject: &str,
        spec: VersionSpec,
        include_deleted: bool,
    ) -> Result<SubjectVersion, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        resolve_version(&mut conn, subject, spec, include_deleted).await
    }

    /// Deletes a subject: soft (all live versions marked deleted, its compatibility level
    /// removed) or, after a soft delete, permanent. Returns the deleted version numbers.
    pub async fn delete_subject(
        &self,
        subject: &str,
        permanent: bool,
    ) -> Result<Vec<i32>, ApiError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        store::lock_subject(&mut tx, subject).await?;
        if !store::subject_exists(&mut tx, subject, true).await? {
            return Err(ApiError::SubjectNotFound(subject.to_owned()));
        }
        let has_live = store::subject_exists(&mut tx, subject, false).await?;
        let versions = if permanent {
            if has_live {
                return Err(ApiError::SubjectNotSoftDeleted(subject.to_owned()));
            }
            store::hard_delete_subject(&mut tx, subject).await?
        } else {
            if !has_live {
                return Err(ApiError::SubjectSoftDeleted(subject.to_owned()));
            }
            let versions = store::soft_delete_subject(&mut tx, subject).await?;
            store::delete_subject_level(&mut tx, subject).await?;
            versions
        };
        tx.commit().await.map_err(db)?;
        tracing::info!(subject, permanent, ?versions, "deleted subject");
        Ok(versions)
    }

    /// Deletes one version (soft, or permanent after a soft delete); returns its number.
    pub async fn delete_version(
        &self,
        subject: &str,
        spec: VersionSpec,
        permanent: bool,
    ) -> Result<i32, ApiError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        store::lock_subject(&mut tx, subject).await?;
        // A numbered version is found whether or not it is soft-deleted (so deleting it twice
        // is a 40406, like Confluent); `latest` means the newest live version for a soft delete
        // and the newest of all for a permanent one.
        let include_deleted = permanent || matches!(spec, VersionSpec::Number(_));
        let row = resolve_version(&mut tx, subject, spec, include_deleted).await?;
        if permanent {
            if !row.deleted {
                return Err(ApiError::VersionNotSoftDeleted {
                    subject: subject.to_owned(),
                    version: row.version,
                });
            }
            store::hard_delete_version(&mut tx, subject, row.version).await?;
        } else {
            if row.deleted {
                return Err(ApiError::VersionSoftDeleted {
                    subject: subject.to_owned(),
                    version: row.version,
                });
            }
            store::soft_delete_version(&mut tx, subject, row.version).await?;
        }
        tx.commit().await.map_err(db)?;
        tracing::info!(subject, version = row.version, permanent, "deleted version");
        Ok(row.version)
    }

    /// Tests `request`'s schema against one version of `subject` (`Some`) or against the
    /// versions the subject's level looks at (`None`), using the subject's effective level.
    pub async fn test_compatibility(
        &self,
        subject: &str,
        spec: Option<VersionSpec>,
        request: &SchemaRequest,
    ) -> Result<CompatibilityReport, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let previous = match spec {
            Some(spec) => {
                if !store::subject_exists(&mut conn, subject, false).await? {
                    return Err(ApiError::SubjectNotFound(subject.to_owned()));
                }
                vec![resolve_version(&mut conn, subject, spec, false).await?]
            }
            None => store::versions(&mut conn, subject, false).await?,
        };
        let parsed = request.parse()?;
        let level = effective_level(&mut conn, subject).await?;
        let messages = check_against(level, &parsed.schema, &previous)?;
        Ok(CompatibilityReport { messages })
    }

    /// The global compatibility level.
    pub async fn global_level(&self) -> Result<CompatibilityLevel, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        global_level(&mut conn).await
    }

    /// Sets the global level.
    pub async fn set_global_level(&self, level: CompatibilityLevel) -> Result<(), ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        store::set_global_level(&mut conn, level.as_str()).await?;
        Ok(())
    }

    /// Resets the global level to the default; returns the previous one.
    pub async fn reset_global_level(&self) -> Result<CompatibilityLevel, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let previous =
            store::set_global_level(&mut conn, CompatibilityLevel::DEFAULT.as_str()).await?;
        Ok(parse_stored_level(&previous))
    }

    /// The level configured for `subject`; with `default_to_global` the global level when
    /// none is, else 40408.
    pub async fn subject_level(
        &self,
        subject: &str,
        default_to_global: bool,
    ) -> Result<CompatibilityLevel, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        match store::subject_level(&mut conn, subject).await? {
            Some(level) => Ok(parse_stored_level(&level)),
            None if default_to_global => global_level(&mut conn).await,
            None => Err(ApiError::SubjectCompatibilityNotConfigured(
                subject.to_owned(),
            )),
        }
    }

    /// Configures the level of `subject` (it need not have versions yet).
    pub async fn set_subject_level(
        &self,
        subject: &str,
        level: CompatibilityLevel,
    ) -> Result<(), ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        store::set_subject_level(&mut conn, subject, level.as_str()).await?;
        Ok(())
    }

    /// Removes the level of `subject`; returns it (40401 when none was configured, as
    /// Confluent does).
    pub async fn delete_subject_level(
        &self,
        subject: &str,
    ) -> Result<CompatibilityLevel, ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        store::delete_subject_level(&mut conn, subject)
            .await?
            .map(|l| parse_stored_level(&l))
            .ok_or_else(|| ApiError::SubjectNotFound(subject.to_owned()))
    }

    /// Readiness: the database answers.
    pub async fn ping(&self) -> Result<(), ApiError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        store::ping(&mut conn).await?;
        Ok(())
    }
}

/// Finds a version. `include_deleted` also considers soft-deleted versions. 40401 when the
/// subject has no version at all (in that view), 40402 when the version is missing.
async fn resolve_version(
    conn: &mut PgConnection,
    subject: &str,
    spec: VersionSpec,
    include_deleted: bool,
) -> Result<SubjectVersion, ApiError> {
    let found = match spec {
        VersionSpec::Latest => store::latest_version(conn, subject, include_deleted).await?,
        VersionSpec::Number(n) => store::version(conn, subject, n)
            .await?
            .filter(|v| include_deleted || !v.deleted),
    };
    match found {
        Some(v) => Ok(v),
        None if !store::subject_exists(conn, subject, include_deleted).await? => {
            Err(ApiError::SubjectNotFound(subject.to_owned()))
        }
        None => Err(match spec {
            VersionSpec::Number(n) => ApiError::VersionNotFound(n),
            VersionSpec::Latest => ApiError::VersionNotFound(-1),
        }),
    }
}

async fn global_level(conn: &mut PgConnection) -> Result<CompatibilityLevel, ApiError> {
    Ok(parse_stored_level(&store::global_level(conn).await?))
}

/// The level that applies to `subject`: its own, else the global one.
async fn effective_level(
    conn: &mut PgConnection,
    subject: &str,
) -> Result<CompatibilityLevel, ApiError> {
    match store::subject_level(conn, subject).await? {
        Some(level) => Ok(parse_stored_level(&level)),
        None => global_level(conn).await,
    }
}

/// Stored levels are constrained by the migration's check constraints, so this cannot fail in
/// practice; an unknown value falls back to the default rather than failing requests.
fn parse_stored_level(stored: &str) -> CompatibilityLevel {
    stored.parse().unwrap_or_else(|_| {
        tracing::warn!(
            stored,
            "unknown stored compatibility level, using the default"
        );
        CompatibilityLevel::DEFAULT
    })
}

/// Runs the compatibility rules of `level` for `new` against stored versions (oldest first).
fn check_against(
    level: CompatibilityLevel,
    new: &Schema,
    previous: &[SubjectVersion],
) -> Result<Vec<String>, ApiError> {
    if level == CompatibilityLevel::None || previous.is_empty() {
        return Ok(Vec::new());
    }
    let parsed: Vec<Schema> = previous
        .iter()
        .map(|v| schema::parse_stored(&v.schema_text))
        .collect::<Result<_, _>>()?;
    let versions: Vec<PreviousVersion<'_>> = previous
        .iter()
        .zip(&parsed)
        .map(|(v, schema)| PreviousVersion {
            version: v.version,
            text: &v.schema_text,
            schema,
        })
        .collect();
    Ok(compatibility::check(level, new, &versions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_specs() {
        assert_eq!(VersionSpec::parse("latest").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("-1").unwrap(), VersionSpec::Latest);
        assert_eq!(VersionSpec::parse("7").unwrap(), VersionSpec::Number(7));
        for bad in ["0", "-2", "abc", "2147483648", ""] {
            assert_eq!(
                VersionSpec::parse(bad).unwrap_err().status_and_code().1,
                42202,
                "{bad}"
            );
        }
    }

    #[test]
    fn references_and_other_types_are_rejected() {
        let mut r = SchemaRequest::avro(r#""string""#);
        r.references = Some(vec![
            serde_json::json!({"name": "x", "subject": "y", "version": 1}),
        ]);
        let err = r.parse().unwrap_err();
        assert_eq!(err.status_and_code().1, 42201);
        assert!(err.to_string().contains("references are not supported"));

        let mut r = SchemaRequest::avro(r#""string""#);
        r.references = Some(vec![]);
        assert!(r.parse().is_ok(), "an empty reference list is fine");

        let mut r = SchemaRequest::avro("syntax = \"proto3\";");
        r.schema_type = Some("PROTOBUF".to_owned());
        assert_eq!(r.parse().unwrap_err().status_and_code().1, 42201);
    }
}
