//! Publishing a technical catalog version: validate the whole text, then record it as an
//! immutable `catalog_version` row. Used at start-up for the configured files and by the
//! operator API; the rules are the same for both:
//!
//! - the text must load without a single error ([`PublishError::Invalid`] lists them all,
//!   with codes, lines and paths);
//! - a version number already published with the same rules (equal content hash) is
//!   idempotent: nothing changes and the stored row is returned;
//! - the same number with other rules is refused ([`PublishError::VersionConflict`]), and so
//!   is a new number that is not higher than every published one
//!   ([`PublishError::NotHigher`]): published versions are immutable and ordered.
//!
//! A new version becomes active for every order whose release is handled after the commit;
//! plans already made keep the version they were built with.

use sha2::{Digest as _, Sha256};
use sqlx::PgPool;

use crate::catalog::{CatalogErrors, TechnicalCatalog};
use crate::store::StoreError;
use crate::store::catalog::{self, NewVersion, StoredVersion};

/// Who publishes.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// Operator subject, or the service name at start-up.
    pub subject: String,
    /// The operator's tenant; `None` at start-up.
    pub tenant: Option<String>,
}

impl Publisher {
    /// The service itself, publishing configured files at start-up.
    pub fn startup() -> Self {
        Self {
            subject: crate::SERVICE.to_owned(),
            tenant: None,
        }
    }
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// A new version was recorded.
    Created(StoredVersion),
    /// The version was already published with the same rules; nothing changed.
    Unchanged(StoredVersion),
}

impl Published {
    pub fn version(&self) -> &StoredVersion {
        match self {
            Self::Created(v) | Self::Unchanged(v) => v,
        }
    }
}

/// Why a catalog was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Invalid(#[from] CatalogErrors),
    #[error(
        "catalog version {version} is already published with other rules (content hash \
         {published_hash}, offered {offered_hash}); published versions are immutable: publish \
         the change under a higher version number"
    )]
    VersionConflict {
        version: u32,
        published_hash: String,
        offered_hash: String,
    },
    #[error(
        "catalog version {version} is not higher than the latest published version {latest}; \
         a new version must be higher than every published one"
    )]
    NotHigher { version: u32, latest: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PublishError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(error))
    }
}

/// SHA-256 (hex) of the exact source text.
pub fn source_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Validates `text` (labelled `source_name` in errors) and publishes it.
#[tracing::instrument(skip(pool, text, publisher), fields(publisher = %publisher.subject), err(level = "warn"))]
pub async fn publish(
    pool: &PgPool,
    source_name: &str,
    text: &str,
    publisher: &Publisher,
) -> Result<Published, PublishError> {
    let outcome = publish_checked(pool, source_name, text, publisher).await;
    crate::metrics::publication(match &outcome {
        Ok(Published::Created(_)) => "CREATED",
        Ok(Published::Unchanged(_)) => "UNCHANGED",
        Err(PublishError::Store(_)) => "ERROR",
        Err(_) => "REFUSED",
    });
    outcome
}

async fn publish_checked(
    pool: &PgPool,
    source_name: &str,
    text: &str,
    publisher: &Publisher,
) -> Result<Published, PublishError> {
    let loaded = TechnicalCatalog::from_toml(source_name, text)?;
    let version = loaded.version();
    let mut tx = pool.begin().await?;
    catalog::lock_publication(&mut tx).await?;
    if let Some(existing) = catalog::find(&mut tx, version.number).await? {
        return if existing.content_hash == version.content_hash {
            tracing::info!(
                version = version.number,
                "catalog version already published with the same rules"
            );
            Ok(Published::Unchanged(existing))
        } else {
            Err(PublishError::VersionConflict {
                version: version.number,
                published_hash: existing.content_hash,
                offered_hash: version.content_hash.clone(),
            })
        };
    }
    if let Some((latest, _)) = catalog::latest(&mut tx).await?
        && latest >= version.number
    {
        return Err(PublishError::NotHigher {
            version: version.number,
            latest,
        });
    }
    let sha = source_sha256(text);
    catalog::insert(
        &mut tx,
        &NewVersion {
            version: version.number,
            content_hash: &version.content_hash,
            source_sha256: &sha,
            source_text: text,
            source_name,
            description: loaded.description(),
            rule_count: loaded.rules().count(),
            published_by: &publisher.subject,
            publisher_tenant: publisher.tenant.as_deref(),
        },
    )
    .await?;
    let stored = catalog::find(&mut tx, version.number)
        .await?
        .ok_or_else(|| StoreError::corrupt("version", "inserted row not found"))?;
    tx.commit().await?;
    tracing::info!(version = %version, source = source_name, "catalog version published");
    Ok(Published::Created(stored))
}
