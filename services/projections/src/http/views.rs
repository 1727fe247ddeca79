//! The API's JSON shapes (camelCase, enums as their SCREAMING_SNAKE names, amounts as decimal
//! strings, times RFC 3339) and their construction from the read model. Every type here
//! derives `ToSchema`: the OpenAPI document is generated from exactly these types.

use chrono::{DateTime, Utc};
use oms_domain::Order;
use oms_domain::lifecycle::CustomerStatus;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::actions::{self, CaseRef, OperatorAction};
use crate::store::fallouts::CaseRow;
use crate::store::orders::Listed;
use crate::store::tasks::TaskRow;
use crate::store::{enum_of, text_of};

/// The customer-facing status (002 §14): a code and the words customers see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerStatusView {
    /// RECEIVED, PROCESSING, ACTION_REQUIRED, COMPLETED, CANCELLED or REJECTED.
    #[schema(example = "PROCESSING")]
    pub code: String,
    #[schema(example = "Processing")]
    pub label: String,
}

impl CustomerStatusView {
    pub fn of(code: &str) -> Self {
        let label = enum_of::<CustomerStatus>("customer_status", code)
            .map_or_else(|_| code.to_owned(), |s| s.label().to_owned());
        Self {
            code: code.to_owned(),
            label,
        }
    }
}

/// Item counts of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemCounts {
    pub total: i32,
    /// Items per item state (known once the order is validated).
    #[schema(example = json!({"COMPLETED": 3, "IN_PROGRESS": 1}))]
    pub by_state: BTreeMap<String, i64>,
}

/// One row of the order summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    pub order_id: Uuid,
    #[schema(example = "O-2026-00000421")]
    pub order_number: String,
    #[schema(example = "QUOTE_DERIVED")]
    pub capture_mode: String,
    #[schema(example = "NEW_PROVIDE")]
    pub order_type: Option<String>,
    pub customer_id: String,
    pub account_id: String,
    /// The header state, e.g. IN_PROGRESS.
    #[schema(example = "IN_PROGRESS")]
    pub state: String,
    pub customer_status: CustomerStatusView,
    /// The order's version (number of order events).
    pub version: i64,
    pub items: ItemCounts,
    pub active_holds: i32,
    pub blocking_holds: i32,
    pub open_fallouts: i32,
    /// Whether the order has an open fallout case.
    pub fallout: bool,
    #[schema(example = "EUR")]
    pub currency: String,
    /// Order total as a decimal string (known once validated).
    #[schema(example = "129.0000")]
    pub order_total: Option<String>,
    /// Order total per price component kind.
    pub totals_by_kind: BTreeMap<String, String>,
    pub plan_id: Option<Uuid>,
    /// When the order first entered each state it has been in.
    pub milestones: BTreeMap<String, DateTime<Utc>>,
    pub captured_at: DateTime<Utc>,
    pub state_entered_at: DateTime<Utc>,
    /// occurredAt of the last order event.
    pub updated_at: DateTime<Utc>,
    /// occurredAt of the last event about the order on any topic.
    pub last_event_at: Option<DateTime<Utc>>,
}

impl From<Listed> for OrderSummary {
    fn from(listed: Listed) -> Self {
        let r = listed.row;
        Self {
            order_id: r.order_id,
            order_number: r.order_number,
            capture_mode: r.capture_mode,
            order_type: r.order_type,
            customer_id: r.customer_id,
            account_id: r.account_id,
            customer_status: CustomerStatusView::of(&r.customer_status),
            state: r.state,
            version: r.order_version,
            items: ItemCounts {
                total: r.item_count,
                by_state: r.item_states,
            },
            active_holds: r.active_holds,
            blocking_holds: r.blocking_holds,
            open_fallouts: r.open_fallouts,
            fallout: r.open_fallouts > 0,
            currency: r.currency,
            order_total: r.order_total.map(|t| t.to_string()),
            totals_by_kind: r.totals_by_kind,
            plan_id: r.plan_id,
            milestones: r.milestones,
            captured_at: r.captured_at,
            state_entered_at: r.state_entered_at,
            updated_at: r.updated_at,
            last_event_at: listed.last_event_at,
        }
    }
}

/// One page of the summary; `nextCursor` fetches the next one (absent on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    pub next_cursor: Option<String>,
}

/// An order item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    pub item_id: Uuid,
    pub line_number: u32,
    pub client_item_ref: String,
    /// Commercial parent (bundle hierarchy).
    pub parent_id: Option<Uuid>,
    #[schema(example = "ADD")]
    pub action: String,
    pub offering_id: String,
    pub offering_name: Option<String>,
    pub quantity: u32,
    #[schema(example = "IN_PROGRESS")]
    pub state: String,
    #[schema(example = "WAITING_FOR_EXTERNAL_SYSTEM")]
    pub fulfillment_state: String,
    pub total: String,
    pub currency: String,
    pub target_asset_id: Option<String>,
    pub actual_asset_id: Option<String>,
    /// Items this one waits for (dependency graph).
    pub depends_on: Vec<Uuid>,
    pub activation_date: Option<String>,
}

/// A hold, with the action that releases it while it is active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HoldView {
    pub hold_id: Uuid,
    #[schema(example = "CREDIT")]
    pub hold_type: String,
    pub blocking: bool,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: DateTime<Utc>,
    pub active: bool,
    pub released_by: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
    pub release_reason: Option<String>,
    pub actions: Vec<OperatorAction>,
}

/// A fallout case, with its age and the actions that repair it while it is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FalloutView {
    pub fallout_id: Uuid,
    pub order_id: Uuid,
    pub order_number: Option<String>,
    pub order_state: Option<String>,
    pub customer_id: Option<String>,
    /// DECOMPOSITION, FULFILLMENT, ITEM_FAILURE, COMPENSATION or MANUAL.
    #[schema(example = "FULFILLMENT")]
    pub category: String,
    /// The reason code, e.g. SIMULATED_REJECTION or DECOMPOSITION_RULE_MISSING.
    pub code: String,
    pub item_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub task_type: Option<String>,
    pub target_system: Option<String>,
    pub message: String,
    pub remediation: Option<String>,
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
    /// Seconds since the case was raised (open cases), or until it closed.
    pub age_seconds: i64,
    /// OPEN or CLOSED.
    pub status: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    /// The resolution (RESUME, RETRY_ITEM, WAIVE_ITEM) or the event that closed the case.
    pub closed_with: Option<String>,
    pub actions: Vec<OperatorAction>,
}

impl FalloutView {
    pub fn of(case: CaseRow, now: DateTime<Utc>) -> Self {
        let open = case.status == "OPEN";
        let actions = if open {
            actions::for_fallout(&CaseRef {
                order_id: case.order_id,
                fallout_id: case.fallout_id,
                category: &case.category,
                code: &case.code,
                task_id: case.task_id,
                item_id: case.item_id,
            })
        } else {
            Vec::new()
        };
        let until = case.closed_at.unwrap_or(now);
        Self {
            age_seconds: (until - case.raised_at).num_seconds().max(0),
            fallout_id: case.fallout_id,
            order_id: case.order_id,
            order_number: case.order_number,
            order_state: case.order_state,
            customer_id: case.customer_id,
            category: case.category,
            code: case.code,
            item_id: case.item_id,
            task_id: case.task_id,
            task_type: case.task_type,
            target_system: case.target_system,
            message: case.message,
            remediation: case.remediation,
            raised_at: case.raised_at,
            raised_by: case.raised_by,
            status: case.status,
            closed_at: case.closed_at,
            closed_by: case.closed_by,
            closed_with: case.closed_with,
            actions,
        }
    }
}

/// The last error a task reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TaskError {
    pub code: String,
    pub message: String,
}

/// A plan task and its execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub task_id: Uuid,
    pub plan_id: Option<Uuid>,
    #[schema(example = "RESERVE_ACCESS_PORT")]
    pub task_type: Option<String>,
    #[schema(example = "INVENTORY")]
    pub target_system: Option<String>,
    pub item_ids: Vec<Uuid>,
    /// Tasks that must succeed before this one runs.
    pub depends_on: Vec<Uuid>,
    /// PLANNED, RUNNING, SUCCEEDED, RETRY_SCHEDULED, FAILED, FALLOUT or RESOLVED.
    pub status: String,
    pub attempt: Option<i32>,
    pub last_error: Option<TaskError>,
    pub external_ref: Option<String>,
    pub fallout_id: Option<Uuid>,
    pub reversibility: Option<String>,
    pub external_effect_level: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub status_at: Option<DateTime<Utc>>,
}

impl From<TaskRow> for TaskView {
    fn from(t: TaskRow) -> Self {
        Self {
            task_id: t.task_id,
            plan_id: t.plan_id,
            task_type: t.task_type,
            target_system: t.target_system,
            item_ids: t.item_ids,
            depends_on: t.depends_on,
            status: t.status.unwrap_or_else(|| "PLANNED".to_owned()),
            attempt: t.attempt,
            last_error: t
                .last_error_code
                .zip(t.last_error_message)
                .map(|(code, message)| TaskError { code, message }),
            external_ref: t.external_ref,
            fallout_id: t.fallout_id,
            reversibility: t.reversibility,
            external_effect_level: t.external_effect_level,
            started_at: t.started_at,
            status_at: t.status_at,
        }
    }
}

/// The fulfillment plan of the order (its current plan; tasks of earlier plans are kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub plan_id: Option<Uuid>,
    pub tasks: Vec<TaskView>,
}

/// Where the order came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceView {
    pub system: String,
    pub channel: String,
    pub external_order_ref: Option<String>,
    pub quote_id: Option<String>,
    pub quote_revision: Option<u32>,
}

/// A validation finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ViolationView {
    pub code: String,
    pub path: String,
    pub message: String,
    pub severity: String,
}

/// An order with everything support and operations look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    pub summary: OrderSummary,
    pub source: SourceView,
    pub billing_account_id: Option<String>,
    pub requested_completion: Option<String>,
    pub items: Vec<ItemView>,
    pub holds: Vec<HoldView>,
    pub fallouts: Vec<FalloutView>,
    pub plan: PlanView,
    pub violations: Vec<ViolationView>,
}

fn actor_text(actor: &oms_domain::Actor) -> String {
    format!("{}:{}", text_of(&actor.kind()), actor.id())
}

/// The order page of `order`.
pub fn detail(
    summary: OrderSummary,
    order: &Order,
    tasks: Vec<TaskRow>,
    fallouts: Vec<CaseRow>,
    now: DateTime<Utc>,
) -> OrderDetail {
    let header = order.content.as_ref().map(|c| &c.header);
    let items = order
        .items()
        .iter()
        .map(|item| ItemView {
            item_id: item.id.as_uuid(),
            line_number: item.line_number.get(),
            client_item_ref: item.client_item_ref.as_str().to_owned(),
            parent_id: item.parent_id.map(|p| p.as_uuid()),
            action: text_of(&item.action),
            offering_id: item.product.offering_id.as_str().to_owned(),
            offering_name: item.product.offering_name.clone(),
            quantity: item.quantity.get(),
            state: text_of(&item.state),
            fulfillment_state: text_of(&item.fulfillment_state),
            total: item.price.total().amount().to_string(),
            currency: item.price.total().currency().as_str().to_owned(),
            target_asset_id: item.target_asset_id.as_ref().map(|a| a.as_str().to_owned()),
            actual_asset_id: item.actual_asset_id.as_ref().map(|a| a.as_str().to_owned()),
            depends_on: item
                .dependencies
                .iter()
                .map(|d| d.depends_on.as_uuid())
                .collect(),
            activation_date: item.activation_date.map(|d| d.to_string()),
        })
        .collect();
    let holds = order
        .holds
        .iter()
        .map(|hold| HoldView {
            hold_id: hold.id.as_uuid(),
            hold_type: text_of(&hold.hold_type),
            blocking: hold.blocking,
            reason: hold.reason.as_str().to_owned(),
            placed_by: actor_text(&hold.placed_by),
            placed_at: hold.placed_at,
            active: hold.is_active(),
            released_by: hold.released.as_ref().map(|r| actor_text(&r.released_by)),
            released_at: hold.released.as_ref().map(|r| r.released_at),
            release_reason: hold.released.as_ref().map(|r| r.reason.as_str().to_owned()),
            actions: if hold.is_active() && !order.state.is_terminal() {
                vec![actions::release_hold(order.id.as_uuid(), hold.id.as_uuid())]
            } else {
                Vec::new()
            },
        })
        .collect();
    let source = match header {
        Some(h) => SourceView {
            system: h.source.system.as_str().to_owned(),
            channel: h.source.channel.as_str().to_owned(),
            external_order_ref: h
                .source
                .external_order_ref
                .as_ref()
                .map(|r| r.as_str().to_owned()),
            quote_id: h
                .source
                .quote
                .as_ref()
                .map(|q| q.quote_id.as_str().to_owned()),
            quote_revision: h.source.quote.as_ref().map(|q| q.revision),
        },
        None => SourceView {
            system: order.intake.source_system.clone(),
            channel: order.intake.sales_channel.clone(),
            external_order_ref: order.intake.external_order_ref.clone(),
            quote_id: order.intake.quote.as_ref().map(|q| q.quote_id.clone()),
            quote_revision: order
                .intake
                .quote
                .as_ref()
                .and_then(|q| u32::try_from(q.revision).ok()),
        },
    };
    let current_plan = order.decomposition.as_ref().map(|d| d.plan_id.as_uuid());
    let tasks: Vec<TaskView> = tasks
        .into_iter()
        .filter(|t| current_plan.is_none() || t.plan_id.is_none() || t.plan_id == current_plan)
        .map(TaskView::from)
        .collect();
    OrderDetail {
        billing_account_id: header.map(|h| h.parties.billing_account_id.as_str().to_owned()),
        requested_completion: header
            .and_then(|h| h.dates.requested_completion)
            .map(|d| d.to_string()),
        summary,
        source,
        items,
        holds,
        fallouts: fallouts
            .into_iter()
            .map(|case| FalloutView::of(case, now))
            .collect(),
        plan: PlanView {
            plan_id: current_plan.or_else(|| tasks.iter().find_map(|t| t.plan_id)),
            tasks,
        },
        violations: order
            .violations
            .iter()
            .map(|v| ViolationView {
                code: v.code.code().to_owned(),
                path: v.path.clone(),
                message: v.message.clone(),
                severity: text_of(&v.severity),
            })
            .collect(),
    }
}

/// Who acted, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActorView {
    /// USER, SERVICE or SYSTEM.
    pub kind: String,
    pub id: String,
}

/// One event of an order's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// 1-based position in causal order.
    pub position: usize,
    pub event_id: Uuid,
    pub event_type: String,
    /// The service that wrote it.
    pub service: String,
    pub topic: String,
    pub occurred_at: DateTime<Utc>,
    pub order_version: Option<i64>,
    pub actor: ActorView,
    pub reason: Option<String>,
    pub summary: String,
    /// What the event is about, in words (e.g. the task type of `refs.taskId`).
    pub subject: Option<String>,
    /// Ids the event is about: itemId, taskId, falloutId, holdId, planId, assetId, requestId.
    #[schema(value_type = Object)]
    pub refs: serde_json::Map<String, serde_json::Value>,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    /// Position of the causing event, when it is on this timeline.
    pub caused_by: Option<usize>,
    pub trace_id: Option<String>,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub partition: i32,
    pub offset: i64,
}

/// An order's timeline, in causal order (see the ordering rules in docs/projections-api.md).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub order_id: Uuid,
    pub events: Vec<TimelineEntry>,
}

/// Words for a task: its type and system (`RESERVE_ACCESS_PORT @ INVENTORY`).
pub fn task_labels(tasks: &[TaskRow]) -> HashMap<String, String> {
    tasks
        .iter()
        .filter_map(|t| {
            let kind = t.task_type.as_ref()?;
            let label = match &t.target_system {
                Some(system) => format!("{kind} @ {system}"),
                None => kind.clone(),
            };
            Some((t.task_id.to_string(), label))
        })
        .collect()
}
