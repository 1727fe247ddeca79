//! Determinism: the same order snapshot and rules version give a byte-identical plan, in
//! this process or any other (the pinned hashes below were computed in another process,
//! on another day); a new rules version changes a plan only where its rules differ, and
//! never touches a plan already made.

use oms_decomposition::catalog::TechnicalCatalog;
use oms_decomposition::planner::{DecompositionPlan, PlanningInput, decompose, replan};
use oms_domain::vocab::ItemAction;
use std::collections::BTreeSet;

use crate::support::{
    ItemExt, SAMPLE_CATALOG, fiber_bundle, id_of, item, names, order, sample_catalog,
};

/// Content hash of `deploy/catalog/catalog-v1.toml`. Published versions are immutable: if
/// this changes, publish the change as catalog-v2 instead of editing v1.
const CATALOG_V1_CONTENT_HASH: &str =
    "f1379dbeb2a4737df8d542a7a4cd4dfc49bbd7cfe61f54a43c11dacfc1978e76";
/// Plan hash and id of the fiber bundle under catalog v1. Stored plans are compared by
/// these: if they change, plan identity changed for every order. That is only acceptable
/// with a new hash format tag (`oms.decomposition.*.v2`) and a migration note.
const FIBER_BUNDLE_PLAN_HASH: &str =
    "fedf4b507e61f818ace89f4a5991fd495288b7878c317a7a6d0895ade7d06455";
const FIBER_BUNDLE_PLAN_ID: &str = "8a40ce20-7fdd-549c-b359-05286e907b65";

fn mobile_order() -> PlanningInput {
    let plan = item(1, "po-mobile-business-plan", 1, ItemAction::Add)
        .configured(&[("data", "50GB"), ("roaming", "ASEAN")]);
    let device = item(2, "po-mobile-device", 1, ItemAction::Add)
        .child_of(&plan)
        .configured(&[("model", "Galaxy A56"), ("colour", "black")]);
    order(vec![plan, device])
}

/// The sample catalog republished as version 2 with `edit` applied to its text.
fn catalog_v2(edit: impl Fn(&str) -> String) -> TechnicalCatalog {
    let text = edit(&SAMPLE_CATALOG.replacen("version = 1", "version = 2", 1));
    TechnicalCatalog::from_toml("catalog-v2.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Version 2 changes one template: the managed router's configuration is now undone by a
/// factory reset instead of a configuration reset.
fn catalog_v2_with_router_change() -> TechnicalCatalog {
    catalog_v2(|text| {
        assert_eq!(
            text.matches("compensation = \"RESET_DEVICE_CONFIGURATION\"")
                .count(),
            1
        );
        text.replace(
            "compensation = \"RESET_DEVICE_CONFIGURATION\"",
            "compensation = \"FACTORY_RESET_DEVICE\"",
        )
    })
}

#[test]
fn same_order_twice_gives_a_byte_identical_plan() {
    let catalog = sample_catalog();
    let first = decompose(&fiber_bundle(), &catalog).unwrap();
    let second = decompose(&fiber_bundle(), &catalog).unwrap();
    assert_eq!(first.to_canonical_json(), second.to_canonical_json());
    assert_eq!(first.plan_hash, second.plan_hash);
    assert_eq!(first.plan_id, second.plan_id);
    assert_eq!(first.input_hash, fiber_bundle().input_hash());
}

#[test]
fn after_a_restart_the_same_order_gives_the_same_plan_hash() {
    // A restart re-reads the catalog and decomposes again in a new process: nextest runs
    // every test in its own process, and the constants were produced by an earlier run.
    let catalog = sample_catalog();
    assert_eq!(catalog.version().number, 1);
    assert_eq!(catalog.version().content_hash, CATALOG_V1_CONTENT_HASH);
    let plan = decompose(&fiber_bundle(), &catalog).unwrap();
    assert_eq!(plan.plan_hash, FIBER_BUNDLE_PLAN_HASH);
    assert_eq!(plan.plan_id.to_string(), FIBER_BUNDLE_PLAN_ID);
    // A stored plan read back is the same plan, and its hash still verifies.
    let stored = plan.to_canonical_json();
    let loaded: DecompositionPlan = serde_json::from_slice(&stored).unwrap();
    assert_eq!(loaded, plan);
    assert_eq!(loaded.compute_hash(), loaded.plan_hash);
}

#[test]
fn the_order_in_which_the_event_lists_items_does_not_matter() {
    let catalog = sample_catalog();
    let mut shuffled = fiber_bundle();
    shuffled.items.reverse();
    for i in &mut shuffled.items {
        i.prerequisites.reverse();
    }
    let normalised =
        PlanningInput::new(shuffled.order_id, shuffled.items, shuffled.service_location);
    assert_eq!(normalised, fiber_bundle());
    assert_eq!(
        decompose(&normalised, &catalog)
            .unwrap()
            .to_canonical_json(),
        decompose(&fiber_bundle(), &catalog)
            .unwrap()
            .to_canonical_json()
    );
}

#[test]
fn republishing_identical_rules_under_a_new_number_keeps_plan_id_and_hash() {
    let v1 = sample_catalog();
    let v2 = catalog_v2(|text| text.replace("Sample portfolio", "Sample portfolio, republished"));
    assert_eq!(v2.version().number, 2);
    assert_eq!(v2.version().content_hash, v1.version().content_hash);
    let p1 = decompose(&fiber_bundle(), &v1).unwrap();
    let p2 = decompose(&fiber_bundle(), &v2).unwrap();
    assert_eq!(p2.plan_hash, p1.plan_hash);
    assert_eq!(p2.plan_id, p1.plan_id);
    // Provenance differs: the plan says which version built it.
    assert_ne!(p2.rules_version, p1.rules_version);
    assert!(p2.tasks.iter().all(|t| t.rules_version == 2));
}

#[test]
fn a_rules_change_changes_exactly_the_plans_and_tasks_it_touches() {
    let v1 = sample_catalog();
    let v2 = catalog_v2_with_router_change();
    assert_ne!(v2.version().content_hash, v1.version().content_hash);

    // The fiber bundle uses the changed router rule: new plan id and hash...
    let p1 = decompose(&fiber_bundle(), &v1).unwrap();
    let p2 = decompose(&fiber_bundle(), &v2).unwrap();
    assert_ne!(p2.plan_hash, p1.plan_hash);
    assert_ne!(p2.plan_id, p1.plan_id);
    // ...but only the changed task and what waits on it get new ids.
    let changed: Vec<String> = names(&p2)
        .into_iter()
        .filter(|n| id_of(&p1, n) != id_of(&p2, n))
        .collect();
    assert_eq!(changed, ["2.configure_device", "2.activate_billing"]);
    assert_eq!(names(&p1), names(&p2));

    // A mobile order touches no changed rule: identical plan under both versions.
    let m1 = decompose(&mobile_order(), &v1).unwrap();
    let m2 = decompose(&mobile_order(), &v2).unwrap();
    assert_eq!(m2.plan_hash, m1.plan_hash);
    assert_eq!(m2.plan_id, m1.plan_id);
}

#[test]
fn a_new_rules_version_published_while_orders_are_in_flight_leaves_existing_plans_unchanged() {
    // Order decomposed under v1 and stored; fulfillment has started the first tasks.
    let v1 = sample_catalog();
    let in_flight = decompose(&fiber_bundle(), &v1).unwrap();
    let stored = in_flight.to_canonical_json();

    // v2 is published.
    let v2 = catalog_v2_with_router_change();

    // The stored plan is untouched: same bytes, same version, hash still verifies.
    let reloaded: DecompositionPlan = serde_json::from_slice(&stored).unwrap();
    assert_eq!(reloaded.to_canonical_json(), stored);
    assert_eq!(reloaded.rules_version, *v1.version());
    assert!(reloaded.tasks.iter().all(|t| t.rules_version == 1));
    assert_eq!(reloaded.compute_hash(), in_flight.plan_hash);

    // Only an explicit re-plan (an amendment) would move it to v2, and the diff names
    // exactly the tasks that would be replaced.
    let candidate = decompose(&fiber_bundle(), &v2).unwrap();
    let started: BTreeSet<_> = [id_of(&in_flight, "1.check_serviceability")].into();
    let diff = replan(&reloaded, &candidate, &started);
    assert!(diff.is_safe());
    assert_eq!(diff.keep.len(), 12);
    assert_eq!(
        diff.cancel,
        [
            id_of(&in_flight, "2.configure_device"),
            id_of(&in_flight, "2.activate_billing")
        ]
    );
    assert_eq!(
        diff.add,
        [
            id_of(&candidate, "2.configure_device"),
            id_of(&candidate, "2.activate_billing")
        ]
    );
}

#[test]
fn a_changed_item_input_changes_only_that_item_and_its_dependents() {
    let catalog = sample_catalog();
    let before = decompose(&fiber_bundle(), &catalog).unwrap();
    let mut amended = fiber_bundle();
    // The customer asks for a bigger static IP block.
    amended.items[2] = amended.items[2].clone().configured(&[("blockSize", "/28")]);
    let after = decompose(&amended, &catalog).unwrap();
    assert_ne!(after.input_hash, before.input_hash);
    let changed: Vec<String> = names(&after)
        .into_iter()
        .filter(|n| id_of(&before, n) != id_of(&after, n))
        .collect();
    assert_eq!(
        changed,
        ["3.assign_ip", "3.activate_service", "3.activate_billing"]
    );
}

#[test]
fn every_task_id_is_unique_across_orders() {
    let catalog = sample_catalog();
    let a = decompose(&fiber_bundle(), &catalog).unwrap();
    let mut other = fiber_bundle();
    other.order_id =
        oms_domain::value::OrderId::parse("0190f0d2-7c1e-7a3b-9c4d-000000000002").unwrap();
    let b = decompose(&other, &catalog).unwrap();
    let ids: BTreeSet<_> = a.tasks.iter().chain(&b.tasks).map(|t| t.task_id).collect();
    assert_eq!(ids.len(), a.tasks.len() + b.tasks.len());
    assert_ne!(a.plan_id, b.plan_id);
}
