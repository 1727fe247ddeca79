//! `JwtVerifier`: bearer tokens that are JWTs from an identity provider (`auth.jwt`).
//!
//! A token is accepted when its signature verifies with the configured key (HS256 with a shared
//! secret, or RS256 with the provider's public key in PEM), `exp` is in the future and `nbf` in
//! the past (with `leeway_seconds`), `iss` is the configured issuer and `aud` names the
//! configured audience (each service has its own, so a token minted for one service is refused
//! by the others). Claims map to the [`Caller`]: `sub` is the subject, the tenant claim
//! (`tenant_id` unless configured) the tenant, and `scope` (space separated, OAuth 2.0 style)
//! or `scp` (an array) the scopes. Every refusal is the same 401 to the client; the reason is
//! logged at debug level without the token.
//!
//! Fetching the provider's JWKS (key rotation by `kid`) is not built in: an RS256 deployment
//! configures the current public key, and rotates by deploying the next one.

use super::{AuthError, Caller, TokenVerifier};
use crate::config::JwtConfig;
use futures::future::BoxFuture;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::fmt;

/// Verifies JWTs against one issuer, audience and key.
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
    tenant_claim: String,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("algorithms", &self.validation.algorithms)
            .field("tenant_claim", &self.tenant_claim)
            .finish_non_exhaustive()
    }
}

/// Why `auth.jwt` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JwtConfigError {
    #[error("auth.jwt needs exactly one of hs256_secret and rs256_public_key_pem")]
    KeyChoice,
    #[error("auth.jwt.{field} must not be empty")]
    Empty { field: &'static str },
    #[error("auth.jwt key is not usable: {0}")]
    Key(jsonwebtoken::errors::Error),
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scp: Option<Vec<String>>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl JwtVerifier {
    pub fn from_config(config: &JwtConfig) -> Result<Self, JwtConfigError> {
        for (field, value) in [
            ("issuer", &config.issuer),
            ("audience", &config.audience),
            ("tenant_claim", &config.tenant_claim),
        ] {
            if value.trim().is_empty() {
                return Err(JwtConfigError::Empty { field });
            }
        }
        let (key, algorithm) = match (&config.hs256_secret, &config.rs256_public_key_pem) {
            (Some(secret), None) => (
                DecodingKey::from_secret(secret.expose().as_bytes())
                    .map_err(JwtConfigError::Key)?,
                Algorithm::HS256,
            ),
            (None, Some(pem)) => (
                DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(JwtConfigError::Key)?,
                Algorithm::RS256,
            ),
            _ => return Err(JwtConfigError::KeyChoice),
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = config.leeway_seconds;
        Ok(Self {
            key,
            validation,
            tenant_claim: config.tenant_claim.clone(),
        })
    }

    fn caller(&self, token: &str) -> Result<Caller, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(
            |error| {
                let reason = match error.kind() {
                    ErrorKind::ExpiredSignature => "expired",
                    ErrorKind::ImmatureSignature => "not yet valid",
                    ErrorKind::InvalidAudience => "wrong audience",
                    ErrorKind::InvalidIssuer => "wrong issuer",
                    ErrorKind::InvalidSignature => "bad signature",
                    ErrorKind::InvalidAlgorithm => "wrong algorithm",
                    ErrorKind::MissingRequiredClaim(_) => "missing claim",
                    _ => "malformed",
                };
                tracing::debug!(reason, "JWT refused");
                AuthError::InvalidToken
            },
        )?;
        let claims = data.claims;
        let tenant = claims
            .rest
            .get(&self.tenant_claim)
            .and_then(serde_json::Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                tracing::debug!(claim = %self.tenant_claim, "JWT refused: no tenant claim");
                AuthError::InvalidToken
            })?;
        if claims.sub.trim().is_empty() {
            return Err(AuthError::InvalidToken);
        }
        let mut scopes: Vec<String> = claims
            .scope
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        scopes.extend(claims.scp.unwrap_or_default());
        Ok(Caller::new(tenant, claims.sub, scopes))
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Caller, AuthError>> {
        Box::pin(std::future::ready(self.caller(token)))
    }
}

/// Whether `token` has a JWT's shape (three base64url parts); such tokens go to the JWT
/// verifier, everything else to the static table.
pub fn looks_like_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const SECRET: &str = "test-secret-of-enough-length-for-hs256";

    fn config() -> JwtConfig {
        JwtConfig {
            issuer: "https://idp.example".into(),
            audience: "oms-order-capture".into(),
            hs256_secret: Some(Secret::new(SECRET.to_owned())),
            rs256_public_key_pem: None,
            tenant_claim: "tenant_id".into(),
            leeway_seconds: 5,
        }
    }

    fn now() -> i64 {
        i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
    }

    fn mint(claims: &serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    fn valid() -> serde_json::Value {
        json!({
            "iss": "https://idp.example", "aud": "oms-order-capture", "sub": "alice",
            "tenant_id": "acme", "scope": "orders:read orders:write", "exp": now() + 300,
        })
    }

    #[test]
    fn a_valid_token_maps_its_claims_to_the_caller() {
        let verifier = JwtVerifier::from_config(&config()).unwrap();
        let caller = verifier.caller(&mint(&valid())).unwrap();
        assert_eq!(caller.tenant_id, "acme");
        assert_eq!(caller.subject, "alice");
        assert!(caller.has_scope("orders:write"));
        assert!(!caller.is_operator());
        let mut with_scp = valid();
        with_scp["scope"] = json!(null);
        with_scp["scp"] = json!(["operator"]);
        assert!(verifier.caller(&mint(&with_scp)).unwrap().is_operator());
    }

    #[test]
    fn expired_foreign_unsigned_or_tenantless_tokens_are_refused() {
        let verifier = JwtVerifier::from_config(&config()).unwrap();
        let refused = |claims: serde_json::Value| {
            matches!(
                verifier.caller(&mint(&claims)),
                Err(AuthError::InvalidToken)
            )
        };
        let mut expired = valid();
        expired["exp"] = json!(now() - 60);
        assert!(refused(expired), "expired");
        let mut audience = valid();
        audience["aud"] = json!("oms-fulfillment");
        assert!(refused(audience), "wrong audience");
        let mut issuer = valid();
        issuer["iss"] = json!("https://evil.example");
        assert!(refused(issuer), "wrong issuer");
        let mut early = valid();
        early["nbf"] = json!(now() + 600);
        assert!(refused(early), "not yet valid");
        let mut tenantless = valid();
        tenantless.as_object_mut().unwrap().remove("tenant_id");
        assert!(refused(tenantless), "no tenant");
        let other_key = encode(
            &Header::new(Algorithm::HS256),
            &valid(),
            &EncodingKey::from_secret(b"another-secret-entirely-different").unwrap(),
        )
        .unwrap();
        assert!(verifier.caller(&other_key).is_err(), "bad signature");
        assert!(verifier.caller("a.b.c").is_err(), "malformed");
    }

    #[test]
    fn the_configuration_needs_one_key_and_non_empty_names() {
        let mut both = config();
        both.rs256_public_key_pem = Some("pem".into());
        assert!(matches!(
            JwtVerifier::from_config(&both),
            Err(JwtConfigError::KeyChoice)
        ));
        let mut none = config();
        none.hs256_secret = None;
        assert!(matches!(
            JwtVerifier::from_config(&none),
            Err(JwtConfigError::KeyChoice)
        ));
        let mut blank = config();
        blank.audience = " ".into();
        assert!(matches!(
            JwtVerifier::from_config(&blank),
            Err(JwtConfigError::Empty { field: "audience" })
        ));
    }

    #[test]
    fn only_three_base64url_parts_look_like_a_jwt() {
        assert!(looks_like_jwt("eyJh.eyJz.c2ln"));
        assert!(!looks_like_jwt("dev-acme-operator-token"));
        assert!(!looks_like_jwt("a.b"));
        assert!(!looks_like_jwt("a..c"));
        assert!(!looks_like_jwt("a.b.c d"));
    }
}
