//! The operator actions that exist for what the read model shows, and which service owns each.
//!
//! The projections service never changes state: an action is a description of a call to the
//! owning service's API (service, method, path, the body fields it needs) that the dashboard
//! makes with the operator's own token (ADR 0011). Which repair fits a fallout case follows
//! the runbook ("An order is in FALLOUT"):
//!
//! | case category | owner | actions |
//! |---|---|---|
//! | FULFILLMENT, COMPENSATION (a task fell out) | fulfillment | retry the task; complete it with evidence; waive the item |
//! | DECOMPOSITION | order-capture | repair RESUME once the catalog (or the data) is fixed |
//! | ITEM_FAILURE | order-capture | repair RETRY_ITEM or WAIVE_ITEM |
//! | MANUAL | order-capture | repair RESUME |
//!
//! A hold is released at order-capture.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Who executes an action.
pub const ORDER_CAPTURE: &str = "order-capture";
pub const FULFILLMENT: &str = "fulfillment";

/// One input the operator gives; `name` is its dotted path in the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActionField {
    /// Path in the JSON body, e.g. `reason` or `evidence.externalRef`.
    pub name: &'static str,
    pub label: &'static str,
}

/// A call to an owning service that repairs or releases something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperatorAction {
    /// Stable id, e.g. `retry-task`.
    pub id: &'static str,
    pub label: &'static str,
    /// The owning service (`order-capture` or `fulfillment`); its base URL is in the session.
    pub service: &'static str,
    pub method: &'static str,
    pub path: String,
    /// Fixed body members (e.g. `{"resolution": "RESUME"}`).
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    /// What the operator fills in (always a reason, for the audit trail).
    pub fields: Vec<ActionField>,
    /// The main action of the case (the one a button shows first).
    pub primary: bool,
    /// Scope the operator's token needs.
    pub scope: &'static str,
    /// What to do or check before acting.
    pub hint: Option<String>,
}

const REASON: ActionField = ActionField {
    name: "reason",
    label: "Reason (recorded in the audit trail)",
};

/// The fallout case an action is for.
#[derive(Debug, Clone, Copy)]
pub struct CaseRef<'a> {
    pub order_id: Uuid,
    pub fallout_id: Uuid,
    pub category: &'a str,
    pub code: &'a str,
    pub task_id: Option<Uuid>,
    pub item_id: Option<Uuid>,
}

fn repair(
    case: &CaseRef<'_>,
    resolution: &str,
    label: &'static str,
    primary: bool,
) -> OperatorAction {
    OperatorAction {
        id: match resolution {
            "RETRY_ITEM" => "repair-retry-item",
            "WAIVE_ITEM" => "repair-waive-item",
            _ => "repair-resume",
        },
        label,
        service: ORDER_CAPTURE,
        method: "POST",
        path: format!(
            "/api/v1/orders/{}/fallouts/{}/repair",
            case.order_id, case.fallout_id
        ),
        body: serde_json::json!({ "resolution": resolution }),
        fields: vec![REASON],
        primary,
        scope: "operator",
        hint: None,
    }
}

/// The actions that repair `case`, the primary one first.
pub fn for_fallout(case: &CaseRef<'_>) -> Vec<OperatorAction> {
    match case.category {
        "FULFILLMENT" | "COMPENSATION" => {
            let Some(task_id) = case.task_id else {
                return vec![repair(case, "RESUME", "Repair (resume)", true)];
            };
            let task = format!("/api/v1/fulfillment/{}/tasks/{task_id}", case.order_id);
            let mut actions = vec![
                OperatorAction {
                    id: "retry-task",
                    label: "Retry task",
                    service: FULFILLMENT,
                    method: "POST",
                    path: format!("{task}/retry"),
                    body: serde_json::json!({}),
                    fields: vec![REASON],
                    primary: true,
                    scope: "operator",
                    hint: Some(
                        "Fix the downstream cause first; the task then runs again with a fresh \
                         retry budget and the case closes."
                            .to_owned(),
                    ),
                },
                OperatorAction {
                    id: "complete-task",
                    label: "Complete manually",
                    service: FULFILLMENT,
                    method: "POST",
                    path: format!("{task}/complete"),
                    body: serde_json::json!({}),
                    fields: vec![
                        REASON,
                        ActionField {
                            name: "evidence.externalRef",
                            label: "Reference of the work done outside the engine",
                        },
                    ],
                    primary: false,
                    scope: "operator",
                    hint: Some("The work was done outside the engine.".to_owned()),
                },
            ];
            if let Some(item_id) = case.item_id {
                actions.push(OperatorAction {
                    id: "waive-item",
                    label: "Waive item",
                    service: FULFILLMENT,
                    method: "POST",
                    path: format!(
                        "/api/v1/fulfillment/{}/items/{item_id}/waive",
                        case.order_id
                    ),
                    body: serde_json::json!({}),
                    fields: vec![
                        REASON,
                        ActionField {
                            name: "policyRef",
                            label: "Policy reference allowing the waiver",
                        },
                    ],
                    primary: false,
                    scope: "operator",
                    hint: Some("The item will not be fulfilled (audited decision).".to_owned()),
                });
            }
            actions
        }
        "DECOMPOSITION" => {
            let hint = match case.code {
                "DECOMPOSITION_RULE_MISSING"
                | "TECHNICAL_CATALOG_MAPPING_MISSING"
                | "UNSUPPORTED_ACTION_TYPE" => {
                    "Publish a catalog version with the missing rule first (docs/catalog.md §7); \
                     the repair releases the order for decomposition again."
                }
                "ORDER_INVALID" | "TARGET_ASSET_NOT_FOUND" => {
                    "The order's data is wrong: it cannot be fixed in place. Close it with the \
                     business decision and capture a corrected order."
                }
                _ => "Repair once the dependency is available again.",
            };
            let mut action = repair(case, "RESUME", "Repair (resume)", true);
            action.hint = Some(hint.to_owned());
            vec![action]
        }
        "ITEM_FAILURE" => vec![
            repair(case, "RETRY_ITEM", "Retry item", true),
            repair(case, "WAIVE_ITEM", "Waive item", false),
        ],
        _ => vec![repair(case, "RESUME", "Repair (resume)", true)],
    }
}

/// Releasing hold `hold_id` of `order_id`.
pub fn release_hold(order_id: Uuid, hold_id: Uuid) -> OperatorAction {
    OperatorAction {
        id: "release-hold",
        label: "Release hold",
        service: ORDER_CAPTURE,
        method: "POST",
        path: format!("/api/v1/orders/{order_id}/holds/{hold_id}/release"),
        body: serde_json::json!({}),
        fields: vec![REASON],
        primary: true,
        scope: "orders:write",
        hint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case<'a>(category: &'a str, code: &'a str, task: bool) -> CaseRef<'a> {
        CaseRef {
            order_id: Uuid::nil(),
            fallout_id: Uuid::from_u128(1),
            category,
            code,
            task_id: task.then(|| Uuid::from_u128(2)),
            item_id: Some(Uuid::from_u128(3)),
        }
    }

    #[test]
    fn a_task_fallout_is_retried_at_fulfillment() {
        let actions = for_fallout(&case("FULFILLMENT", "SIMULATED_REJECTION", true));
        let primary = &actions[0];
        assert_eq!(primary.id, "retry-task");
        assert_eq!(primary.service, FULFILLMENT);
        assert_eq!(
            primary.path,
            format!(
                "/api/v1/fulfillment/{}/tasks/{}/retry",
                Uuid::nil(),
                Uuid::from_u128(2)
            )
        );
        assert!(actions.iter().any(|a| a.id == "waive-item"));
        assert_eq!(actions.iter().filter(|a| a.primary).count(), 1);
    }

    #[test]
    fn a_decomposition_fallout_is_repaired_at_order_capture_after_the_catalog_fix() {
        let actions = for_fallout(&case("DECOMPOSITION", "DECOMPOSITION_RULE_MISSING", false));
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0].service, ORDER_CAPTURE);
        assert_eq!(actions[0].body["resolution"], "RESUME");
        assert!(actions[0].hint.as_deref().unwrap().contains("catalog"));
    }

    #[test]
    fn an_item_failure_is_retried_or_waived_and_every_action_asks_for_a_reason() {
        let actions = for_fallout(&case("ITEM_FAILURE", "ASSET_INCONSISTENCY_DETECTED", false));
        let resolutions: Vec<_> = actions
            .iter()
            .map(|a| a.body["resolution"].clone())
            .collect();
        assert_eq!(resolutions, ["RETRY_ITEM", "WAIVE_ITEM"]);
        for action in actions
            .iter()
            .chain(&for_fallout(&case("FULFILLMENT", "X", true)))
        {
            assert!(
                action.fields.iter().any(|f| f.name == "reason"),
                "{}",
                action.id
            );
        }
    }
}
