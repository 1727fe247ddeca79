//! Checks of one rule's shape, once its tasks parsed: mutating work, the milestone, and
//! cross-item links that can actually apply to the rule's action (see `planner::edges`).

use oms_domain::vocab::ItemAction;

use super::error::CatalogErrorCode as Code;
use super::file::RawRule;
use super::load::Sink;
use super::model::{ActionClass, TaskTemplate, TemplateKey, action_str};

/// Rule-level shape: mutating work, milestone and cross-item links. Returns the milestone.
pub(super) fn check_rule_shape(
    path: &str,
    raw: &RawRule,
    action: ItemAction,
    tasks: &[TaskTemplate],
    sink: &mut Sink<'_>,
) -> Option<TemplateKey> {
    if tasks.len() != raw.task.len() {
        return None; // task errors already reported; shape checks would only add noise
    }
    let class = ActionClass::of(action);
    let action_name = action_str(action);
    let not_applicable =
        |sink: &mut Sink<'_>, span: &std::ops::Range<usize>, at: String, why: &str| {
            sink.at(Code::CrossItemLinkNotApplicable, span, &at, why.to_owned());
        };
    for (i, (task, raw_task)) in tasks.iter().zip(&raw.task).enumerate() {
        let at = format!("{path}.task[{i}]");
        if class == ActionClass::Context && task.mutates_externally() {
            sink.at(
                Code::NoChangeMutatingTask,
                &raw_task.external_effect_level.span(),
                &format!("{at}.external_effect_level"),
                format!(
                    "NO_CHANGE carries bundle context and must never change anything, but task \
                     `{}` has external effect {}",
                    task.key,
                    raw_task.external_effect_level.get_ref()
                ),
            );
        }
        if task.after_parent && class != ActionClass::BuildUp {
            not_applicable(
                sink,
                &raw_task.key.span(),
                format!("{at}.after_parent"),
                "after_parent only applies to build-up actions (ADD, MODIFY, MOVE, RENEW, \
                 RESUME); for DELETE/SUSPEND the parent waits for its children",
            );
        }
        if task.after_parent && raw.independent_of_parent {
            not_applicable(
                sink,
                &raw_task.key.span(),
                format!("{at}.after_parent"),
                "the rule is independent_of_parent, so no task can wait for the parent",
            );
        }
        if task.after_prerequisites && class == ActionClass::Context {
            not_applicable(
                sink,
                &raw_task.key.span(),
                format!("{at}.after_prerequisites"),
                "NO_CHANGE items take part in no cross-item ordering",
            );
        }
    }
    if raw.independent_of_parent && class != ActionClass::BuildUp {
        not_applicable(
            sink,
            &raw.action.span(),
            format!("{path}.independent_of_parent"),
            "independent_of_parent only applies to build-up actions",
        );
    }

    if class == ActionClass::Context {
        if let Some(m) = &raw.milestone {
            not_applicable(
                sink,
                &m.span(),
                format!("{path}.milestone"),
                "NO_CHANGE items have no milestone: nothing waits for them",
            );
        }
        return None;
    }
    if !tasks.iter().any(TaskTemplate::mutates_externally) {
        sink.at(
            Code::NoMutatingTask,
            &raw.action.span(),
            &format!("{path}.task"),
            format!(
                "a {action_name} rule must have at least one task with an external effect; \
                 otherwise the item would complete without anything happening"
            ),
        );
    }
    let Some(raw_milestone) = &raw.milestone else {
        sink.at(
            Code::MilestoneRequired,
            &raw.action.span(),
            &format!("{path}.milestone"),
            format!(
                "a {action_name} rule must name its milestone: the task other items wait for \
                 (its activation, or its deactivation for DELETE)"
            ),
        );
        return None;
    };
    let at = format!("{path}.milestone");
    let found = TemplateKey::parse(raw_milestone.get_ref())
        .ok()
        .and_then(|k| tasks.iter().find(|t| t.key == k));
    match found {
        None => {
            sink.at(
                Code::UnknownMilestone,
                &raw_milestone.span(),
                &at,
                format!(
                    "`{}` is not the key of a task in this rule",
                    raw_milestone.get_ref()
                ),
            );
            None
        }
        Some(t) if !t.mutates_externally() => {
            sink.at(
                Code::MilestoneNotMutating,
                &raw_milestone.span(),
                &at,
                format!(
                    "milestone `{}` has no external effect; other items must wait for a task \
                     that makes the change live",
                    t.key
                ),
            );
            None
        }
        Some(t) => Some(t.key.clone()),
    }
}
