//! Loading a catalog file: TOML text -> checked [`TechnicalCatalog`], or every problem
//! found, each with a stable code, a line and column, and a path.
//!
//! Steps: parse (syntax, unknown fields, types) -> header -> each `[[rule]]` (offerings,
//! versions, action, asset effect, then its tasks in `validate`) -> overlapping rules
//! across the file -> expand multi-offering rules into one [`DecompositionRule`] per
//! offering -> content hash. Nothing is returned unless the whole file is clean: a
//! half-loaded catalog would decompose some orders with a rule set nobody published.

use oms_domain::value::ProductOfferingId;
use oms_domain::vocab::{AssetEffect, ItemAction};
use serde::de::DeserializeOwned;
use std::ops::Range;

use super::error::{CatalogError, CatalogErrorCode as Code, CatalogErrors, Location};
use super::file::{RawCatalog, RawHeader, RawRule};
use super::lookup::TechnicalCatalog;
use super::model::{DecompositionRule, TaskTemplate, TemplateKey, VersionRange, action_str};
use super::version::RulesVersion;
use super::{shape, validate};
use crate::canonical::hash_json;

/// Format tag of the rules content hash (see `canonical`).
const RULES_HASH_TAG: &str = "oms.decomposition.rules.v1";

impl TechnicalCatalog {
    /// Parses and validates a catalog file. `source_name` (a path, or e.g. `operator API`)
    /// only labels the errors.
    pub fn from_toml(source_name: &str, text: &str) -> Result<Self, CatalogErrors> {
        load(source_name, text)
    }
}

/// Collects positioned errors while loading.
pub(super) struct Sink<'a> {
    text: &'a str,
    errors: Vec<CatalogError>,
}

impl Sink<'_> {
    pub(super) fn at(&mut self, code: Code, span: &Range<usize>, path: &str, message: String) {
        self.errors.push(CatalogError {
            code,
            location: Some(Location::of_offset(self.text, span.start)),
            path: path.to_owned(),
            message,
        });
    }

    pub(super) fn count(&self) -> usize {
        self.errors.len()
    }
}

/// A rule whose own fields are valid, before expansion per offering.
struct ParsedRule {
    path: String,
    offerings: Vec<(ProductOfferingId, Range<usize>)>,
    versions: VersionRange,
    action: ItemAction,
    asset_effect: AssetEffect,
    milestone: Option<TemplateKey>,
    independent_of_parent: bool,
    tasks: Vec<TaskTemplate>,
    description: Option<String>,
}

fn load(source_name: &str, text: &str) -> Result<TechnicalCatalog, CatalogErrors> {
    let raw: RawCatalog = toml::from_str(text).map_err(|e| CatalogErrors {
        source_name: source_name.to_owned(),
        errors: vec![CatalogError {
            code: Code::CatalogSyntax,
            location: e.span().map(|s| Location::of_offset(text, s.start)),
            path: String::new(),
            message: e.message().trim().to_owned(),
        }],
    })?;
    let mut sink = Sink {
        text,
        errors: Vec::new(),
    };
    let number = header_version(&raw.catalog, &mut sink);
    if raw.rule.is_empty() {
        sink.errors.push(CatalogError {
            code: Code::EmptyCatalog,
            location: None,
            path: "rule".into(),
            message: "the catalog has no [[rule]]; an empty rules version would fail every order"
                .into(),
        });
    }
    let parsed: Vec<ParsedRule> = raw
        .rule
        .iter()
        .enumerate()
        .filter_map(|(i, r)| parse_rule(i, r, &mut sink))
        .collect();
    check_overlaps(&parsed, &mut sink);
    if sink.count() > 0 {
        let mut errors = sink.errors;
        errors.sort_by_key(|e| e.location);
        return Err(CatalogErrors {
            source_name: source_name.to_owned(),
            errors,
        });
    }
    let rules: Vec<DecompositionRule> = parsed.into_iter().flat_map(expand).collect();
    let version = RulesVersion {
        number: number.unwrap_or(0),
        content_hash: content_hash(&rules),
    };
    Ok(TechnicalCatalog::from_validated(
        version,
        raw.catalog.description,
        rules,
    ))
}

fn header_version(header: &RawHeader, sink: &mut Sink<'_>) -> Option<u32> {
    let raw = *header.version.get_ref();
    let number = u32::try_from(raw).ok().filter(|n| *n > 0);
    if number.is_none() {
        sink.at(
            Code::InvalidCatalogVersion,
            &header.version.span(),
            "catalog.version",
            format!("{raw} is not a positive version number (1, 2, 3, ...)"),
        );
    }
    number
}

/// Parses an enum of the domain vocabulary from its SCREAMING_SNAKE spelling.
pub(super) fn vocab<T: DeserializeOwned>(raw: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
}

fn parse_rule(index: usize, raw: &RawRule, sink: &mut Sink<'_>) -> Option<ParsedRule> {
    let path = format!("rule[{index}]");
    let errors_before = sink.count();

    let mut offerings = Vec::new();
    if raw.offerings.get_ref().is_empty() {
        sink.at(
            Code::NoOfferings,
            &raw.offerings.span(),
            &format!("{path}.offerings"),
            "a rule must name at least one product offering id".into(),
        );
    }
    for (j, offering) in raw.offerings.get_ref().iter().enumerate() {
        let at = format!("{path}.offerings[{j}]");
        let text = offering.get_ref();
        if text.trim().is_empty() {
            sink.at(
                Code::EmptyOfferingId,
                &offering.span(),
                &at,
                "offering id is blank".into(),
            );
            continue;
        }
        match ProductOfferingId::parse(text) {
            Ok(id) => offerings.push((id, offering.span())),
            Err(e) => sink.at(
                Code::InvalidOfferingId,
                &offering.span(),
                &at,
                e.to_string(),
            ),
        }
    }

    let versions = raw.versions.get_ref();
    let range = match (
        u32::try_from(versions.from),
        versions.to.map(u32::try_from).transpose(),
    ) {
        (Ok(from), Ok(to)) => VersionRange::new(from, to),
        _ => Err("versions must be between 1 and 4294967295".to_owned()),
    };
    let range = range
        .map_err(|message| {
            sink.at(
                Code::InvalidVersionRange,
                &raw.versions.span(),
                &format!("{path}.versions"),
                message,
            );
        })
        .ok();

    let action = ItemAction::ALL
        .into_iter()
        .find(|a| action_str(*a) == raw.action.get_ref().as_str());
    if action.is_none() {
        let known: Vec<&str> = ItemAction::ALL.into_iter().map(action_str).collect();
        sink.at(
            Code::UnknownAction,
            &raw.action.span(),
            &format!("{path}.action"),
            format!(
                "unknown action `{}`; expected one of {}",
                raw.action.get_ref(),
                known.join(", ")
            ),
        );
    }

    let tasks = validate::parse_tasks(&path, &raw.task, sink);
    let action = action?;
    let asset_effect = asset_effect(&path, raw, action, sink);
    let milestone = shape::check_rule_shape(&path, raw, action, &tasks, sink);
    if sink.count() > errors_before {
        return None;
    }
    Some(ParsedRule {
        path,
        offerings,
        versions: range?,
        action,
        asset_effect: asset_effect?,
        milestone,
        independent_of_parent: raw.independent_of_parent,
        tasks,
        description: raw.description.clone(),
    })
}

const ASSET_EFFECTS: &str = "CREATE, MODIFY, TERMINATE, SUSPEND, RESUME, MOVE, RENEW, NONE";

/// The stated asset effect, or the action's own one. Only the action's effect or NONE (a
/// one-off service that leaves no asset) are accepted; NO_CHANGE is always NONE.
fn asset_effect(
    path: &str,
    raw: &RawRule,
    action: ItemAction,
    sink: &mut Sink<'_>,
) -> Option<AssetEffect> {
    let expected = action.expected_effect();
    let Some(stated) = &raw.asset_effect else {
        return Some(expected);
    };
    let at = format!("{path}.asset_effect");
    let Some(effect) = vocab::<AssetEffect>(stated.get_ref()) else {
        sink.at(
            Code::UnknownAssetEffect,
            &stated.span(),
            &at,
            format!(
                "unknown asset effect `{}`; expected one of {ASSET_EFFECTS}",
                stated.get_ref()
            ),
        );
        return None;
    };
    if effect != expected && effect != AssetEffect::None {
        sink.at(
            Code::AssetEffectMismatch,
            &stated.span(),
            &at,
            format!(
                "a {} item has asset effect {} (or NONE for a one-off service), not {}",
                action_str(action),
                vocab_str(&expected),
                stated.get_ref()
            ),
        );
        return None;
    }
    Some(effect)
}

/// SCREAMING_SNAKE spelling of a vocabulary value.
pub(super) fn vocab_str<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Two rules for the same offering and action may not cover the same version: the planner
/// must never have to choose.
fn check_overlaps(rules: &[ParsedRule], sink: &mut Sink<'_>) {
    for (b, later) in rules.iter().enumerate() {
        for (j, (offering, span)) in later.offerings.iter().enumerate() {
            let earlier_in_file = rules[..b].iter().find(|r| {
                r.action == later.action
                    && r.versions.overlaps(later.versions)
                    && r.offerings.iter().any(|(o, _)| o == offering)
            });
            let earlier_in_rule = later.offerings[..j].iter().any(|(o, _)| o == offering);
            let clash = match (earlier_in_file, earlier_in_rule) {
                (Some(r), _) => format!(
                    "{} versions {} overlap versions {} of {}",
                    action_str(later.action),
                    later.versions,
                    r.versions,
                    r.path
                ),
                (None, true) => "listed twice in the same rule".to_owned(),
                (None, false) => continue,
            };
            sink.at(
                Code::DuplicateRule,
                span,
                &format!("{}.offerings[{j}]", later.path),
                format!("offering `{offering}`: {clash}; exactly one rule may apply"),
            );
        }
    }
}

fn expand(rule: ParsedRule) -> Vec<DecompositionRule> {
    rule.offerings
        .into_iter()
        .map(|(offering_id, _)| DecompositionRule {
            offering_id,
            versions: rule.versions,
            action: rule.action,
            asset_effect: rule.asset_effect,
            milestone: rule.milestone.clone(),
            independent_of_parent: rule.independent_of_parent,
            tasks: rule.tasks.clone(),
            description: rule.description.clone(),
        })
        .collect()
}

/// Hash of the rules' behaviour: sorted rules without their operator descriptions.
fn content_hash(rules: &[DecompositionRule]) -> String {
    let mut canonical: Vec<DecompositionRule> = rules
        .iter()
        .cloned()
        .map(|mut r| {
            r.description = None;
            r
        })
        .collect();
    canonical.sort_by(|a, b| {
        (&a.offering_id, a.action, a.versions).cmp(&(&b.offering_id, b.action, b.versions))
    });
    hash_json(RULES_HASH_TAG, &canonical)
}
