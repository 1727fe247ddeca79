//! Identity of a published set of rules: a monotonically increasing number plus a content
//! hash.
//!
//! Published versions are immutable: the number names them for operators, the content hash
//! proves which rules a plan was built from. The hash covers the rules only (not the
//! number or the description), so re-publishing identical rules under a new number is
//! visible as such, and the service can refuse a number that is re-used with other content.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Version of the technical catalog a plan was built with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesVersion {
    /// 1, 2, 3, ...: each published version is higher than the one before.
    pub number: u32,
    /// SHA-256 (hex) of the canonical form of the rules.
    pub content_hash: String,
}

impl RulesVersion {
    /// Characters of the content hash shown in the label.
    const SHORT_HASH: usize = 12;

    /// `v<number>+<first 12 hex of the content hash>` (semver build-metadata style), e.g.
    /// `v1+3f9a2c71b0d4`: the string plans and events carry as `rulesVersion`.
    pub fn label(&self) -> String {
        let short = self
            .content_hash
            .get(..Self::SHORT_HASH)
            .unwrap_or(&self.content_hash);
        format!("v{}+{short}", self.number)
    }
}

impl fmt::Display for RulesVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_is_number_and_short_hash() {
        let v = RulesVersion {
            number: 3,
            content_hash: "3f9a2c71b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e".into(),
        };
        assert_eq!(v.label(), "v3+3f9a2c71b0d4");
        assert_eq!(v.to_string(), v.label());
    }
}
