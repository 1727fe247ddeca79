//! The fiber bundle example decomposes into the task graph we would draw by hand. This file
//! states that graph explicitly (every task, every edge, the order) rather than checking
//! properties of it.
//!
//! ```text
//! line 4 installation:  schedule_appointment -> dispatch_technician -> bill_installation_fee
//!                                                      |
//!                                                      v   (declared: access waits for installation)
//! line 1 access:  check_serviceability -> reserve_port -> activate_service -> activate_billing
//!                                                          |         |
//!               (child activation waits for the parent's)  v         v
//! line 2 router:  reserve_device -> ship_device -> configure_device -> activate_billing
//! line 3 static:  assign_ip ---------------------> activate_service -> activate_billing
//! ```
//!
//! Read `a -> b` as "b waits for a". Reservations, the shipment and the appointment start at
//! once; nothing network-visible happens before the technician visit; billing starts only
//! after each item's own activation.

use oms_decomposition::catalog::{TargetSystem, TaskType};
use oms_decomposition::planner::decompose;
use oms_domain::vocab::{AssetEffect, ExternalEffectLevel, TaskReversibility};
use std::collections::BTreeSet;

use crate::support::{edges, fiber_bundle, id_of, item_id, name, names, sample_catalog};

/// (task, type, system, reversibility, effect level, compensation)
type Row<'a> = (
    String,
    &'a str,
    TargetSystem,
    TaskReversibility,
    ExternalEffectLevel,
    Option<&'a str>,
);

#[test]
fn fiber_bundle_decomposes_into_the_hand_drawn_task_graph() {
    let plan = decompose(&fiber_bundle(), &sample_catalog()).unwrap();

    // Every task, in the plan's dependency order (ties broken by line, then rule order).
    assert_eq!(
        names(&plan),
        [
            "1.check_serviceability",
            "1.reserve_port",
            "2.reserve_device",
            "2.ship_device",
            "3.assign_ip",
            "4.schedule_appointment",
            "4.dispatch_technician",
            "1.activate_service",
            "1.activate_billing",
            "2.configure_device",
            "2.activate_billing",
            "3.activate_service",
            "3.activate_billing",
            "4.bill_installation_fee",
        ]
    );

    // Every edge as (waiter, waited for): exactly these and no others.
    let expected: BTreeSet<(String, String)> = [
        // access (line 1)
        ("1.reserve_port", "1.check_serviceability"),
        ("1.activate_service", "1.reserve_port"),
        ("1.activate_service", "4.dispatch_technician"), // declared prerequisite
        ("1.activate_billing", "1.activate_service"),
        // managed router (line 2)
        ("2.ship_device", "2.reserve_device"),
        ("2.configure_device", "2.ship_device"),
        ("2.configure_device", "1.activate_service"), // child waits for parent's activation
        ("2.activate_billing", "2.configure_device"),
        // static IP (line 3): parent edge and declared dependency are the same edge
        ("3.activate_service", "3.assign_ip"),
        ("3.activate_service", "1.activate_service"),
        ("3.activate_billing", "3.activate_service"),
        // on-site installation (line 4): independent of its parent
        ("4.dispatch_technician", "4.schedule_appointment"),
        ("4.bill_installation_fee", "4.dispatch_technician"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(edges(&plan), expected);
}

#[test]
fn fiber_bundle_tasks_carry_system_reversibility_effect_and_compensation() {
    use ExternalEffectLevel::{
        BillingVisible, CustomerVisible, NetworkVisible, NoExternalEffect, ReservationOnly,
    };
    use TargetSystem::{
        BillingActivation, Inventory, NetworkProvisioning, Shipping, WorkforceScheduling,
    };
    use TaskReversibility::{Automatic, Manual, None as Irreversible, Partial};

    let plan = decompose(&fiber_bundle(), &sample_catalog()).unwrap();
    let described: Vec<Row<'_>> = plan
        .tasks
        .iter()
        .map(|t| {
            (
                name(&plan, t.task_id),
                t.task_type.as_str(),
                t.target_system,
                t.reversibility,
                t.external_effect_level,
                t.compensation.as_ref().map(TaskType::as_str),
            )
        })
        .collect();
    let expected = [
        (
            "1.check_serviceability",
            "VALIDATE_SERVICEABILITY",
            NetworkProvisioning,
            Irreversible,
            NoExternalEffect,
            None,
        ),
        (
            "1.reserve_port",
            "RESERVE_ACCESS_PORT",
            Inventory,
            Automatic,
            ReservationOnly,
            Some("RELEASE_RESERVATION"),
        ),
        (
            "2.reserve_device",
            "RESERVE_DEVICE",
            Inventory,
            Automatic,
            ReservationOnly,
            Some("RELEASE_RESERVATION"),
        ),
        (
            "2.ship_device",
            "SHIP_DEVICE",
            Shipping,
            Manual,
            CustomerVisible,
            Some("STOP_SHIPMENT"),
        ),
        (
            "3.assign_ip",
            "ASSIGN_STATIC_IP",
            Inventory,
            Automatic,
            ReservationOnly,
            Some("RELEASE_IP"),
        ),
        (
            "4.schedule_appointment",
            "SCHEDULE_APPOINTMENT",
            WorkforceScheduling,
            Automatic,
            CustomerVisible,
            Some("CANCEL_APPOINTMENT"),
        ),
        (
            "4.dispatch_technician",
            "DISPATCH_TECHNICIAN",
            WorkforceScheduling,
            Irreversible,
            CustomerVisible,
            None,
        ),
        (
            "1.activate_service",
            "ACTIVATE_SERVICE",
            NetworkProvisioning,
            Automatic,
            NetworkVisible,
            Some("DEACTIVATE_SERVICE"),
        ),
        (
            "1.activate_billing",
            "ACTIVATE_BILLING",
            BillingActivation,
            Partial,
            BillingVisible,
            Some("BILLING_REVERSAL"),
        ),
        (
            "2.configure_device",
            "CONFIGURE_DEVICE",
            NetworkProvisioning,
            Automatic,
            NetworkVisible,
            Some("RESET_DEVICE_CONFIGURATION"),
        ),
        (
            "2.activate_billing",
            "ACTIVATE_BILLING",
            BillingActivation,
            Partial,
            BillingVisible,
            Some("BILLING_REVERSAL"),
        ),
        (
            "3.activate_service",
            "ACTIVATE_SERVICE",
            NetworkProvisioning,
            Automatic,
            NetworkVisible,
            Some("DEACTIVATE_SERVICE"),
        ),
        (
            "3.activate_billing",
            "ACTIVATE_BILLING",
            BillingActivation,
            Partial,
            BillingVisible,
            Some("BILLING_REVERSAL"),
        ),
        (
            "4.bill_installation_fee",
            "BILL_ONE_TIME_CHARGE",
            BillingActivation,
            Partial,
            BillingVisible,
            Some("BILLING_REVERSAL"),
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(n, ty, sys, rev, eff, comp)| (n.to_owned(), ty, sys, rev, eff, comp))
        .collect();
    assert_eq!(described, expected);
    // Only the serviceability check reads without changing anything.
    let read_only: Vec<String> = plan
        .tasks
        .iter()
        .filter(|t| !t.mutates_externally)
        .map(|t| name(&plan, t.task_id))
        .collect();
    assert_eq!(read_only, ["1.check_serviceability"]);
}

#[test]
fn fiber_bundle_items_record_milestones_and_asset_effects() {
    let plan = decompose(&fiber_bundle(), &sample_catalog()).unwrap();
    let milestones: Vec<(u32, Option<String>, AssetEffect)> = plan
        .items
        .iter()
        .map(|i| {
            (
                i.line_number.get(),
                i.milestone_task_id.map(|t| name(&plan, t)),
                i.asset_effect,
            )
        })
        .collect();
    assert_eq!(
        milestones,
        [
            (
                1,
                Some("1.activate_service".to_owned()),
                AssetEffect::Create
            ),
            (
                2,
                Some("2.configure_device".to_owned()),
                AssetEffect::Create
            ),
            (
                3,
                Some("3.activate_service".to_owned()),
                AssetEffect::Create
            ),
            // The installation is a one-off service: no asset.
            (
                4,
                Some("4.dispatch_technician".to_owned()),
                AssetEffect::None
            ),
        ]
    );
    let access = plan.item(item_id(1)).unwrap();
    assert_eq!(access.task_ids.len(), 4);
    assert_eq!(
        access.milestone_task_id,
        Some(id_of(&plan, "1.activate_service"))
    );
}

#[test]
fn fiber_bundle_summary_event_carries_the_same_graph() {
    let plan = decompose(&fiber_bundle(), &sample_catalog()).unwrap();
    let summary = plan.to_fulfillment_plan();
    assert_eq!(summary.plan_id, plan.plan_id);
    assert_eq!(summary.rules_version, plan.rules_version.label());
    assert!(summary.rules_version.starts_with("v1+"));
    assert_eq!(summary.tasks.len(), 14);
    for (event_task, task) in summary.tasks.iter().zip(&plan.tasks) {
        assert_eq!(event_task.task_id, task.task_id);
        assert_eq!(event_task.item_ids, vec![task.item_id]);
        assert_eq!(event_task.task_type, task.task_type.as_str());
        assert_eq!(event_task.target_system, task.target_system.as_str());
        assert_eq!(event_task.depends_on, task.depends_on);
        assert_eq!(
            event_task.template_key.as_deref(),
            Some(task.template_key.as_str())
        );
        assert_eq!(
            event_task.compensation_task_type.as_deref(),
            task.compensation.as_ref().map(TaskType::as_str)
        );
    }
    // What fulfillment needs to complete items and plan compensations without calling back.
    let milestones: Vec<String> = summary
        .tasks
        .iter()
        .filter(|t| t.item_milestone == Some(true))
        .map(|t| name(&plan, t.task_id))
        .collect();
    assert_eq!(
        milestones,
        [
            "4.dispatch_technician",
            "1.activate_service",
            "2.configure_device",
            "3.activate_service"
        ]
    );
    assert!(summary.tasks.iter().all(|t| t.item_milestone.is_some()));
    let installation_effects: Vec<Option<AssetEffect>> = summary
        .tasks
        .iter()
        .filter(|t| t.item_ids == [item_id(4)])
        .map(|t| t.item_asset_effect)
        .collect();
    assert_eq!(installation_effects, [Some(AssetEffect::None); 3]);
    let access = id_of(&plan, "1.reserve_port");
    let reserve = summary.tasks.iter().find(|t| t.task_id == access).unwrap();
    assert_eq!(reserve.item_asset_effect, Some(AssetEffect::Create));
    assert_eq!(
        reserve.compensation_task_type.as_deref(),
        Some("RELEASE_RESERVATION")
    );
}
