//! `StaticTokens`: a fixed token -> caller table from configuration (local stack, tests, and
//! machine clients in small deployments).
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time against every entry, so
//! neither response timing nor a memory dump of the table reveals a token.

use super::{AuthError, Caller, TokenVerifier};
use crate::config::AuthConfig;
use futures::future::BoxFuture;
use sha2::{Digest as _, Sha256};
use std::fmt;
use subtle::ConstantTimeEq as _;

struct Entry {
    label: String,
    digest: [u8; 32],
    caller: Caller,
}

/// Verifies bearer tokens against a configured table.
pub struct StaticTokens {
    entries: Vec<Entry>,
}

impl fmt::Debug for StaticTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels: Vec<&str> = self.entries.iter().map(|e| e.label.as_str()).collect();
        f.debug_struct("StaticTokens")
            .field("labels", &labels)
            .finish()
    }
}

impl StaticTokens {
    /// The tokens of `auth.tokens`; entries with an empty token are skipped with a warning.
    pub fn from_config(config: &AuthConfig) -> Self {
        Self::new(config.tokens.iter().map(|(label, token)| {
            let caller = Caller::new(
                token.tenant_id.clone(),
                token.subject.clone(),
                token.scopes.iter().cloned(),
            );
            (label.clone(), token.token.expose().clone(), caller)
        }))
    }

    /// A table of `(label, token, caller)`.
    pub fn new(entries: impl IntoIterator<Item = (String, String, Caller)>) -> Self {
        let mut table = Vec::new();
        for (label, token, caller) in entries {
            if token.is_empty() {
                tracing::warn!(%label, "ignoring an auth token with an empty value");
                continue;
            }
            let digest = digest(&token);
            if table.iter().any(|e: &Entry| e.digest == digest) {
                tracing::warn!(%label, "ignoring an auth token that repeats an earlier one");
                continue;
            }
            table.push(Entry {
                label,
                digest,
                caller,
            });
        }
        Self { entries: table }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn lookup(&self, token: &str) -> Option<&Caller> {
        let presented = digest(token);
        let mut found = None;
        // Compare with every entry, without stopping early.
        for entry in &self.entries {
            let equal: bool = entry.digest.ct_eq(&presented).into();
            if equal && found.is_none() {
                found = Some(&entry.caller);
            }
        }
        found
    }
}

impl TokenVerifier for StaticTokens {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Caller, AuthError>> {
        let result = self.lookup(token).cloned().ok_or(AuthError::InvalidToken);
        Box::pin(std::future::ready(result))
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> StaticTokens {
        StaticTokens::new([
            (
                "a".to_owned(),
                "token-a".to_owned(),
                Caller::new("t1", "alice", ["orders:read"]),
            ),
            (
                "b".to_owned(),
                "token-b".to_owned(),
                Caller::new("t2", "bob", ["operator"]),
            ),
            (
                "empty".to_owned(),
                String::new(),
                Caller::new("t3", "eve", ["operator"]),
            ),
        ])
    }

    #[tokio::test]
    async fn known_tokens_map_to_their_caller() {
        let tokens = table();
        assert_eq!(tokens.len(), 2, "the empty token is skipped");
        let caller = tokens.verify("token-b").await.unwrap();
        assert_eq!(caller.subject, "bob");
        assert!(caller.is_operator());
        assert!(matches!(
            tokens.verify("token-c").await,
            Err(AuthError::InvalidToken)
        ));
        assert!(matches!(
            tokens.verify("").await,
            Err(AuthError::InvalidToken)
        ));
        assert!(matches!(
            tokens.verify("token-").await,
            Err(AuthError::InvalidToken)
        ));
    }

    #[test]
    fn debug_shows_labels_only() {
        let text = format!("{:?}", table());
        assert!(
            text.contains("\"a\"") && !text.contains("token-a"),
            "{text}"
        );
    }
}
