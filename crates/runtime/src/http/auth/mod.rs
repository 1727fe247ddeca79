//! Bearer-token authentication: who is calling, for which tenant, with which scopes.
//!
//! [`Authenticator::protect`] puts a route layer on a router: every matched route then requires
//! `Authorization: Bearer <token>`, verified by a [`TokenVerifier`]. A missing token is 401
//! `UNAUTHENTICATED` with `WWW-Authenticate: Bearer realm="oms"`; a rejected one adds
//! `error="invalid_token"`. Handlers take the verified [`Caller`] as an extractor and scope every
//! read and write to `caller.tenant_id` (that part is each service's job).
//!
//! Scopes are `<resource>:<action>` strings ([`scopes::ORDERS_READ`], [`scopes::ORDERS_WRITE`])
//! plus [`scopes::OPERATOR`] for internal/operator routes (dead-letter replay, fallout handling):
//! `router.route_layer(axum::middleware::from_fn(auth::require_operator))` before `protect`.
//!
//! # Identity providers
//!
//! [`Authenticator::from_config`] accepts the static tokens of `auth.tokens` ([`StaticTokens`]:
//! local stack, tests, machine clients) and, when `auth.jwt` is configured, the JWTs of an
//! identity provider ([`JwtVerifier`]: signature, `exp`/`nbf`, `iss`, the service's own `aud`,
//! tenant and scope claims). A token with a JWT's shape goes to the JWT verifier, any other to
//! the table. Another kind of provider implements [`TokenVerifier`] and is passed to
//! [`Authenticator::new`]; nothing else changes.

mod jwt;
mod static_tokens;

pub use jwt::{JwtConfigError, JwtVerifier, looks_like_jwt};
pub use static_tokens::StaticTokens;

use super::error::ApiError;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures::future::BoxFuture;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

/// Scope names. Convention: `<resource>:<action>`, and `operator` for operator routes.
pub mod scopes {
    /// Internal and operator routes: dead-letter replay, fallout resolution, manual holds.
    pub const OPERATOR: &str = "operator";
    /// Read orders of the caller's tenant.
    pub const ORDERS_READ: &str = "orders:read";
    /// Capture, amend and cancel orders of the caller's tenant.
    pub const ORDERS_WRITE: &str = "orders:write";
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The tenant every read and write of this request is limited to.
    pub tenant_id: String,
    /// Who is calling (user or client id), for audit.
    pub subject: String,
    pub scopes: BTreeSet<String>,
}

impl Caller {
    pub fn new<I, S>(tenant_id: impl Into<String>, subject: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            tenant_id: tenant_id.into(),
            subject: subject.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// `Ok` when the caller holds `scope`, else 403 `MISSING_SCOPE` naming it.
    pub fn require_scope(&self, scope: &str) -> Result<(), ApiError> {
        if self.has_scope(scope) {
            return Ok(());
        }
        let problem = super::Problem::new(StatusCode::FORBIDDEN, "MISSING_SCOPE")
            .detail(format!("This operation requires the `{scope}` scope."))
            .extension("requiredScope", scope);
        Err(problem.into())
    }

    pub fn is_operator(&self) -> bool {
        self.has_scope(scopes::OPERATOR)
    }

    pub fn require_operator(&self) -> Result<(), ApiError> {
        self.require_scope(scopes::OPERATOR)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Self>().cloned().ok_or_else(|| {
            // A programming error, not a client one: the route is not behind `protect`.
            ApiError::internal(
                "Caller extracted on a route that Authenticator::protect does not cover",
            )
        })
    }
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown, expired, badly signed or otherwise unacceptable: 401.
    #[error("the token is not valid")]
    InvalidToken,
    /// The verifier could not decide (identity provider unreachable): 503.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
}

/// Turns a bearer token into a [`Caller`]. Implementations must not log the token.
pub trait TokenVerifier: Send + Sync + 'static {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Caller, AuthError>>;
}

/// The verifier a service authenticates with; cheap to clone.
#[derive(Clone)]
pub struct Authenticator {
    verifier: Arc<dyn TokenVerifier>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator").finish_non_exhaustive()
    }
}

/// The static table and, when configured, the JWT verifier.
struct ConfiguredTokens {
    table: StaticTokens,
    jwt: Option<JwtVerifier>,
}

impl TokenVerifier for ConfiguredTokens {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Caller, AuthError>> {
        match &self.jwt {
            Some(jwt) if looks_like_jwt(token) => jwt.verify(token),
            _ => self.table.verify(token),
        }
    }
}

impl Authenticator {
    pub fn new(verifier: impl TokenVerifier) -> Self {
        Self {
            verifier: Arc::new(verifier),
        }
    }

    /// The static tokens of `auth.tokens` and, with `auth.jwt`, the provider's JWTs.
    pub fn from_config(config: &crate::config::AuthConfig) -> Result<Self, JwtConfigError> {
        let jwt = config
            .jwt
            .as_ref()
            .map(JwtVerifier::from_config)
            .transpose()?;
        Ok(Self::new(ConfiguredTokens {
            table: StaticTokens::from_config(config),
            jwt,
        }))
    }

    /// Requires a valid bearer token on every route of `router` (routes added later are not
    /// covered; unknown paths stay 404).
    pub fn protect<S>(&self, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        router.route_layer(axum::middleware::from_fn_with_state(
            self.clone(),
            authenticate,
        ))
    }

    /// Verifies a token taken from a request.
    pub async fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        match self.verifier.verify(token).await {
            Ok(caller) => Ok(caller),
            Err(AuthError::InvalidToken) => Err(ApiError::invalid_token()),
            Err(AuthError::Unavailable(reason)) => {
                tracing::error!(%reason, "token verification unavailable");
                Err(ApiError::unavailable(
                    "Authentication is temporarily unavailable.",
                ))
            }
        }
    }
}

/// The middleware behind [`Authenticator::protect`].
async fn authenticate(
    State(authenticator): State<Authenticator>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer_token(request.headers())?;
    let caller = authenticator.verify(token).await?;
    let span = tracing::Span::current();
    span.record("tenant_id", caller.tenant_id.as_str());
    span.record("subject", caller.subject.as_str());
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

/// Route middleware for operator routes: 403 unless the caller has the `operator` scope. Put it
/// on the router before [`Authenticator::protect`] so it runs after authentication.
pub async fn require_operator(
    caller: Caller,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    caller.require_operator()?;
    Ok(next.run(request).await)
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or_else(ApiError::missing_credentials)?
        .to_str()
        .map_err(|_| ApiError::invalid_token())?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(ApiError::missing_credentials)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::missing_credentials());
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::invalid_token());
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_tokens_are_parsed_case_insensitively() {
        assert_eq!(bearer_token(&headers("Bearer abc")).unwrap(), "abc");
        assert_eq!(bearer_token(&headers("bearer abc")).unwrap(), "abc");
        assert!(matches!(
            bearer_token(&headers("Basic dXNlcjpw")),
            Err(ApiError::Unauthorized {
                invalid_token: false,
                ..
            })
        ));
        assert!(matches!(
            bearer_token(&headers("Bearer  ")),
            Err(ApiError::Unauthorized {
                invalid_token: true,
                ..
            })
        ));
        assert!(matches!(
            bearer_token(&HeaderMap::new()),
            Err(ApiError::Unauthorized {
                invalid_token: false,
                ..
            })
        ));
    }

    #[test]
    fn require_scope_is_403_missing_scope() {
        let caller = Caller::new("tenant-a", "alice", [scopes::ORDERS_READ]);
        assert!(caller.require_scope(scopes::ORDERS_READ).is_ok());
        let error = caller.require_scope(scopes::ORDERS_WRITE).unwrap_err();
        let problem = error.to_problem();
        assert_eq!(problem.status, 403);
        assert_eq!(problem.code, "MISSING_SCOPE");
        assert_eq!(problem.extensions["requiredScope"], "orders:write");
        assert!(!caller.is_operator());
    }
}
