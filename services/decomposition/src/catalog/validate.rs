//! Checks of one rule's tasks: names, vocabulary, dependencies inside the rule (known keys,
//! no cycle) and compensation. The rule's overall shape is checked in `shape`. See `model`
//! for the invariants these establish.

use oms_domain::vocab::{ExternalEffectLevel, ItemInput, TaskReversibility};
use std::collections::BTreeMap;

use super::error::CatalogErrorCode as Code;
use super::file::RawTask;
use super::load::{Sink, vocab};
use super::model::{TaskTemplate, TaskType, TemplateKey};
use super::system::TargetSystem;
use crate::graph::find_cycle;

const REVERSIBILITIES: &str = "NONE, AUTOMATIC, MANUAL, PARTIAL";
const EFFECT_LEVELS: &str = "NO_EXTERNAL_EFFECT, RESERVATION_ONLY, CUSTOMER_VISIBLE, \
                             BILLING_VISIBLE, NETWORK_VISIBLE, LEGAL_VISIBLE";

/// Parses the tasks of one rule. Returns every task only if all of them are valid (so the
/// caller's indices line up with the file); errors go to the sink.
pub(super) fn parse_tasks(path: &str, raw: &[RawTask], sink: &mut Sink<'_>) -> Vec<TaskTemplate> {
    let before = sink.count();
    // First the keys, so dependencies can be resolved against all of them.
    let mut index_of: BTreeMap<TemplateKey, usize> = BTreeMap::new();
    let mut keys: Vec<Option<TemplateKey>> = Vec::with_capacity(raw.len());
    for (i, task) in raw.iter().enumerate() {
        let at = format!("{path}.task[{i}].key");
        let key = match TemplateKey::parse(task.key.get_ref()) {
            Ok(key) => key,
            Err(message) => {
                sink.at(Code::InvalidTaskKey, &task.key.span(), &at, message);
                keys.push(None);
                continue;
            }
        };
        if let Some(first) = index_of.get(&key) {
            sink.at(
                Code::DuplicateTaskKey,
                &task.key.span(),
                &at,
                format!("key `{key}` is already used by {path}.task[{first}]"),
            );
        } else {
            index_of.insert(key.clone(), i);
        }
        keys.push(Some(key));
    }

    let mut tasks = Vec::with_capacity(raw.len());
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(raw.len());
    for (i, (task, key)) in raw.iter().zip(keys).enumerate() {
        let task_path = format!("{path}.task[{i}]");
        let mut depends_on = Vec::new();
        let mut dep_indices = Vec::new();
        for (j, dep) in task.depends_on.iter().enumerate() {
            match TemplateKey::parse(dep.get_ref())
                .ok()
                .and_then(|k| index_of.get(&k).map(|idx| (k, *idx)))
            {
                Some((k, idx)) => {
                    if !depends_on.contains(&k) {
                        depends_on.push(k);
                        dep_indices.push(idx);
                    }
                }
                None => sink.at(
                    Code::UnknownDependency,
                    &dep.span(),
                    &format!("{task_path}.depends_on[{j}]"),
                    format!(
                        "`{}` is not the key of a task in this rule (depends_on only names \
                         tasks of the same item; use after_parent / after_prerequisites for \
                         other items)",
                        dep.get_ref()
                    ),
                ),
            }
        }
        deps.push(dep_indices);
        if let Some(template) = parse_task(&task_path, task, key, depends_on, sink) {
            tasks.push(template);
        }
    }

    if let Some(cycle) = find_cycle(&deps) {
        let names: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|i| format!("`{}`", raw[*i].key.get_ref()))
            .collect();
        let first = &raw[cycle[0]];
        sink.at(
            Code::DependencyCycle,
            &first.key.span(),
            &format!("{path}.task[{}].depends_on", cycle[0]),
            format!(
                "tasks wait for each other in a cycle: {} (each waits for the next)",
                names.join(" -> ")
            ),
        );
    }
    if sink.count() > before {
        return Vec::new();
    }
    tasks
}

/// One task's own fields; its key and dependencies were resolved by the caller (`key` is
/// `None` when it was invalid, which is already reported).
fn parse_task(
    path: &str,
    raw: &RawTask,
    key: Option<TemplateKey>,
    depends_on: Vec<TemplateKey>,
    sink: &mut Sink<'_>,
) -> Option<TaskTemplate> {
    let task_type = TaskType::parse(raw.task_type.get_ref())
        .map_err(|m| {
            sink.at(
                Code::InvalidTaskType,
                &raw.task_type.span(),
                &format!("{path}.type"),
                m,
            );
        })
        .ok();
    let system = TargetSystem::parse(raw.system.get_ref());
    if system.is_none() {
        let known: Vec<&str> = TargetSystem::ALL
            .into_iter()
            .map(TargetSystem::as_str)
            .collect();
        sink.at(
            Code::UnknownSystem,
            &raw.system.span(),
            &format!("{path}.system"),
            format!(
                "unknown target system `{}`; expected one of {} (the list is closed: \
                 fulfillment has an adapter for exactly these)",
                raw.system.get_ref(),
                known.join(", ")
            ),
        );
    }
    let reversibility = vocab::<TaskReversibility>(raw.reversibility.get_ref());
    if reversibility.is_none() {
        sink.at(
            Code::UnknownReversibility,
            &raw.reversibility.span(),
            &format!("{path}.reversibility"),
            format!(
                "unknown reversibility `{}`; expected one of {REVERSIBILITIES}",
                raw.reversibility.get_ref()
            ),
        );
    }
    let effect = vocab::<ExternalEffectLevel>(raw.external_effect_level.get_ref());
    if effect.is_none() {
        sink.at(
            Code::UnknownEffectLevel,
            &raw.external_effect_level.span(),
            &format!("{path}.external_effect_level"),
            format!(
                "unknown external effect level `{}`; expected one of {EFFECT_LEVELS}",
                raw.external_effect_level.get_ref()
            ),
        );
    }
    let compensation = match &raw.compensation {
        Some(c) => Some(
            TaskType::parse(c.get_ref())
                .map_err(|m| {
                    sink.at(
                        Code::InvalidTaskType,
                        &c.span(),
                        &format!("{path}.compensation"),
                        m,
                    );
                })
                .ok()?,
        ),
        None => None,
    };
    let inputs = match &raw.inputs {
        None => None,
        Some(list) => {
            let mut parsed: Vec<ItemInput> = Vec::with_capacity(list.len());
            let mut ok = true;
            for (k, raw_input) in list.iter().enumerate() {
                match ItemInput::parse(raw_input.get_ref()) {
                    Some(input) if !parsed.contains(&input) => parsed.push(input),
                    found => {
                        ok = false;
                        let known: Vec<&str> =
                            ItemInput::ALL.into_iter().map(ItemInput::as_str).collect();
                        sink.at(
                            Code::UnknownInput,
                            &raw_input.span(),
                            &format!("{path}.inputs[{k}]"),
                            if found.is_some() {
                                format!("input `{}` is named twice", raw_input.get_ref())
                            } else {
                                format!(
                                    "unknown item input `{}`; expected one of {}",
                                    raw_input.get_ref(),
                                    known.join(", ")
                                )
                            },
                        );
                    }
                }
            }
            ok.then_some(parsed)
        }
    };
    let (key, task_type, target_system, reversibility, external_effect_level) =
        (key?, task_type?, system?, reversibility?, effect?);
    let inputs = if raw.inputs.is_some() {
        Some(inputs?)
    } else {
        None
    };
    let template = TaskTemplate {
        key,
        task_type,
        target_system,
        depends_on,
        after_parent: raw.after_parent,
        after_prerequisites: raw.after_prerequisites,
        reversibility,
        external_effect_level,
        compensation,
        inputs,
    };
    check_compensation(path, raw, &template, sink);
    Some(template)
}

/// Reversible <=> names a compensation; a task without external effect undoes nothing.
fn check_compensation(path: &str, raw: &RawTask, t: &TaskTemplate, sink: &mut Sink<'_>) {
    let name = raw.key.get_ref();
    if !t.mutates_externally() && t.is_reversible() {
        sink.at(
            Code::NonMutatingTaskReversible,
            &raw.reversibility.span(),
            &format!("{path}.reversibility"),
            format!(
                "task `{name}` has NO_EXTERNAL_EFFECT, so there is nothing to reverse: use \
                 reversibility = \"NONE\""
            ),
        );
        return;
    }
    match (&t.compensation, &raw.compensation) {
        (None, _) if t.is_reversible() => sink.at(
            Code::MissingCompensation,
            &raw.reversibility.span(),
            &format!("{path}.compensation"),
            format!(
                "task `{name}` is {} but names no compensation task type; cancellation \
                 would not know how to undo it",
                raw.reversibility.get_ref()
            ),
        ),
        (Some(_), Some(c)) if !t.is_reversible() => sink.at(
            Code::UnexpectedCompensation,
            &c.span(),
            &format!("{path}.compensation"),
            format!(
                "task `{name}` is irreversible (NONE) but names compensation `{}`; make it \
                 AUTOMATIC, MANUAL or PARTIAL, or drop the compensation",
                c.get_ref()
            ),
        ),
        _ => {}
    }
}
