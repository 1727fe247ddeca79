//! Properties of every plan over the sample catalog:
//! - the plan is acyclic (tasks are listed after everything they wait for) and ids unique;
//! - every mutating item has at least one mutating task; NO_CHANGE items have none;
//! - every reversible task names its compensation (and only those);
//! - every cross-item edge respects the hierarchy or a declared dependency, and a build-up
//!   child's work waits for its parent's milestone;
//! - the plan is a function of the order: listing the items in another order changes
//!   nothing, and the stored hash verifies.
//!
//! `valid_orders` are valid by construction and must decompose; `arbitrary_orders` may be
//! broken in any way and must either decompose (with the same properties) or fail with a
//! classified code about one of their items, never panic.

use oms_decomposition::catalog::{ActionClass, TechnicalCatalog};
use oms_decomposition::planner::{DecompositionPlan, PlanningInput, PlanningItem, decompose};
use oms_domain::order::ItemDependency;
use oms_domain::value::{AssetId, OrderItemId, ProductOfferingId, TaskId};
use oms_domain::vocab::{DecompositionFailureCode as Code, DependencyType, ItemAction};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use crate::support::{ItemExt, address, item, item_id, order_id, sample_catalog};

static CATALOG: LazyLock<TechnicalCatalog> = LazyLock::new(sample_catalog);

/// Every (offering, version, action) the sample catalog supports, at both ends of ranges.
static COMBOS: LazyLock<Vec<(String, u32, ItemAction)>> = LazyLock::new(|| {
    let mut combos = Vec::new();
    for rule in CATALOG.rules() {
        for version in [Some(rule.versions.from), rule.versions.to]
            .into_iter()
            .flatten()
        {
            combos.push((rule.offering_id.to_string(), version, rule.action));
        }
    }
    combos.dedup();
    combos
});

fn parent_allows(parent: ItemAction, child: ItemAction) -> bool {
    match parent {
        ItemAction::Delete => child == ItemAction::Delete,
        ItemAction::Suspend => matches!(
            child,
            ItemAction::Suspend | ItemAction::Delete | ItemAction::NoChange
        ),
        _ => true,
    }
}

#[derive(Debug, Clone)]
struct Line {
    combo: usize,
    no_change: bool,
    parent: u8,
    deps: Vec<u8>,
    variant: u8,
}

fn line() -> impl Strategy<Value = Line> {
    (
        any::<usize>(),
        prop::bool::weighted(0.15),
        any::<u8>(),
        prop::collection::vec(any::<u8>(), 0..3),
        0u8..4,
    )
        .prop_map(|(combo, no_change, parent, deps, variant)| Line {
            combo,
            no_change,
            parent,
            deps,
            variant,
        })
}

/// Orders that are valid by construction: catalog-supported actions, compatible parents,
/// prerequisites only on earlier build-up items (so the rules cannot make a cycle).
fn valid_orders() -> impl Strategy<Value = PlanningInput> {
    prop::collection::vec(line(), 1..=8).prop_map(|lines| {
        let mut items: Vec<PlanningItem> = Vec::new();
        for (k, l) in lines.iter().enumerate() {
            let (offering, version, action) = &COMBOS[l.combo % COMBOS.len()];
            let action = if l.no_change && k > 0 {
                ItemAction::NoChange
            } else {
                *action
            };
            let line_no = u32::try_from(k + 1).unwrap();
            let mut new = item(line_no, offering, *version, action)
                .configured(&[("variant", &l.variant.to_string())]);
            if k > 0 && l.parent % 3 != 0 {
                let parent = &items[usize::from(l.parent) % k];
                if parent_allows(parent.action, action) {
                    new = new.child_of(parent);
                }
            }
            for d in &l.deps {
                if k == 0 {
                    break;
                }
                let other = &items[usize::from(*d) % k];
                let build_up = |a| ActionClass::of(a) == ActionClass::BuildUp;
                if build_up(action) && build_up(other.action) {
                    new = new.depends_on(other);
                }
            }
            items.push(new);
        }
        PlanningInput::new(order_id(), items, Some(address()))
    })
}

/// Anything goes: unknown offerings, unsupported actions, missing versions and assets,
/// parents and prerequisites pointing anywhere (including the item itself).
fn arbitrary_orders() -> impl Strategy<Value = PlanningInput> {
    let offerings = prop::sample::select(vec![
        "po-fiber-internet-1g",
        "po-fiber-internet-500m",
        "po-managed-router",
        "po-static-ip",
        "po-premium-support",
        "po-onsite-installation",
        "po-mobile-business-plan",
        "po-mobile-device",
        "po-sdwan-edge",
    ]);
    let raw_item = (
        offerings,
        0u32..4,
        prop::sample::select(ItemAction::ALL.to_vec()),
        any::<bool>(),
        prop::option::of(0usize..8),
        prop::collection::vec(0usize..8, 0..3),
    );
    (prop::collection::vec(raw_item, 0..=7), any::<bool>()).prop_map(|(raw, located)| {
        let n = raw.len();
        let items = raw
            .iter()
            .enumerate()
            .map(|(k, (offering, version, action, target, parent, deps))| {
                let mut it = item(u32::try_from(k + 1).unwrap(), offering, 1, *action);
                it.offering_version = (*version > 0).then_some(*version);
                it.target_asset_id = target.then(|| AssetId::parse(&format!("asset-{k}")).unwrap());
                it.parent_id = parent.map(|p| item_id(u32::try_from(p % (n + 1) + 1).unwrap()));
                it.prerequisites = deps
                    .iter()
                    .map(|d| ItemDependency {
                        depends_on: item_id(u32::try_from(d % (n + 1) + 1).unwrap()),
                        dependency_type: DependencyType::Sequence,
                    })
                    .collect();
                it
            })
            .collect();
        PlanningInput::new(order_id(), items, located.then(address))
    })
}

/// Checks every plan property; see the module doc.
fn check_plan(input: &PlanningInput, plan: &DecompositionPlan) -> Result<(), TestCaseError> {
    let position: BTreeMap<TaskId, usize> = plan
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.task_id, i))
        .collect();
    prop_assert_eq!(position.len(), plan.tasks.len(), "task ids are unique");

    // Acyclic: each task comes after every task it waits for.
    for (i, task) in plan.tasks.iter().enumerate() {
        for dep in &task.depends_on {
            let at = position.get(dep).copied();
            prop_assert!(
                at.is_some_and(|d| d < i),
                "{} waits for a later or unknown task",
                task.task_id
            );
        }
    }

    let input_item = |id: OrderItemId| input.item(id).expect("plan items come from the order");
    prop_assert_eq!(plan.items.len(), input.items.len());
    for planned in &plan.items {
        let tasks: Vec<_> = plan.tasks_of(planned.item_id).collect();
        let mutating = tasks.iter().filter(|t| t.mutates_externally).count();
        if planned.action.is_mutating() {
            prop_assert!(
                mutating >= 1,
                "mutating item {} has no mutating task",
                planned.item_id
            );
            prop_assert!(planned.milestone_task_id.is_some());
        } else {
            prop_assert_eq!(mutating, 0, "NO_CHANGE item with a mutating task");
            // The sample catalog has no NO_CHANGE rules: no task at all.
            prop_assert!(tasks.is_empty());
        }
        prop_assert_eq!(
            planned.task_ids.clone(),
            tasks.iter().map(|t| t.task_id).collect::<Vec<_>>()
        );
    }

    for task in &plan.tasks {
        let reversible = task.reversibility != oms_domain::vocab::TaskReversibility::None;
        prop_assert_eq!(
            task.compensation.is_some(),
            reversible,
            "compensation iff reversible"
        );
        if !task.mutates_externally {
            prop_assert!(!reversible);
        }
    }

    // Cross-item edges respect the hierarchy or a declared dependency.
    let task_item = |id: &TaskId| plan.task(*id).unwrap().item_id;
    let class = |id: OrderItemId| ActionClass::of(input_item(id).action);
    for task in &plan.tasks {
        for dep in &task.depends_on {
            let (waiter, waited) = (task.item_id, task_item(dep));
            if waiter == waited {
                continue;
            }
            let declared = input_item(waiter)
                .prerequisites
                .iter()
                .any(|d| d.depends_on == waited);
            let child_waits = input_item(waiter).parent_id == Some(waited)
                && class(waiter) == ActionClass::BuildUp
                && class(waited) == ActionClass::BuildUp;
            let parent_waits = input_item(waited).parent_id == Some(waiter)
                && class(waiter) == ActionClass::TearDown
                && class(waited) == ActionClass::TearDown;
            prop_assert!(
                declared || child_waits || parent_waits,
                "edge {waiter} -> {waited} has no reason"
            );
            prop_assert_eq!(
                Some(*dep),
                plan.item(waited).unwrap().milestone_task_id,
                "cross-item edges target milestones"
            );
        }
    }

    // A build-up child waits for its build-up parent's milestone (unless its rule says it is
    // a prerequisite of the parent instead), and a parent is taken down after its children.
    for child in &input.items {
        let Some(parent) = child.parent_id.map(input_item) else {
            continue;
        };
        let (Some(child_m), Some(parent_m)) = (
            plan.item(child.item_id).unwrap().milestone_task_id,
            plan.item(parent.item_id).unwrap().milestone_task_id,
        ) else {
            continue;
        };
        let independent = CATALOG
            .resolve(
                &child.offering_id,
                child.offering_version.unwrap(),
                child.action,
            )
            .is_ok_and(|r| r.independent_of_parent);
        match (
            ActionClass::of(parent.action),
            ActionClass::of(child.action),
        ) {
            (ActionClass::BuildUp, ActionClass::BuildUp) if !independent => prop_assert!(
                plan.tasks_of(child.item_id)
                    .any(|t| t.depends_on.contains(&parent_m)),
                "child {} does not wait for its parent",
                child.item_id
            ),
            (ActionClass::TearDown, ActionClass::TearDown) => {
                prop_assert!(plan.task(parent_m).unwrap().depends_on.contains(&child_m));
            }
            _ => {}
        }
    }

    prop_assert_eq!(plan.compute_hash(), plan.plan_hash.clone());
    prop_assert_eq!(plan.input_hash.clone(), input.input_hash());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_valid_order_decomposes_into_a_sound_plan(input in valid_orders()) {
        let plan = decompose(&input, &CATALOG);
        prop_assert!(plan.is_ok(), "{:?}", plan.err());
        let plan = plan.unwrap();
        check_plan(&input, &plan)?;

        // Listing the items in another order gives the byte-identical plan.
        let mut reversed = input.items.clone();
        reversed.reverse();
        let again = PlanningInput::new(input.order_id, reversed, input.service_location.clone());
        let replanned = decompose(&again, &CATALOG).unwrap();
        prop_assert_eq!(replanned.to_canonical_json(), plan.to_canonical_json());
    }

    #[test]
    fn arbitrary_orders_decompose_soundly_or_fail_classified(input in arbitrary_orders()) {
        match decompose(&input, &CATALOG) {
            Ok(plan) => check_plan(&input, &plan)?,
            Err(failure) => {
                prop_assert!(matches!(
                    failure.code,
                    Code::OrderInvalid
                        | Code::DecompositionRuleMissing
                        | Code::TechnicalCatalogMappingMissing
                        | Code::TargetAssetNotFound
                        | Code::UnsupportedActionType
                ), "{failure}");
                prop_assert!(!failure.is_retryable());
                prop_assert!(!failure.remediation.is_empty());
                if let Some(id) = failure.item_id {
                    prop_assert!(input.item(id).is_some(), "failure names an item of the order");
                } else {
                    prop_assert_eq!(failure.code, Code::OrderInvalid);
                }
            }
        }
    }
}

#[test]
fn the_generators_reach_every_offering_and_action_of_the_catalog() {
    // Guards the generator: the combos it draws from cover the whole sample catalog.
    let offerings: BTreeSet<&str> = COMBOS.iter().map(|(o, _, _)| o.as_str()).collect();
    let catalog_offerings: BTreeSet<&str> =
        CATALOG.offerings().map(ProductOfferingId::as_str).collect();
    assert_eq!(offerings, catalog_offerings);
    assert_eq!(
        COMBOS
            .iter()
            .map(|(_, _, a)| *a)
            .collect::<BTreeSet<_>>()
            .len(),
        7
    );
}
