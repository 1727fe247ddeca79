//! The validation log: one row per rejected capture, with where it came from and which rules
//! it broke (codes, paths, severities). Never the payload: it may carry personal or
//! commercial data, and violation messages quote values from it, so they are left out too.

use oms_domain::capture::Violation;
use oms_domain::value::{OrderId, TenantId};
use oms_domain::vocab::CaptureMode;
use sqlx::PgConnection;

use super::{StoreError, wire};

/// Where a capture came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    Quote,
}

impl Source {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Api => "API",
            Self::Quote => "QUOTE",
        }
    }
}

#[derive(Debug)]
pub struct Rejection<'a> {
    pub tenant: &'a TenantId,
    pub source: Source,
    pub capture_mode: CaptureMode,
    pub quote: Option<(&'a str, i64)>,
    /// SHA-256 (hex) of the Idempotency-Key of an API capture.
    pub idempotency_key_hash: Option<String>,
    pub order_id: Option<OrderId>,
    pub violations: &'a [Violation],
    pub correlation_id: &'a str,
}

/// The stored form of violations: code, path and severity only.
pub fn redacted(violations: &[Violation]) -> serde_json::Value {
    violations
        .iter()
        .map(|v| {
            serde_json::json!({
                "code": v.code.code(),
                "path": v.path,
                "severity": wire(&v.severity),
            })
        })
        .collect()
}

pub async fn insert(conn: &mut PgConnection, rejection: &Rejection<'_>) -> Result<(), StoreError> {
    sqlx::query!(
        r#"insert into validation_log (tenant_id, source, capture_mode, quote_id, quote_revision,
               idempotency_key_hash, order_id, violations, correlation_id)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        rejection.tenant.as_str(),
        rejection.source.as_str(),
        wire(&rejection.capture_mode),
        rejection.quote.map(|(id, _)| id.to_owned()),
        rejection
            .quote
            .and_then(|(_, revision)| i32::try_from(revision).ok()),
        rejection.idempotency_key_hash,
        rejection.order_id.map(|o| o.as_uuid()),
        redacted(rejection.violations),
        rejection.correlation_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}
