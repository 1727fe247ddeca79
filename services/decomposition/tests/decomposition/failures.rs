//! Every failure code the planner produces, each from a realistic order, with the item it
//! concerns and an operator remediation; plus the precedence between phases.

use oms_decomposition::planner::{DecompositionFailure, PlanningInput, decompose};
use oms_domain::order::ItemDependency;
use oms_domain::value::{AssetId, OrderItemId};
use oms_domain::vocab::{DecompositionFailureCode as Code, DependencyType, ItemAction};
use uuid::Uuid;

use crate::support::{ItemExt, fiber_bundle, item, item_id, order, order_id, sample_catalog};

fn fail(input: &PlanningInput) -> DecompositionFailure {
    let failure = decompose(input, &sample_catalog()).expect_err("decomposition should fail");
    assert!(!failure.remediation.trim().is_empty(), "{failure:?}");
    assert!(
        !failure.is_retryable(),
        "planner failures need a fix, not a retry"
    );
    failure
}

fn assert_failure(input: &PlanningInput, code: Code, item: Option<OrderItemId>, mentions: &[&str]) {
    let failure = fail(input);
    assert_eq!(failure.code, code, "{failure}");
    assert_eq!(failure.item_id, item, "{failure}");
    for text in mentions {
        assert!(
            failure.message.contains(text) || failure.remediation.contains(text),
            "`{text}` not in {failure:?}"
        );
    }
}

// --- DECOMPOSITION_RULE_MISSING: the offering is not in the catalog at all ---------------

#[test]
fn offering_the_catalog_has_never_heard_of_is_rule_missing() {
    // Sales launched SD-WAN before anyone wrote its technical rules.
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let sdwan = item(2, "po-sdwan-edge", 1, ItemAction::Add).child_of(&access);
    assert_failure(
        &order(vec![access, sdwan]),
        Code::DecompositionRuleMissing,
        Some(item_id(2)),
        &["po-sdwan-edge", "Catalog fix", "v1+"],
    );
}

// --- TECHNICAL_CATALOG_MAPPING_MISSING: known offering, unmapped version ----------------

#[test]
fn offering_version_outside_every_rule_range_is_mapping_missing() {
    // CPQ sells version 3 of the 1 Gbps offering; the catalog maps versions 1..=2 only.
    let access = item(1, "po-fiber-internet-1g", 3, ItemAction::Add);
    assert_failure(
        &order(vec![access]),
        Code::TechnicalCatalogMappingMissing,
        Some(item_id(1)),
        &["version 3", "1..=2", "cover version 3"],
    );
}

// --- UNSUPPORTED_ACTION_TYPE: offering and version known, action not ---------------------

#[test]
fn moving_a_mobile_plan_is_unsupported() {
    let plan = item(1, "po-mobile-business-plan", 1, ItemAction::Move);
    assert_failure(
        &order(vec![plan]),
        Code::UnsupportedActionType,
        Some(item_id(1)),
        &[
            "does not support MOVE",
            "ADD, MODIFY, DELETE, SUSPEND, RESUME, RENEW",
        ],
    );
}

#[test]
fn reconfiguring_an_end_of_sale_router_is_unsupported() {
    // Version 1 routers can only be returned (DELETE); MODIFY exists for version 2 only.
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::NoChange);
    let router = item(2, "po-managed-router", 1, ItemAction::Modify).child_of(&access);
    assert_failure(
        &order(vec![access, router]),
        Code::UnsupportedActionType,
        Some(item_id(2)),
        &["supported actions: DELETE"],
    );
}

#[test]
fn suspending_premium_support_on_its_own_is_unsupported() {
    let support = item(1, "po-premium-support", 1, ItemAction::Suspend);
    assert_failure(
        &order(vec![support]),
        Code::UnsupportedActionType,
        Some(item_id(1)),
        &["SUSPEND"],
    );
}

// --- TARGET_ASSET_NOT_FOUND: a change without the asset it changes -----------------------

#[test]
fn disconnecting_a_static_ip_without_naming_the_asset_is_target_asset_not_found() {
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::NoChange);
    let static_ip = item(2, "po-static-ip", 1, ItemAction::Delete)
        .child_of(&access)
        .without_target();
    assert_failure(
        &order(vec![access, static_ip]),
        Code::TargetAssetNotFound,
        Some(item_id(2)),
        &["DELETE", "no target asset", "installed base"],
    );
}

#[test]
fn no_change_context_item_still_needs_its_asset() {
    // NO_CHANGE says "keep the existing component": which one must be known (DOMAIN §3).
    let access = item(1, "po-fiber-internet-500m", 1, ItemAction::Modify);
    let router = item(2, "po-managed-router", 2, ItemAction::NoChange)
        .child_of(&access)
        .without_target();
    assert_failure(
        &order(vec![access, router]),
        Code::TargetAssetNotFound,
        Some(item_id(2)),
        &["NO_CHANGE"],
    );
}

// --- ORDER_INVALID: structural and data problems ------------------------------------------

#[test]
fn parent_that_is_not_in_the_order_is_order_invalid() {
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let mut static_ip = item(2, "po-static-ip", 1, ItemAction::Add).child_of(&access);
    static_ip.parent_id = Some(OrderItemId::from_uuid(Uuid::from_u128(0xdead)));
    assert_failure(
        &order(vec![access, static_ip]),
        Code::OrderInvalid,
        Some(item_id(2)),
        &["not an item of this order"],
    );
}

#[test]
fn dependency_on_an_unknown_item_or_itself_is_order_invalid() {
    let mut access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    access.prerequisites.push(ItemDependency {
        depends_on: item_id(9),
        dependency_type: DependencyType::Sequence,
    });
    assert_failure(
        &order(vec![access.clone()]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &["not an item of this order"],
    );
    access.prerequisites[0].depends_on = item_id(1);
    assert_failure(
        &order(vec![access]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &["the item itself"],
    );
}

#[test]
fn duplicate_item_ids_and_empty_orders_are_order_invalid() {
    let a = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let mut b = item(2, "po-static-ip", 1, ItemAction::Add);
    b.item_id = a.item_id;
    assert_failure(
        &order(vec![a, b]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &["twice"],
    );
    assert_failure(&order(vec![]), Code::OrderInvalid, None, &["no items"]);
}

#[test]
fn hierarchy_and_declared_dependency_cycles_are_order_invalid() {
    let a = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let b = item(2, "po-premium-support", 1, ItemAction::Add).child_of(&a);
    let a_in_cycle = a.clone().child_of(&b);
    assert_failure(
        &order(vec![a_in_cycle, b.clone()]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &["hierarchy has a cycle"],
    );
    let mobile = item(3, "po-mobile-business-plan", 1, ItemAction::Add);
    let device = item(4, "po-mobile-device", 1, ItemAction::Add).depends_on(&mobile);
    let mobile = mobile.depends_on(&device);
    assert_failure(
        &order(vec![mobile, device]),
        Code::OrderInvalid,
        Some(item_id(3)),
        &["declared item dependencies have a cycle"],
    );
}

#[test]
fn access_that_waits_for_its_own_add_on_is_a_cycle_once_decomposed() {
    // The hierarchy alone and the dependencies alone are acyclic, but the static IP's
    // activation waits for its parent's, and the order makes the parent wait for the add-on.
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    let static_ip = item(2, "po-static-ip", 1, ItemAction::Add).child_of(&access);
    let access = access.depends_on(&static_ip);
    assert_failure(
        &order(vec![access, static_ip]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &[
            "wait for each other in a cycle",
            "line 2 (po-static-ip ADD) activate_service",
        ],
    );
}

#[test]
fn adding_an_add_on_to_an_access_being_disconnected_is_order_invalid() {
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Delete);
    let static_ip = item(2, "po-static-ip", 1, ItemAction::Add).child_of(&access);
    assert_failure(
        &order(vec![access.clone(), static_ip]),
        Code::OrderInvalid,
        Some(item_id(2)),
        &["child of a DELETE parent"],
    );
    // Keeping a child unchanged while its parent is disconnected would orphan it.
    let router = item(3, "po-managed-router", 2, ItemAction::NoChange).child_of(&access);
    assert_failure(
        &order(vec![access, router]),
        Code::OrderInvalid,
        Some(item_id(3)),
        &["orphaned"],
    );
}

#[test]
fn resuming_a_child_of_a_suspended_parent_is_order_invalid() {
    let plan = item(1, "po-mobile-business-plan", 1, ItemAction::Suspend);
    let device = item(2, "po-mobile-device", 1, ItemAction::Add).child_of(&plan);
    assert_failure(
        &order(vec![plan, device]),
        Code::OrderInvalid,
        Some(item_id(2)),
        &["SUSPEND parent"],
    );
}

#[test]
fn add_with_a_target_asset_is_order_invalid() {
    let mut access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add);
    access.target_asset_id = Some(AssetId::parse("asset-77").unwrap());
    assert_failure(
        &order(vec![access]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &["asset-77"],
    );
}

#[test]
fn mutating_item_without_offering_version_is_order_invalid() {
    let mut access = item(1, "po-fiber-internet-1g", 2, ItemAction::Modify);
    access.offering_version = None;
    assert_failure(
        &order(vec![access]),
        Code::OrderInvalid,
        Some(item_id(1)),
        &["no product offering version"],
    );
}

#[test]
fn order_of_only_no_change_items_is_order_invalid() {
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::NoChange);
    assert_failure(
        &order(vec![access]),
        Code::OrderInvalid,
        None,
        &["every item is NO_CHANGE"],
    );
}

#[test]
fn shipment_or_visit_without_a_service_location_is_order_invalid() {
    let mut input = fiber_bundle();
    input.service_location = None;
    // The router ships a device (line 2) and comes before the installation (line 4).
    assert_failure(
        &input,
        Code::OrderInvalid,
        Some(item_id(2)),
        &["service location", "SHIP_DEVICE"],
    );
    // A speed change needs no place: the same order shape without shipments is fine.
    let modify = item(1, "po-fiber-internet-1g", 2, ItemAction::Modify);
    let input = PlanningInput::new(order_id(), vec![modify], None);
    assert!(decompose(&input, &sample_catalog()).is_ok());
}

// --- precedence and the service-layer codes -----------------------------------------------

#[test]
fn data_problems_are_reported_before_catalog_problems() {
    // Line 1 has a catalog problem, line 2 a data problem: fix the data first.
    let unknown = item(1, "po-sdwan-edge", 1, ItemAction::Add);
    let static_ip = item(2, "po-static-ip", 1, ItemAction::Delete).without_target();
    assert_failure(
        &order(vec![unknown, static_ip]),
        Code::TargetAssetNotFound,
        Some(item_id(2)),
        &[],
    );
}

#[test]
fn within_a_phase_the_first_item_in_line_order_is_reported() {
    let a = item(2, "po-sdwan-edge", 1, ItemAction::Add);
    let b = item(1, "po-fiber-internet-1g", 7, ItemAction::Add);
    // Listed out of order on purpose: line 1 is still the one reported.
    assert_failure(
        &order(vec![a, b]),
        Code::TechnicalCatalogMappingMissing,
        Some(item_id(1)),
        &[],
    );
}

#[test]
fn only_the_temporary_code_is_retryable() {
    assert!(DecompositionFailure::temporary("database unavailable").is_retryable());
    let internal = DecompositionFailure::internal("stored catalog v3 failed to load");
    assert!(!internal.is_retryable());
    assert_eq!(internal.code, Code::InternalError);
    assert!(internal.to_string().starts_with("INTERNAL_ERROR: "));
}

#[test]
fn every_code_of_the_taxonomy_is_covered() {
    // The planner produces five codes (tests above); the service layer the other two.
    let planner_codes = [
        Code::OrderInvalid,
        Code::DecompositionRuleMissing,
        Code::TechnicalCatalogMappingMissing,
        Code::TargetAssetNotFound,
        Code::UnsupportedActionType,
    ];
    let service_codes = [
        DecompositionFailure::temporary("x").code,
        DecompositionFailure::internal("x").code,
    ];
    let mut all: Vec<&str> = planner_codes
        .iter()
        .chain(&service_codes)
        .map(|c| c.as_str())
        .collect();
    all.sort_unstable();
    let mut taxonomy: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    taxonomy.sort_unstable();
    assert_eq!(all, taxonomy);
}
