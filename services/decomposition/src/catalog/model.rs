//! The technical catalog's rule model: a [`DecompositionRule`] maps (product offering,
//! offering version range, item action) to [`TaskTemplate`]s and the asset effect the item
//! has when done.
//!
//! Values here are valid by construction: they are only built by the loader
//! (`catalog::load`), which checks every rule before a [`super::TechnicalCatalog`] exists.
//! The invariants it guarantees (and the planner relies on):
//! - template keys are unique within a rule, and `depends_on` names keys of the same rule
//!   without a cycle;
//! - every reversible task (AUTOMATIC, MANUAL, PARTIAL) names its compensation task type,
//!   and an irreversible or non-mutating one names none;
//! - a rule for a mutating action has at least one mutating task and names its milestone,
//!   a mutating task of the rule; a NO_CHANGE rule has no mutating task.

use oms_domain::value::ProductOfferingId;
use oms_domain::vocab::{
    AssetEffect, ExternalEffectLevel, ItemAction, ItemInput, TaskReversibility,
};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::system::TargetSystem;
use crate::canonical::hash_json;

/// Key of a task template inside one rule (`reserve_port`, `activate`): lowercase ASCII
/// letters, digits and `_`, starting with a letter, at most 40 characters. Stable across
/// rules versions, so a re-decomposition can tell "the same step" apart from a new one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TemplateKey(String);

/// A task type such as `RESERVE_ACCESS_PORT` or a compensation such as `RELEASE_IP`:
/// uppercase ASCII letters, digits and `_`, starting with a letter, at most 80 characters
/// (the `varchar(80)` of the task tables, 004 §11).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskType(String);

macro_rules! checked_name {
    ($name:ident, $max:literal, $first:expr, $rest:expr, $what:literal) => {
        impl $name {
            /// Longest accepted value.
            pub const MAX_LEN: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, String> {
                let mut chars = raw.chars();
                let first_ok = chars.next().is_some_and($first);
                if !first_ok || !chars.all($rest) || raw.len() > $max {
                    return Err(format!(
                        "`{raw}` is not a valid {}: {}",
                        $what,
                        concat!("expected ", $what, " syntax, at most ", $max, " characters")
                    ));
                }
                Ok(Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}

checked_name!(
    TemplateKey,
    40,
    |c: char| c.is_ascii_lowercase(),
    |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_',
    "template key (lower_snake_case)"
);
checked_name!(
    TaskType,
    80,
    |c: char| c.is_ascii_uppercase(),
    |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_',
    "task type (SCREAMING_SNAKE_CASE)"
);

/// Inclusive range of product offering versions a rule applies to; `to = None` means
/// "this version and every later one".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct VersionRange {
    pub from: u32,
    pub to: Option<u32>,
}

impl VersionRange {
    /// `from >= 1` and `to >= from`; offering versions are positive (capture refuses 0).
    pub fn new(from: u32, to: Option<u32>) -> Result<Self, String> {
        if from == 0 {
            return Err("`from` must be at least 1 (offering versions are positive)".into());
        }
        if let Some(to) = to
            && to < from
        {
            return Err(format!("`to` ({to}) is lower than `from` ({from})"));
        }
        Ok(Self { from, to })
    }

    pub fn contains(self, version: u32) -> bool {
        version >= self.from && self.to.is_none_or(|to| version <= to)
    }

    pub fn overlaps(self, other: Self) -> bool {
        let below = |a: Self, b: Self| a.to.is_some_and(|to| to < b.from);
        !below(self, other) && !below(other, self)
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(to) if to == self.from => write!(f, "{}", self.from),
            Some(to) => write!(f, "{}..={to}", self.from),
            None => write!(f, "{}..", self.from),
        }
    }
}

/// One step of an item's fulfillment, as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskTemplate {
    pub key: TemplateKey,
    pub task_type: TaskType,
    pub target_system: TargetSystem,
    /// Keys of tasks of the same item that must complete first.
    pub depends_on: Vec<TemplateKey>,
    /// For a build-up child item (see `planner::edges`): this task waits for the parent
    /// item's milestone task. If no task of a rule sets it, the rule's milestone waits.
    pub after_parent: bool,
    /// This task waits for the milestone of every item the order declares as this item's
    /// prerequisite. If no task of a rule sets it, the rule's milestone waits.
    pub after_prerequisites: bool,
    pub reversibility: TaskReversibility,
    pub external_effect_level: ExternalEffectLevel,
    /// Task type that undoes this one (e.g. `RELEASE_RESERVATION`); present exactly when
    /// the task is reversible.
    pub compensation: Option<TaskType>,
    /// The item inputs the task uses (its id derives from them only); `None`: all inputs.
    /// Left out of the digest when absent, so templates that do not declare it keep the
    /// ids they always had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<ItemInput>>,
}

impl TaskTemplate {
    /// Whether the task changes anything outside our systems. Derived from the effect
    /// level rather than stated separately, so the two can never disagree: a task with
    /// `NO_EXTERNAL_EFFECT` (a serviceability check) only reads.
    pub fn mutates_externally(&self) -> bool {
        self.external_effect_level != ExternalEffectLevel::NoExternalEffect
    }

    pub fn is_reversible(&self) -> bool {
        self.reversibility != TaskReversibility::None
    }

    /// Content digest of the template: part of every planned task's identity, so a task
    /// keeps its id across rules versions exactly as long as its template is unchanged.
    pub fn digest(&self) -> String {
        hash_json("oms.decomposition.task-template.v1", self)
    }

    pub fn uses(&self, input: ItemInput) -> bool {
        self.inputs.as_ref().is_none_or(|i| i.contains(&input))
    }
}

/// How an action relates to the installed base, which decides the direction of the
/// parent/child edges in a plan (see `planner::edges`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionClass {
    /// ADD, MODIFY, MOVE, RENEW, RESUME: the child builds on a parent that must be live.
    BuildUp,
    /// DELETE, SUSPEND: children are taken down before the parent they hang off.
    TearDown,
    /// NO_CHANGE: bundle context only.
    Context,
}

impl ActionClass {
    pub fn of(action: ItemAction) -> Self {
        match action {
            ItemAction::Delete | ItemAction::Suspend => Self::TearDown,
            ItemAction::NoChange => Self::Context,
            ItemAction::Add
            | ItemAction::Modify
            | ItemAction::Move
            | ItemAction::Renew
            | ItemAction::Resume => Self::BuildUp,
        }
    }
}

/// Rule for one (offering, version range, action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecompositionRule {
    pub offering_id: ProductOfferingId,
    pub versions: VersionRange,
    pub action: ItemAction,
    /// Effect on the installed base when the item is done: the action's own effect, or
    /// `NONE` for one-off services that leave no asset (an on-site installation).
    pub asset_effect: AssetEffect,
    /// The task whose completion means the item's change is live (its activation for ADD,
    /// its deactivation for DELETE). Other items wait for it. `None` only for NO_CHANGE.
    pub milestone: Option<TemplateKey>,
    /// A child whose work is a prerequisite of its parent rather than a dependent (the
    /// on-site installation the access activation waits for): no parent edge is added.
    pub independent_of_parent: bool,
    /// In file order; the order is the planner's tie-break, never a dependency.
    pub tasks: Vec<TaskTemplate>,
    /// Free text for operators.
    pub description: Option<String>,
}

impl DecompositionRule {
    pub fn task(&self, key: &TemplateKey) -> Option<&TaskTemplate> {
        self.tasks.iter().find(|t| &t.key == key)
    }

    /// Human label used in errors and remediation texts: `po-static-ip 1.. ADD`.
    pub fn label(&self) -> String {
        format!(
            "{} {} {}",
            self.offering_id,
            self.versions,
            action_str(self.action)
        )
    }
}

/// The SCREAMING_SNAKE spelling of an action, as in events and catalog files.
pub fn action_str(action: ItemAction) -> &'static str {
    match action {
        ItemAction::Add => "ADD",
        ItemAction::Modify => "MODIFY",
        ItemAction::Delete => "DELETE",
        ItemAction::Suspend => "SUSPEND",
        ItemAction::Resume => "RESUME",
        ItemAction::Move => "MOVE",
        ItemAction::Renew => "RENEW",
        ItemAction::NoChange => "NO_CHANGE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(TemplateKey::parse("reserve_port").is_ok());
        assert!(TemplateKey::parse("Reserve").is_err());
        assert!(TemplateKey::parse("1st").is_err());
        assert!(TemplateKey::parse("").is_err());
        assert!(TemplateKey::parse(&"a".repeat(41)).is_err());
        assert!(TaskType::parse("RELEASE_IP").is_ok());
        assert!(TaskType::parse("release_ip").is_err());
        assert!(TaskType::parse("RELEASE IP").is_err());
    }

    #[test]
    fn version_ranges_contain_and_overlap() {
        let open = VersionRange::new(2, None).unwrap();
        let closed = VersionRange::new(1, Some(1)).unwrap();
        assert!(open.contains(2) && open.contains(99) && !open.contains(1));
        assert!(closed.contains(1) && !closed.contains(2));
        assert!(!open.overlaps(closed) && !closed.overlaps(open));
        assert!(open.overlaps(VersionRange::new(1, Some(2)).unwrap()));
        assert!(open.overlaps(VersionRange::new(5, None).unwrap()));
        assert!(VersionRange::new(0, None).is_err());
        assert!(VersionRange::new(3, Some(2)).is_err());
        assert_eq!(open.to_string(), "2..");
        assert_eq!(closed.to_string(), "1");
        assert_eq!(VersionRange::new(1, Some(3)).unwrap().to_string(), "1..=3");
    }

    #[test]
    fn action_classes_follow_the_installed_base_effect() {
        for action in ItemAction::ALL {
            let class = ActionClass::of(action);
            assert_eq!(class == ActionClass::Context, !action.is_mutating());
            assert_eq!(
                class == ActionClass::TearDown,
                matches!(action, ItemAction::Delete | ItemAction::Suspend)
            );
        }
    }
}
