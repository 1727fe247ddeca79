//! The violation model (001 §10, DOMAIN §5): `{code, path, message, severity, remediation}`.
//! Paths point into the capture intake (`items[2].targetAssetId`), which is why a rejected
//! order keeps its intake as evidence.

use serde::{Deserialize, Serialize};

use super::codes::RuleCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    /// Blocks acceptance: the order is REJECTED.
    Error,
    /// Recorded with the validated order; does not block.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    pub code: RuleCode,
    pub path: String,
    pub message: String,
    pub severity: Severity,
    pub remediation: Option<String>,
}

impl Violation {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Result of running a validation profile; ordered as the rules ran (deterministic).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    pub violations: Vec<Violation>,
}

impl ValidationReport {
    /// Valid when no violation has ERROR severity (warnings do not block).
    pub fn is_valid(&self) -> bool {
        !self.violations.iter().any(Violation::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(|v| v.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(|v| !v.is_error())
    }

    pub fn has(&self, code: RuleCode) -> bool {
        self.violations.iter().any(|v| v.code == code)
    }
}
