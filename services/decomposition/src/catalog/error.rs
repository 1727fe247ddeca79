//! Load errors of a catalog file: a stable code, where in the file (line and column, and a
//! path such as `rule[3].task[1].depends_on[0]`), and a message an operator can act on.
//!
//! The loader reports every problem it finds in one pass (not just the first), so an
//! operator fixes a file in one round trip. Codes are part of the operator API: never
//! rename one, add a new one instead.

use std::fmt;

/// Stable code of a catalog load error. Spelled SCREAMING_SNAKE_CASE by [`Self::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CatalogErrorCode {
    /// Not valid TOML, a missing or unknown field, or a value of the wrong type.
    CatalogSyntax,
    /// `[catalog] version` is not a positive 32-bit number.
    InvalidCatalogVersion,
    /// The file has no `[[rule]]`.
    EmptyCatalog,
    /// A rule's `offerings` list is empty.
    NoOfferings,
    /// An offering id is blank.
    EmptyOfferingId,
    /// An offering id is too long or contains control characters.
    InvalidOfferingId,
    /// `versions` has `from < 1`, `to < from`, or values out of range.
    InvalidVersionRange,
    /// `action` is not one of ADD, MODIFY, DELETE, SUSPEND, RESUME, MOVE, RENEW, NO_CHANGE.
    UnknownAction,
    /// `asset_effect` is not an asset effect.
    UnknownAssetEffect,
    /// `asset_effect` is neither the action's own effect nor NONE (NO_CHANGE: only NONE).
    AssetEffectMismatch,
    /// Two rules for the same offering and action have overlapping version ranges.
    DuplicateRule,
    /// A task `key` is not lower_snake_case (at most 40 characters).
    InvalidTaskKey,
    /// Two tasks of one rule share a key.
    DuplicateTaskKey,
    /// A task `type` or `compensation` is not SCREAMING_SNAKE_CASE (at most 80 characters).
    InvalidTaskType,
    /// `system` is not one of the five downstream systems.
    UnknownSystem,
    /// `reversibility` is not NONE, AUTOMATIC, MANUAL or PARTIAL.
    UnknownReversibility,
    /// `external_effect_level` is not an external effect level.
    UnknownEffectLevel,
    /// `inputs` names something that is not an item input, or names one twice.
    UnknownInput,
    /// `depends_on` names a key that is not a task of the same rule.
    UnknownDependency,
    /// The tasks of one rule depend on each other in a cycle (or a task on itself).
    DependencyCycle,
    /// A reversible task (AUTOMATIC, MANUAL, PARTIAL) names no `compensation`.
    MissingCompensation,
    /// An irreversible (NONE) or non-mutating task names a `compensation`.
    UnexpectedCompensation,
    /// A task with NO_EXTERNAL_EFFECT is declared reversible: there is nothing to undo.
    NonMutatingTaskReversible,
    /// A rule for a mutating action has no task with an external effect.
    NoMutatingTask,
    /// A NO_CHANGE rule has a task with an external effect.
    NoChangeMutatingTask,
    /// A rule for a mutating action names no `milestone`.
    MilestoneRequired,
    /// `milestone` names a key that is not a task of the rule.
    UnknownMilestone,
    /// `milestone` names a task without external effect.
    MilestoneNotMutating,
    /// A cross-item link that cannot apply: `after_parent`/`independent_of_parent` outside a
    /// build-up rule, both in one rule, or any cross-item link on a NO_CHANGE rule.
    CrossItemLinkNotApplicable,
}

impl CatalogErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CatalogSyntax => "CATALOG_SYNTAX",
            Self::InvalidCatalogVersion => "INVALID_CATALOG_VERSION",
            Self::EmptyCatalog => "EMPTY_CATALOG",
            Self::NoOfferings => "NO_OFFERINGS",
            Self::EmptyOfferingId => "EMPTY_OFFERING_ID",
            Self::InvalidOfferingId => "INVALID_OFFERING_ID",
            Self::InvalidVersionRange => "INVALID_VERSION_RANGE",
            Self::UnknownAction => "UNKNOWN_ACTION",
            Self::UnknownAssetEffect => "UNKNOWN_ASSET_EFFECT",
            Self::AssetEffectMismatch => "ASSET_EFFECT_MISMATCH",
            Self::DuplicateRule => "DUPLICATE_RULE",
            Self::InvalidTaskKey => "INVALID_TASK_KEY",
            Self::DuplicateTaskKey => "DUPLICATE_TASK_KEY",
            Self::InvalidTaskType => "INVALID_TASK_TYPE",
            Self::UnknownSystem => "UNKNOWN_SYSTEM",
            Self::UnknownReversibility => "UNKNOWN_REVERSIBILITY",
            Self::UnknownEffectLevel => "UNKNOWN_EFFECT_LEVEL",
            Self::UnknownInput => "UNKNOWN_INPUT",
            Self::UnknownDependency => "UNKNOWN_DEPENDENCY",
            Self::DependencyCycle => "DEPENDENCY_CYCLE",
            Self::MissingCompensation => "MISSING_COMPENSATION",
            Self::UnexpectedCompensation => "UNEXPECTED_COMPENSATION",
            Self::NonMutatingTaskReversible => "NON_MUTATING_TASK_REVERSIBLE",
            Self::NoMutatingTask => "NO_MUTATING_TASK",
            Self::NoChangeMutatingTask => "NO_CHANGE_MUTATING_TASK",
            Self::MilestoneRequired => "MILESTONE_REQUIRED",
            Self::UnknownMilestone => "UNKNOWN_MILESTONE",
            Self::MilestoneNotMutating => "MILESTONE_NOT_MUTATING",
            Self::CrossItemLinkNotApplicable => "CROSS_ITEM_LINK_NOT_APPLICABLE",
        }
    }
}

impl fmt::Display for CatalogErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// 1-based position in the catalog text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Line and column (in characters) of a byte offset into `text`.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        Self { line, column }
    }
}

/// One problem in a catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub code: CatalogErrorCode,
    /// Where the offending value starts, when the parser could tell.
    pub location: Option<Location>,
    /// Path of the value, e.g. `rule[3].task[1].system` (0-based indices, in file order).
    pub path: String,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(Location { line, column }) = self.location {
            write!(f, "{line}:{column}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Every problem found in one catalog file, in file order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.source_name, .errors))]
pub struct CatalogErrors {
    /// What was loaded: a file path, or e.g. `operator API` for a published body.
    pub source_name: String,
    pub errors: Vec<CatalogError>,
}

impl CatalogErrors {
    pub fn codes(&self) -> Vec<CatalogErrorCode> {
        self.errors.iter().map(|e| e.code).collect()
    }

    pub fn has(&self, code: CatalogErrorCode) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }
}

fn render(source_name: &str, errors: &[CatalogError]) -> String {
    let mut out = format!(
        "technical catalog {source_name} has {} error(s):",
        errors.len()
    );
    for e in errors {
        out.push_str("\n  ");
        if e.location.is_some() {
            out.push_str(source_name);
            out.push(':');
        }
        out.push_str(&e.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(
            Location::of_offset(text, 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::of_offset(text, 6),
            Location { line: 2, column: 1 }
        );
        // Columns count characters, not bytes: 'é' is two bytes.
        assert_eq!(
            Location::of_offset(text, 9),
            Location { line: 2, column: 3 }
        );
        assert_eq!(Location::of_offset(text, 999).line, 3);
    }

    #[test]
    fn rendering_names_file_position_path_and_code() {
        let errors = CatalogErrors {
            source_name: "deploy/catalog/x.toml".into(),
            errors: vec![CatalogError {
                code: CatalogErrorCode::UnknownSystem,
                location: Some(Location {
                    line: 4,
                    column: 10,
                }),
                path: "rule[0].task[1].system".into(),
                message: "unknown".into(),
            }],
        };
        assert_eq!(
            errors.to_string(),
            "technical catalog deploy/catalog/x.toml has 1 error(s):\n  \
             deploy/catalog/x.toml:4:10: rule[0].task[1].system: UNKNOWN_SYSTEM: unknown"
        );
    }
}
