//! Shared test vocabulary: the sample catalog, readable order builders with fixed ids, and
//! helpers to look at a plan by (item line, template key) instead of by opaque task id.

use oms_decomposition::catalog::TechnicalCatalog;
use oms_decomposition::planner::{DecompositionPlan, PlanningInput, PlanningItem};
use oms_domain::order::{ConfigurationSnapshot, ItemDependency, ServiceAddress};
use oms_domain::value::{
    AssetId, LineNumber, OrderId, OrderItemId, ProductOfferingId, Quantity, TaskId,
};
use oms_domain::vocab::{DependencyType, ItemAction};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The sample catalog shipped in `deploy/catalog/`.
pub const SAMPLE_CATALOG: &str = include_str!("../../../../deploy/catalog/catalog-v1.toml");

/// Loads the sample catalog afresh (a new parse, as after a service restart).
pub fn sample_catalog() -> TechnicalCatalog {
    TechnicalCatalog::from_toml("deploy/catalog/catalog-v1.toml", SAMPLE_CATALOG)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn order_id() -> OrderId {
    OrderId::parse("0190f0d2-7c1e-7a3b-9c4d-5e6f708192a3").unwrap()
}

/// Item ids are fixed per line so plans (and their hashes) are reproducible.
pub fn item_id(line: u32) -> OrderItemId {
    OrderItemId::from_uuid(Uuid::from_u128(
        0x0190_f0d2_0000_7000_8000_0000_0000_0000 + u128::from(line),
    ))
}

pub fn address() -> ServiceAddress {
    ServiceAddress {
        line1: "Jl. Jend. Sudirman Kav. 52-53".into(),
        line2: Some("Tower B, 12th floor".into()),
        city: "Jakarta".into(),
        postal_code: "12190".into(),
        country_code: "ID".into(),
    }
}

pub fn config(pairs: &[(&str, &str)]) -> ConfigurationSnapshot {
    ConfigurationSnapshot::new(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    )
    .unwrap()
}

/// An order item on `line`. Non-ADD items get a target asset `asset-<line>` (change orders
/// work on the installed base); use [`ItemExt::without_target`] to drop it.
pub fn item(line: u32, offering: &str, version: u32, action: ItemAction) -> PlanningItem {
    PlanningItem {
        item_id: item_id(line),
        line_number: LineNumber::parse(i64::from(line)).unwrap(),
        parent_id: None,
        action,
        offering_id: ProductOfferingId::parse(offering).unwrap(),
        offering_version: Some(version),
        quantity: Quantity::parse(1).unwrap(),
        target_asset_id: (action != ItemAction::Add)
            .then(|| AssetId::parse(&format!("asset-{line}")).unwrap()),
        configuration_hash: config(&[]).hash().clone(),
        prerequisites: Vec::new(),
    }
}

pub trait ItemExt: Sized {
    fn child_of(self, parent: &PlanningItem) -> Self;
    fn depends_on(self, other: &PlanningItem) -> Self;
    fn without_target(self) -> Self;
    fn configured(self, pairs: &[(&str, &str)]) -> Self;
}

impl ItemExt for PlanningItem {
    fn child_of(mut self, parent: &PlanningItem) -> Self {
        self.parent_id = Some(parent.item_id);
        self
    }

    fn depends_on(mut self, other: &PlanningItem) -> Self {
        self.prerequisites.push(ItemDependency {
            depends_on: other.item_id,
            dependency_type: DependencyType::Technical,
        });
        self
    }

    fn without_target(mut self) -> Self {
        self.target_asset_id = None;
        self
    }

    fn configured(mut self, pairs: &[(&str, &str)]) -> Self {
        self.configuration_hash = config(pairs).hash().clone();
        self
    }
}

/// An order at the sample business address.
pub fn order(items: Vec<PlanningItem>) -> PlanningInput {
    PlanningInput::new(order_id(), items, Some(address()))
}

/// `"<line>.<template key>"` of a task, e.g. `"1.activate_service"`.
pub fn name(plan: &DecompositionPlan, id: TaskId) -> String {
    let task = plan
        .task(id)
        .unwrap_or_else(|| panic!("task {id} not in plan"));
    let line = plan.item(task.item_id).unwrap().line_number;
    format!("{line}.{}", task.template_key)
}

/// Task names in plan order.
pub fn names(plan: &DecompositionPlan) -> Vec<String> {
    plan.tasks.iter().map(|t| name(plan, t.task_id)).collect()
}

/// Every edge as `("waiter", "waited for")` names.
pub fn edges(plan: &DecompositionPlan) -> std::collections::BTreeSet<(String, String)> {
    plan.tasks
        .iter()
        .flat_map(|t| {
            t.depends_on
                .iter()
                .map(|d| (name(plan, t.task_id), name(plan, *d)))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The id of the task named `"<line>.<key>"`.
pub fn id_of(plan: &DecompositionPlan, task: &str) -> TaskId {
    plan.tasks
        .iter()
        .find(|t| name(plan, t.task_id) == task)
        .unwrap_or_else(|| panic!("no task {task} in {:?}", names(plan)))
        .task_id
}

/// The fiber bundle of the source documents (002 §24): business fiber 1 Gbps with a managed
/// router, a static IP add-on and an on-site installation, all new (ADD).
///
/// Hierarchy: router, static IP and installation are children of the internet access.
/// Declared dependencies: the access waits for the installation (the technician installs
/// the ONT before the line can be activated); the static IP depends on the access.
pub fn fiber_bundle() -> PlanningInput {
    let access = item(1, "po-fiber-internet-1g", 2, ItemAction::Add)
        .configured(&[("bandwidth", "1Gbps"), ("profile", "BUSINESS_1G")]);
    let router = item(2, "po-managed-router", 2, ItemAction::Add)
        .child_of(&access)
        .configured(&[("model", "MR-600")]);
    let static_ip = item(3, "po-static-ip", 1, ItemAction::Add)
        .child_of(&access)
        .depends_on(&access)
        .configured(&[("blockSize", "/29")]);
    let installation = item(4, "po-onsite-installation", 1, ItemAction::Add).child_of(&access);
    let access = access.depends_on(&installation);
    order(vec![access, router, static_ip, installation])
}
