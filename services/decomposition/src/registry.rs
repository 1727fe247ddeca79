//! The rules the consumer decomposes with: the latest published version, read from the
//! database for every release (so a version published through any replica applies to the
//! next order everywhere) and parsed once per version (published versions are immutable, so
//! the parse is cached by number).
//!
//! A version is loaded from its stored source text and checked against its stored content
//! hash before first use: the rules a plan records are exactly the rules stored under that
//! version. A stored version that no longer loads or no longer matches its hash (a manual
//! edit of the table) is [`RegistryError::Corrupt`]: an INTERNAL_ERROR for the order, not a
//! retry. A database that cannot be read is [`RegistryError::Store`]: temporary, retried.

use sqlx::PgConnection;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::catalog::TechnicalCatalog;
use crate::store::StoreError;
use crate::store::catalog;

/// Why no usable catalog could be produced.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The catalog table could not be read: temporary.
    #[error("reading the technical catalog: {0}")]
    Store(#[from] StoreError),
    /// Nothing is published yet: temporary until an operator publishes a version.
    #[error("no technical catalog version is published")]
    NothingPublished,
    /// A stored version does not load as what was published.
    #[error("stored technical catalog version {version} is unusable: {detail}")]
    Corrupt { version: u32, detail: String },
}

/// Parsed, verified catalog versions, shared by the consumer and the API.
#[derive(Debug, Default)]
pub struct CatalogRegistry {
    loaded: Mutex<BTreeMap<u32, Arc<TechnicalCatalog>>>,
}

impl CatalogRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// The latest published version, loaded and verified.
    pub async fn active(
        &self,
        conn: &mut PgConnection,
    ) -> Result<Arc<TechnicalCatalog>, RegistryError> {
        let (number, content_hash) = catalog::latest(conn)
            .await?
            .ok_or(RegistryError::NothingPublished)?;
        if let Some(cached) = self.cached(number)
            && cached.version().content_hash == content_hash
        {
            return Ok(cached);
        }
        self.load(conn, number).await
    }

    /// Version `number`, from the cache or loaded and verified (a re-plan uses the rules
    /// version of the order's plan, not the active one).
    pub async fn version(
        &self,
        conn: &mut PgConnection,
        number: u32,
    ) -> Result<Arc<TechnicalCatalog>, RegistryError> {
        if let Some(cached) = self.cached(number) {
            return Ok(cached);
        }
        self.load(conn, number).await
    }

    /// The highest version loaded so far (readiness: "a catalog is loaded").
    pub fn latest_loaded(&self) -> Option<u32> {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .next_back()
            .copied()
    }

    fn cached(&self, number: u32) -> Option<Arc<TechnicalCatalog>> {
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&number)
            .cloned()
    }

    /// Loads version `number` from its stored source and checks it against its stored hash.
    #[tracing::instrument(skip(self, conn), err)]
    pub async fn load(
        &self,
        conn: &mut PgConnection,
        number: u32,
    ) -> Result<Arc<TechnicalCatalog>, RegistryError> {
        let (text, stored_hash) =
            catalog::source(conn, number)
                .await?
                .ok_or_else(|| RegistryError::Corrupt {
                    version: number,
                    detail: "the version disappeared from the catalog table".to_owned(),
                })?;
        let loaded = TechnicalCatalog::from_toml(&format!("catalog_version {number}"), &text)
            .map_err(|errors| RegistryError::Corrupt {
                version: number,
                detail: errors.to_string(),
            })?;
        let version = loaded.version();
        if version.number != number || version.content_hash != stored_hash {
            return Err(RegistryError::Corrupt {
                version: number,
                detail: format!(
                    "its source text loads as {} (content hash {}), but it was published as \
                     version {number} with content hash {stored_hash}",
                    version.number, version.content_hash
                ),
            });
        }
        let loaded = Arc::new(loaded);
        self.loaded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(number, loaded.clone());
        crate::metrics::catalog_active(number);
        tracing::info!(version = %loaded.version(), "technical catalog version loaded");
        Ok(loaded)
    }
}
