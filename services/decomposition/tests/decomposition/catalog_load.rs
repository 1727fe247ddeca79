//! Loading catalog files: the sample loads and covers the portfolio; every validation error
//! has its stable code, the path and the line of the offending value; all errors of a file
//! come back at once; the content hash tracks behaviour only.

use oms_decomposition::catalog::{
    CatalogErrorCode as Code, CatalogErrors, TaskTemplate, TechnicalCatalog,
};
use oms_decomposition::planner::decompose;
use oms_domain::value::ProductOfferingId;
use oms_domain::vocab::{AssetEffect, ItemAction};

use crate::support::{ItemExt, item, order, sample_catalog};

/// A small valid catalog: one ADD rule with a reservation and an activation.
const BASE: &str = r#"[catalog]
version = 3

[[rule]]
offerings = ["po-x"]
versions = { from = 1 }
action = "ADD"
milestone = "activate"

[[rule.task]]
key = "reserve"
type = "RESERVE_ACCESS_PORT"
system = "INVENTORY"
reversibility = "AUTOMATIC"
external_effect_level = "RESERVATION_ONLY"
compensation = "RELEASE_RESERVATION"

[[rule.task]]
key = "activate"
type = "ACTIVATE_SERVICE"
system = "NETWORK_PROVISIONING"
depends_on = ["reserve"]
reversibility = "AUTOMATIC"
external_effect_level = "NETWORK_VISIBLE"
compensation = "DEACTIVATE_SERVICE"
"#;

fn load(text: &str) -> Result<TechnicalCatalog, CatalogErrors> {
    TechnicalCatalog::from_toml("test.toml", text)
}

fn errors_of(text: &str) -> CatalogErrors {
    load(text).expect_err("catalog should be refused")
}

/// Applies one textual edit to BASE (the `from` text must occur exactly once).
fn edited(from: &str, to: &str) -> String {
    assert_eq!(
        BASE.matches(from).count(),
        1,
        "`{from}` must occur once in BASE"
    );
    BASE.replace(from, to)
}

/// Asserts the file is refused with `code` at `path` on `line`.
fn assert_refused(text: &str, code: Code, path: &str, line: usize) {
    let errors = errors_of(text);
    let error = errors
        .errors
        .iter()
        .find(|e| e.code == code)
        .unwrap_or_else(|| panic!("no {code} in {errors}"));
    assert_eq!(error.path, path, "{errors}");
    assert_eq!(error.location.map(|l| l.line), Some(line), "{errors}");
    assert!(!error.message.is_empty());
}

#[test]
fn sample_catalog_loads_and_covers_the_portfolio() {
    use ItemAction::{Add, Delete, Modify, Move, Renew, Resume, Suspend};

    let catalog = sample_catalog();
    assert_eq!(catalog.version().number, 1);
    assert_eq!(catalog.version().content_hash.len(), 64);
    let offerings: Vec<&str> = catalog.offerings().map(ProductOfferingId::as_str).collect();
    assert_eq!(
        offerings,
        [
            "po-fiber-internet-1g",
            "po-fiber-internet-500m",
            "po-managed-router",
            "po-mobile-business-plan",
            "po-mobile-device",
            "po-onsite-installation",
            "po-premium-support",
            "po-static-ip",
        ]
    );
    let actions = |offering: &str| -> Vec<ItemAction> {
        let mut a: Vec<ItemAction> = catalog
            .rules()
            .filter(|r| r.offering_id.as_str() == offering)
            .map(|r| r.action)
            .collect();
        a.dedup();
        a
    };
    assert_eq!(
        actions("po-fiber-internet-1g"),
        [Add, Modify, Delete, Suspend, Resume, Move, Renew]
    );
    assert_eq!(
        actions("po-fiber-internet-500m"),
        actions("po-fiber-internet-1g")
    );
    assert_eq!(actions("po-managed-router"), [Add, Modify, Delete]);
    assert_eq!(actions("po-static-ip"), [Add, Modify, Delete]);
    assert_eq!(actions("po-premium-support"), [Add, Modify, Delete, Renew]);
    assert_eq!(actions("po-onsite-installation"), [Add]);
    assert_eq!(
        actions("po-mobile-business-plan"),
        [Add, Modify, Delete, Suspend, Resume, Renew]
    );
    assert_eq!(actions("po-mobile-device"), [Add, Delete]);
    // NO_CHANGE needs no rule; every rule is for a mutating action.
    assert!(catalog.rules().all(|r| r.action.is_mutating()));
    let installation = catalog
        .rules()
        .find(|r| r.offering_id.as_str() == "po-onsite-installation")
        .unwrap();
    assert_eq!(installation.asset_effect, AssetEffect::None);
    assert!(installation.independent_of_parent);
}

#[test]
fn sample_catalog_rules_are_complete() {
    for rule in sample_catalog().rules() {
        let label = rule.label();
        assert!(
            rule.tasks.iter().any(TaskTemplate::mutates_externally),
            "{label}"
        );
        let milestone = rule.milestone.as_ref().and_then(|m| rule.task(m));
        assert!(
            milestone.is_some_and(TaskTemplate::mutates_externally),
            "{label}"
        );
        for t in &rule.tasks {
            assert_eq!(
                t.compensation.is_some(),
                t.is_reversible(),
                "{label} {}",
                t.key
            );
        }
    }
}

#[test]
fn base_catalog_loads() {
    let catalog = load(BASE).unwrap();
    assert_eq!(catalog.version().number, 3);
    assert_eq!(catalog.rules().count(), 1);
}

#[test]
fn unknown_system_is_refused_at_its_line() {
    let text = edited(
        "system = \"NETWORK_PROVISIONING\"",
        "system = \"CARRIER_PIGEON\"",
    );
    assert_refused(&text, Code::UnknownSystem, "rule[0].task[1].system", 21);
    let message = errors_of(&text).to_string();
    assert!(
        message.contains("test.toml:21:10: rule[0].task[1].system: UNKNOWN_SYSTEM"),
        "{message}"
    );
    assert!(message.contains(
        "INVENTORY, WORKFORCE_SCHEDULING, SHIPPING, NETWORK_PROVISIONING, BILLING_ACTIVATION"
    ));
}

#[test]
fn dependency_on_a_key_outside_the_rule_is_refused() {
    let text = edited(
        "depends_on = [\"reserve\"]",
        "depends_on = [\"reserve\", \"ship\"]",
    );
    assert_refused(
        &text,
        Code::UnknownDependency,
        "rule[0].task[1].depends_on[1]",
        22,
    );
}

#[test]
fn dependency_cycle_inside_a_template_is_refused() {
    let text = edited(
        "key = \"reserve\"\n",
        "key = \"reserve\"\ndepends_on = [\"activate\"]\n",
    );
    assert_refused(
        &text,
        Code::DependencyCycle,
        "rule[0].task[0].depends_on",
        11,
    );
    assert!(
        errors_of(&text)
            .to_string()
            .contains("`reserve` -> `activate` -> `reserve`")
    );
    let self_loop = edited("depends_on = [\"reserve\"]", "depends_on = [\"activate\"]");
    assert_refused(
        &self_loop,
        Code::DependencyCycle,
        "rule[0].task[1].depends_on",
        19,
    );
}

#[test]
fn reversible_task_without_compensation_is_refused() {
    let text = edited("compensation = \"RELEASE_RESERVATION\"\n", "");
    assert_refused(
        &text,
        Code::MissingCompensation,
        "rule[0].task[0].compensation",
        14,
    );
}

#[test]
fn irreversible_or_read_only_task_with_compensation_is_refused() {
    let none = edited(
        "reversibility = \"AUTOMATIC\"\nexternal_effect_level = \"RESERVATION_ONLY\"",
        "reversibility = \"NONE\"\nexternal_effect_level = \"RESERVATION_ONLY\"",
    );
    assert_refused(
        &none,
        Code::UnexpectedCompensation,
        "rule[0].task[0].compensation",
        16,
    );
    let read_only = edited(
        "external_effect_level = \"RESERVATION_ONLY\"",
        "external_effect_level = \"NO_EXTERNAL_EFFECT\"",
    );
    assert_refused(
        &read_only,
        Code::NonMutatingTaskReversible,
        "rule[0].task[0].reversibility",
        14,
    );
}

#[test]
fn overlapping_rules_for_the_same_offering_and_action_are_refused() {
    let second = BASE
        .split_once("[[rule]]")
        .map(|(_, rule)| format!("[[rule]]{rule}"))
        .unwrap();
    // Same offering, versions 2.. overlap 1..
    let overlapping = format!("{BASE}\n{}", second.replace("from = 1", "from = 2"));
    assert_refused(
        &overlapping,
        Code::DuplicateRule,
        "rule[1].offerings[0]",
        28,
    );
    assert!(
        errors_of(&overlapping)
            .to_string()
            .contains("versions 2.. overlap versions 1.. of rule[0]")
    );
    // Disjoint ranges, or another action, are fine.
    let disjoint = format!(
        "{}\n{}",
        BASE.replace("versions = { from = 1 }", "versions = { from = 1, to = 1 }"),
        second.replace("from = 1", "from = 2")
    );
    assert!(load(&disjoint).is_ok());
    let listed_twice = edited("offerings = [\"po-x\"]", "offerings = [\"po-x\", \"po-x\"]");
    assert_refused(
        &listed_twice,
        Code::DuplicateRule,
        "rule[0].offerings[1]",
        5,
    );
}

#[test]
fn no_change_rule_with_a_mutating_task_is_refused() {
    // (The milestone line goes too, so everything below moves up one line.)
    let text = edited(
        "action = \"ADD\"\nmilestone = \"activate\"",
        "action = \"NO_CHANGE\"",
    );
    assert_refused(
        &text,
        Code::NoChangeMutatingTask,
        "rule[0].task[0].external_effect_level",
        14,
    );
}

#[test]
fn no_change_rule_with_a_read_only_task_is_planned_without_mutation() {
    let text = r#"[catalog]
version = 1

[[rule]]
offerings = ["po-x"]
versions = { from = 1 }
action = "MODIFY"
milestone = "modify"

[[rule.task]]
key = "modify"
type = "MODIFY_SERVICE"
system = "NETWORK_PROVISIONING"
reversibility = "AUTOMATIC"
external_effect_level = "NETWORK_VISIBLE"
compensation = "REVERT_SERVICE_CHANGE"

[[rule]]
offerings = ["po-y"]
versions = { from = 1 }
action = "NO_CHANGE"

[[rule.task]]
key = "verify"
type = "VERIFY_ASSET"
system = "INVENTORY"
reversibility = "NONE"
external_effect_level = "NO_EXTERNAL_EFFECT"
"#;
    let catalog = load(text).unwrap();
    let parent = item(1, "po-x", 1, ItemAction::Modify);
    let context = item(2, "po-y", 1, ItemAction::NoChange).child_of(&parent);
    let plan = decompose(&order(vec![parent, context]), &catalog).unwrap();
    let verify = plan
        .tasks
        .iter()
        .find(|t| t.template_key.as_str() == "verify")
        .unwrap();
    assert!(!verify.mutates_externally);
    assert!(
        verify.depends_on.is_empty(),
        "NO_CHANGE items take part in no cross-item edge"
    );
    assert_eq!(plan.items[1].milestone_task_id, None);
    assert_eq!(plan.items[1].asset_effect, AssetEffect::None);
}

#[test]
fn blank_or_missing_offering_ids_are_refused() {
    assert_refused(
        &edited("[\"po-x\"]", "[\" \"]"),
        Code::EmptyOfferingId,
        "rule[0].offerings[0]",
        5,
    );
    assert_refused(
        &edited("[\"po-x\"]", "[]"),
        Code::NoOfferings,
        "rule[0].offerings",
        5,
    );
    let long = format!("[\"{}\"]", "p".repeat(200));
    assert_refused(
        &edited("[\"po-x\"]", &long),
        Code::InvalidOfferingId,
        "rule[0].offerings[0]",
        5,
    );
}

#[test]
fn bad_version_ranges_are_refused() {
    assert_refused(
        &edited("{ from = 1 }", "{ from = 0 }"),
        Code::InvalidVersionRange,
        "rule[0].versions",
        6,
    );
    assert_refused(
        &edited("{ from = 1 }", "{ from = 3, to = 2 }"),
        Code::InvalidVersionRange,
        "rule[0].versions",
        6,
    );
    assert_refused(
        &edited("{ from = 1 }", "{ from = -1 }"),
        Code::InvalidVersionRange,
        "rule[0].versions",
        6,
    );
}

#[test]
fn unknown_vocabulary_is_refused_with_the_known_values() {
    assert_refused(
        &edited("\"ADD\"", "\"UPGRADE\""),
        Code::UnknownAction,
        "rule[0].action",
        7,
    );
    assert_refused(
        &edited(
            "reversibility = \"AUTOMATIC\"\nexternal_effect_level = \"RESERVATION_ONLY\"",
            "reversibility = \"SOMETIMES\"\nexternal_effect_level = \"RESERVATION_ONLY\"",
        ),
        Code::UnknownReversibility,
        "rule[0].task[0].reversibility",
        14,
    );
    assert_refused(
        &edited("\"NETWORK_VISIBLE\"", "\"VERY_VISIBLE\""),
        Code::UnknownEffectLevel,
        "rule[0].task[1].external_effect_level",
        24,
    );
    assert_refused(
        &edited(
            "milestone = \"activate\"",
            "milestone = \"activate\"\nasset_effect = \"EXPLODE\"",
        ),
        Code::UnknownAssetEffect,
        "rule[0].asset_effect",
        9,
    );
}

#[test]
fn asset_effect_must_match_the_action_or_be_none() {
    let with = |effect: &str| {
        edited(
            "milestone = \"activate\"",
            &format!("milestone = \"activate\"\nasset_effect = \"{effect}\""),
        )
    };
    assert_refused(
        &with("TERMINATE"),
        Code::AssetEffectMismatch,
        "rule[0].asset_effect",
        9,
    );
    assert!(load(&with("CREATE")).is_ok());
    assert!(load(&with("NONE")).is_ok());
}

#[test]
fn task_names_are_checked() {
    assert_refused(
        &edited("key = \"reserve\"\n", "key = \"Reserve Port\"\n"),
        Code::InvalidTaskKey,
        "rule[0].task[0].key",
        11,
    );
    assert_refused(
        &edited("\"RESERVE_ACCESS_PORT\"", "\"reserve port\""),
        Code::InvalidTaskType,
        "rule[0].task[0].type",
        12,
    );
    assert_refused(
        &edited("\"RELEASE_RESERVATION\"", "\"release\""),
        Code::InvalidTaskType,
        "rule[0].task[0].compensation",
        16,
    );
    let duplicate = edited("key = \"activate\"", "key = \"reserve\"");
    assert_refused(
        &duplicate,
        Code::DuplicateTaskKey,
        "rule[0].task[1].key",
        19,
    );
}

#[test]
fn milestone_and_mutating_work_are_required() {
    assert_refused(
        &edited("milestone = \"activate\"\n", ""),
        Code::MilestoneRequired,
        "rule[0].milestone",
        7,
    );
    assert_refused(
        &edited("milestone = \"activate\"", "milestone = \"go_live\""),
        Code::UnknownMilestone,
        "rule[0].milestone",
        8,
    );
    let read_only = BASE
        .replace("\"RESERVATION_ONLY\"", "\"NO_EXTERNAL_EFFECT\"")
        .replace("\"NETWORK_VISIBLE\"", "\"NO_EXTERNAL_EFFECT\"")
        .replace("\"AUTOMATIC\"", "\"NONE\"")
        .replace("compensation = \"RELEASE_RESERVATION\"\n", "")
        .replace("compensation = \"DEACTIVATE_SERVICE\"\n", "");
    assert_refused(&read_only, Code::NoMutatingTask, "rule[0].task", 7);
    assert_refused(
        &read_only,
        Code::MilestoneNotMutating,
        "rule[0].milestone",
        8,
    );
}

#[test]
fn cross_item_links_must_apply_to_the_action() {
    let teardown = edited("action = \"ADD\"", "action = \"DELETE\"").replace(
        "depends_on = [\"reserve\"]",
        "depends_on = [\"reserve\"]\nafter_parent = true",
    );
    assert_refused(
        &teardown,
        Code::CrossItemLinkNotApplicable,
        "rule[0].task[1].after_parent",
        19,
    );
    let contradiction = edited(
        "milestone = \"activate\"",
        "milestone = \"activate\"\nindependent_of_parent = true",
    )
    .replace(
        "depends_on = [\"reserve\"]",
        "depends_on = [\"reserve\"]\nafter_parent = true",
    );
    assert_refused(
        &contradiction,
        Code::CrossItemLinkNotApplicable,
        "rule[0].task[1].after_parent",
        20,
    );
}

#[test]
fn syntax_and_shape_errors_name_the_line() {
    let typo = edited("depends_on = [\"reserve\"]", "depend_on = [\"reserve\"]");
    let errors = errors_of(&typo);
    assert_eq!(errors.codes(), [Code::CatalogSyntax]);
    assert_eq!(errors.errors[0].location.map(|l| l.line), Some(22));
    assert!(
        errors.errors[0]
            .message
            .contains("unknown field `depend_on`"),
        "{errors}"
    );
    let broken = edited(
        "[[rule.task]]\nkey = \"activate\"",
        "[[rule.task]\nkey = \"activate\"",
    );
    assert_eq!(errors_of(&broken).codes(), [Code::CatalogSyntax]);
    let missing = edited("system = \"INVENTORY\"\n", "");
    assert!(
        errors_of(&missing).errors[0]
            .message
            .contains("missing field `system`")
    );
}

#[test]
fn catalog_version_must_be_positive_and_rules_present() {
    assert_refused(
        &edited("version = 3", "version = 0"),
        Code::InvalidCatalogVersion,
        "catalog.version",
        2,
    );
    let empty = errors_of("[catalog]\nversion = 1\n");
    assert_eq!(empty.codes(), [Code::EmptyCatalog]);
}

#[test]
fn every_error_of_a_file_is_reported_at_once_in_file_order() {
    let text = edited("system = \"INVENTORY\"", "system = \"WAREHOUSE\"")
        .replace("depends_on = [\"reserve\"]", "depends_on = [\"ship\"]")
        .replace("version = 3", "version = -3");
    let errors = errors_of(&text);
    assert_eq!(
        errors.codes(),
        [
            Code::InvalidCatalogVersion,
            Code::UnknownSystem,
            Code::UnknownDependency
        ]
    );
    let rendered = errors.to_string();
    assert!(
        rendered.starts_with("technical catalog test.toml has 3 error(s):"),
        "{rendered}"
    );
}

#[test]
fn content_hash_tracks_behaviour_not_presentation() {
    let base = load(BASE).unwrap();
    let hash = |text: &str| load(text).unwrap().version().content_hash.clone();
    // Number, descriptions and comments do not change the rules.
    let cosmetic = BASE
        .replace("version = 3", "version = 4\ndescription = \"republished\"")
        .replace(
            "milestone = \"activate\"",
            "milestone = \"activate\" # the go-live step\ndescription = \"x\"",
        );
    assert_eq!(hash(&cosmetic), base.version().content_hash);
    // A behavioural change does.
    let changed = BASE.replace("\"RELEASE_RESERVATION\"", "\"RELEASE_PORT\"");
    assert_ne!(hash(&changed), base.version().content_hash);
}
