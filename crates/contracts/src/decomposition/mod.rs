//! `oms.decomposition.events.v1` (namespace `com.example.oms.decomposition.v1`): the
//! decomposition service's outcome for an order (a fulfillment plan, or a classified
//! failure), keyed by order id. Consumers: order-capture (records the plan or opens a
//! fallout case), fulfillment (executes the plan), projections.
//!
//! - [`DecompositionEventV1`]: the family;
//! - `From<&DecompositionEvent>` (the decomposition service's outbox; mints the event id);
//! - `TryFrom<&DecompositionEventV1> for DecompositionEvent` (consumers).

mod mapping;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::common::{AssetEffect, ExternalEffectLevel, fact_event};
use crate::wire::{contract_enum, uuid_list};
use oms_domain::vocab;
use oms_messaging::avro_serde;

contract_enum! {
    /// Whether a task's effect can be undone; unknown values read as MANUAL.
    TaskReversibility <=> vocab::TaskReversibility, default = Manual {
        None = "NONE", Automatic = "AUTOMATIC", Manual = "MANUAL", Partial = "PARTIAL",
    }
}

contract_enum! {
    /// Classified decomposition failure; unknown codes read as INTERNAL_ERROR.
    DecompositionFailureCode <=> vocab::DecompositionFailureCode, default = InternalError {
        OrderInvalid = "ORDER_INVALID",
        DecompositionRuleMissing = "DECOMPOSITION_RULE_MISSING",
        TechnicalCatalogMappingMissing = "TECHNICAL_CATALOG_MAPPING_MISSING",
        TargetAssetNotFound = "TARGET_ASSET_NOT_FOUND",
        UnsupportedActionType = "UNSUPPORTED_ACTION_TYPE",
        TemporaryDependencyUnavailable = "TEMPORARY_DEPENDENCY_UNAVAILABLE",
        InternalError = "INTERNAL_ERROR",
    }
}

/// Tasks to run against downstream systems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentPlan {
    #[serde(with = "avro_serde::uuid")]
    pub plan_id: Uuid,
    pub rules_version: String,
    pub tasks: Vec<PlannedTask>,
}

/// One task of the plan, with what cancellation needs later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedTask {
    #[serde(with = "avro_serde::uuid")]
    pub task_id: Uuid,
    #[serde(with = "uuid_list")]
    pub item_ids: Vec<Uuid>,
    pub task_type: String,
    pub target_system: String,
    #[serde(with = "uuid_list")]
    pub depends_on: Vec<Uuid>,
    pub reversibility: TaskReversibility,
    pub external_effect_level: ExternalEffectLevel,
    // Optional fields added after release 1: `default` because the codec decodes with the
    // writer's schema, and a record written before them has no such field at all.
    #[serde(default)]
    pub template_key: Option<String>,
    #[serde(default)]
    pub compensation_task_type: Option<String>,
    #[serde(default)]
    pub item_milestone: Option<bool>,
    #[serde(default)]
    pub item_asset_effect: Option<AssetEffect>,
    #[serde(default)]
    pub inputs: Option<Vec<String>>,
}

fact_event!(
    /// The plan of an order.
    OrderDecomposed { plan: FulfillmentPlan }
);
fact_event!(
    /// The order could not be decomposed.
    OrderDecompositionFailed {
        #[serde(with = "avro_serde::uuid")]
        fallout_id: Uuid,
        code: DecompositionFailureCode,
        #[serde(with = "avro_serde::uuid_opt", default)]
        item_id: Option<Uuid>,
        message: String,
        remediation: String,
    }
);

fact_event!(
    /// An amended order was decomposed again with its plan's rules version.
    OrderRedecomposed {
        #[serde(with = "avro_serde::uuid")]
        request_id: Uuid,
        #[serde(with = "avro_serde::uuid")]
        previous_plan_id: Uuid,
        plan: FulfillmentPlan,
    }
);
fact_event!(
    /// The amended order could not be decomposed.
    OrderRedecompositionFailed {
        #[serde(with = "avro_serde::uuid")]
        request_id: Uuid,
        code: DecompositionFailureCode,
        #[serde(with = "avro_serde::uuid_opt", default)]
        item_id: Option<Uuid>,
        message: String,
        remediation: String,
    }
);

oms_messaging::event_family! {
    /// Every record of `oms.decomposition.events.v1`.
    pub enum DecompositionEventV1 in "oms.decomposition.events.v1" {
        OrderDecomposed(OrderDecomposed) = "com.example.oms.decomposition.v1.OrderDecomposed",
            include_str!("../../../../schemas/oms.decomposition.events.v1/OrderDecomposed.avsc");
        OrderDecompositionFailed(OrderDecompositionFailed) = "com.example.oms.decomposition.v1.OrderDecompositionFailed",
            include_str!("../../../../schemas/oms.decomposition.events.v1/OrderDecompositionFailed.avsc");
        OrderRedecomposed(OrderRedecomposed) = "com.example.oms.decomposition.v1.OrderRedecomposed",
            include_str!("../../../../schemas/oms.decomposition.events.v1/OrderRedecomposed.avsc");
        OrderRedecompositionFailed(OrderRedecompositionFailed) = "com.example.oms.decomposition.v1.OrderRedecompositionFailed",
            include_str!("../../../../schemas/oms.decomposition.events.v1/OrderRedecompositionFailed.avsc");
    }
}
