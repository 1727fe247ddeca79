//! The re-decomposition diff an amendment will use (004 §18): keep unchanged tasks, add new
//! ones, cancel replaced tasks that have not started, and block on started ones.

use oms_decomposition::planner::{DecompositionPlan, PlanningInput, decompose, replan};
use oms_domain::value::TaskId;
use oms_domain::vocab::ItemAction;
use std::collections::BTreeSet;

use crate::support::{ItemExt, fiber_bundle, id_of, item, item_id, order, sample_catalog};

fn plan(input: &PlanningInput) -> DecompositionPlan {
    decompose(input, &sample_catalog()).unwrap()
}

fn ids(plan: &DecompositionPlan, names: &[&str]) -> Vec<TaskId> {
    names.iter().map(|n| id_of(plan, n)).collect()
}

fn started(plan: &DecompositionPlan, names: &[&str]) -> BTreeSet<TaskId> {
    ids(plan, names).into_iter().collect()
}

#[test]
fn the_same_plan_again_keeps_everything() {
    let old = plan(&fiber_bundle());
    let diff = replan(&old, &old.clone(), &started(&old, &["1.reserve_port"]));
    assert!(diff.is_noop() && diff.is_safe());
    assert_eq!(diff.keep.len(), old.tasks.len());
}

#[test]
fn adding_premium_support_before_activation_only_adds_its_tasks() {
    let old = plan(&fiber_bundle());
    let mut amended = fiber_bundle();
    let support = item(5, "po-premium-support", 1, ItemAction::Add).child_of(&amended.items[0]);
    amended.items.push(support);
    let new = plan(&amended);
    let diff = replan(
        &old,
        &new,
        &started(&old, &["1.check_serviceability", "1.reserve_port"]),
    );
    assert!(diff.is_safe());
    assert!(diff.cancel.is_empty());
    assert_eq!(diff.keep.len(), old.tasks.len());
    assert_eq!(
        diff.add,
        ids(&new, &["5.enable_monitoring", "5.activate_billing"])
    );
    // The new child waits for the (kept) access activation.
    let enable = new.task(diff.add[0]).unwrap();
    assert_eq!(enable.depends_on, ids(&old, &["1.activate_service"]));
}

#[test]
fn changing_a_pending_item_replaces_only_its_tasks() {
    let old = plan(&fiber_bundle());
    let mut amended = fiber_bundle();
    amended.items[2] = amended.items[2].clone().configured(&[("blockSize", "/28")]);
    let new = plan(&amended);
    let diff = replan(
        &old,
        &new,
        &started(&old, &["1.check_serviceability", "2.reserve_device"]),
    );
    assert!(diff.is_safe());
    assert_eq!(
        diff.cancel,
        ids(
            &old,
            &["3.assign_ip", "3.activate_service", "3.activate_billing"]
        )
    );
    assert_eq!(
        diff.add,
        ids(
            &new,
            &["3.assign_ip", "3.activate_service", "3.activate_billing"]
        )
    );
    assert_eq!(diff.keep.len(), old.tasks.len() - 3);
}

#[test]
fn changing_an_item_whose_task_already_started_needs_manual_review() {
    let old = plan(&fiber_bundle());
    let mut amended = fiber_bundle();
    amended.items[2] = amended.items[2].clone().configured(&[("blockSize", "/28")]);
    let new = plan(&amended);
    // The /29 block is already assigned.
    let diff = replan(&old, &new, &started(&old, &["3.assign_ip"]));
    assert!(!diff.is_safe());
    assert_eq!(diff.blocked_by_started, ids(&old, &["3.assign_ip"]));
    assert_eq!(
        diff.cancel,
        ids(&old, &["3.activate_service", "3.activate_billing"])
    );
}

#[test]
fn removing_an_item_cancels_its_pending_tasks_and_blocks_on_started_ones() {
    let old = plan(&fiber_bundle());
    let mut amended = fiber_bundle();
    amended.items.retain(|i| i.item_id != item_id(2)); // customer drops the managed router
    let new = plan(&amended);
    let diff = replan(
        &old,
        &new,
        &started(&old, &["2.reserve_device", "2.ship_device"]),
    );
    assert_eq!(
        diff.blocked_by_started,
        ids(&old, &["2.reserve_device", "2.ship_device"])
    );
    assert_eq!(
        diff.cancel,
        ids(&old, &["2.configure_device", "2.activate_billing"])
    );
    assert!(diff.add.is_empty());
    assert_eq!(diff.keep.len(), new.tasks.len());
}

#[test]
fn an_upstream_change_replaces_the_pending_tasks_downstream_of_it() {
    // Changing the access speed changes its tasks, and the router configuration and static
    // IP activation wait on the access activation: they are replaced too (not started yet).
    let old = plan(&fiber_bundle());
    let mut amended = fiber_bundle();
    amended.items[0] = amended.items[0]
        .clone()
        .configured(&[("bandwidth", "1Gbps"), ("profile", "BUSINESS_1G_SYM")]);
    let new = plan(&amended);
    let diff = replan(&old, &new, &BTreeSet::new());
    let kept: BTreeSet<_> = diff.keep.iter().copied().collect();
    let untouched = ids(
        &old,
        &[
            "2.reserve_device",
            "2.ship_device",
            "3.assign_ip",
            "4.schedule_appointment",
            "4.dispatch_technician",
            "4.bill_installation_fee",
        ],
    );
    assert_eq!(kept, untouched.into_iter().collect());
    assert_eq!(diff.cancel.len(), 8);
    assert_eq!(diff.add.len(), 8);
}

#[test]
fn started_ids_outside_the_old_plan_are_ignored() {
    let old = plan(&order(vec![item(
        1,
        "po-fiber-internet-1g",
        2,
        ItemAction::Modify,
    )]));
    let foreign = plan(&fiber_bundle());
    let diff = replan(&old, &old.clone(), &started(&foreign, &["2.ship_device"]));
    assert!(diff.is_noop());
}

#[test]
fn renumbering_lines_keeps_every_task() {
    // An amendment that inserts a line renumbers the others: labels, not work.
    let old = plan(&fiber_bundle());
    let mut renumbered = fiber_bundle();
    for item in &mut renumbered.items {
        item.line_number =
            oms_domain::value::LineNumber::parse(i64::from(item.line_number.get()) * 10).unwrap();
    }
    let new = plan(&renumbered);
    let diff = replan(&old, &new, &BTreeSet::new());
    assert!(diff.is_noop(), "{diff:?}");
}
