//! Decide, then write once.
//!
//! [`plan`] asks the domain to decide a command and then every automatic follow-up
//! (`next_automatic_command`: release for decomposition after validation, release for
//! fulfillment after the plan is recorded, either after a hold release), applying each
//! event to a working copy. [`write`] then persists the outcome in the caller's
//! transaction: first the order row (insert, or the optimistic `update ... where version =
//! $loaded`, which is where a concurrent writer is detected), then per event the event row,
//! the state history row and the outbox row, per command the audit row, and finally the
//! asset guard (reserved at capture, freed when the order ends).

use oms_contracts::OrderEventV1;
use oms_domain::lifecycle::OrderState;
use oms_domain::{
    DomainError, Order, OrderCommand, OrderEvent, TransitionMeta, decide, evolve,
    next_automatic_command,
};
use oms_messaging::{EventContract as _, Outbox};
use sqlx::PgConnection;

use super::{AppError, service_actor};
use crate::metrics;
use crate::store::records::{self, AuditEntry};
use crate::store::{assets, orders, wire};

/// Bound on automatic follow-ups of one command (the lifecycle needs at most two).
const MAX_AUTOMATIC_STEPS: usize = 4;

/// One decided command: what it was, who decided it, and the events with the state each
/// left the order in.
#[derive(Debug, Clone)]
pub struct Step {
    pub command: String,
    pub meta: TransitionMeta,
    pub before: Option<(OrderState, u64)>,
    pub events: Vec<(OrderEvent, Option<OrderState>, OrderState)>,
}

/// The outcome of a command and its follow-ups, not yet written.
#[derive(Debug, Clone)]
pub struct Decided {
    pub before: Option<Order>,
    pub after: Order,
    pub steps: Vec<Step>,
}

impl Decided {
    /// Every event, in order.
    pub fn events(&self) -> impl Iterator<Item = &OrderEvent> {
        self.steps
            .iter()
            .flat_map(|s| s.events.iter().map(|(e, _, _)| e))
    }
}

fn command_name(command: &OrderCommand) -> String {
    wire(&command.trigger())
}

fn step(
    state: Option<Order>,
    command: OrderCommand,
    meta: &TransitionMeta,
) -> Result<(Option<Order>, Step), DomainError> {
    let name = command_name(&command);
    let before = state.as_ref().map(|o| (o.state, o.version));
    let events = decide(state.as_ref(), command, meta)?;
    let mut working = state;
    let mut recorded = Vec::with_capacity(events.len());
    for event in events {
        let from = working.as_ref().map(|o| o.state);
        working = evolve(working, &event);
        let to = working.as_ref().map_or(OrderState::Submitted, |o| o.state);
        recorded.push((event, from, to));
    }
    Ok((
        working,
        Step {
            command: name,
            meta: meta.clone(),
            before,
            events: recorded,
        },
    ))
}

/// Decides commands one after the other on a working copy, then the automatic follow-ups.
#[derive(Debug)]
pub struct Planner {
    before: Option<Order>,
    working: Option<Order>,
    steps: Vec<Step>,
}

impl Planner {
    /// Starts from the stored order (`None` for a capture).
    pub fn new(state: Option<Order>) -> Self {
        Self {
            before: state.clone(),
            working: state,
            steps: Vec::new(),
        }
    }

    /// The order as decided so far.
    pub fn order(&self) -> Option<&Order> {
        self.working.as_ref()
    }

    /// Decides `command`; on refusal nothing of it is kept.
    pub fn apply(
        &mut self,
        command: OrderCommand,
        meta: &TransitionMeta,
    ) -> Result<(), DomainError> {
        let (after, decided) = step(self.working.clone(), command, meta)?;
        self.working = after;
        self.steps.push(decided);
        Ok(())
    }

    /// Decides every automatic follow-up the order now calls for, as the service, in the
    /// flow (correlation and causation) of `meta`.
    pub fn automatic(&mut self, meta: &TransitionMeta) -> Result<(), DomainError> {
        for _ in 0..MAX_AUTOMATIC_STEPS {
            let Some(next) = self.working.as_ref().and_then(next_automatic_command) else {
                break;
            };
            let mut auto_meta =
                TransitionMeta::new(service_actor(), meta.at, meta.correlation_id.clone());
            auto_meta.causation_id.clone_from(&meta.causation_id);
            self.apply(next, &auto_meta)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Decided, DomainError> {
        let after = self.working.ok_or(DomainError::OrderNotFound)?;
        Ok(Decided {
            before: self.before,
            after,
            steps: self.steps,
        })
    }
}

/// Decides `command` on `state` and the automatic follow-ups.
pub fn plan(
    state: Option<Order>,
    command: OrderCommand,
    meta: &TransitionMeta,
) -> Result<Decided, DomainError> {
    let mut planner = Planner::new(state);
    planner.apply(command, meta)?;
    planner.automatic(meta)?;
    planner.finish()
}

/// The distinct assets an order's items target (the asset guard's keys).
pub fn target_assets(order: &Order) -> Vec<String> {
    let mut ids: Vec<String> = order
        .items()
        .iter()
        .filter_map(|i| i.target_asset_id.as_ref().map(|a| a.as_str().to_owned()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Writes a decided outcome in the caller's transaction.
#[tracing::instrument(skip_all, fields(order_id = %decided.after.id), err(level = "debug"))]
pub async fn write(
    conn: &mut PgConnection,
    outbox: &Outbox,
    decided: &Decided,
) -> Result<(), AppError> {
    let after = &decided.after;
    match &decided.before {
        None => orders::insert(conn, after).await?,
        Some(before) => orders::update(conn, after, before.version).await?,
    }
    for step in &decided.steps {
        let mut event_types = Vec::with_capacity(step.events.len());
        for (event, from, to) in &step.events {
            let record = OrderEventV1::from(event);
            records::insert_event(conn, event, record.envelope().event_id).await?;
            if *from != Some(*to) {
                records::insert_state_change(conn, event, *from, *to).await?;
            }
            outbox.append(conn, &record).await?;
            sync_change_records(conn, after, event).await?;
            event_types.push(oms_domain::DomainEvent::event_type(event).to_owned());
        }
        let last = step.events.last().map_or(
            step.before.unwrap_or((after.state, after.version)),
            |(event, _, to)| (*to, event.base().order_version),
        );
        records::insert_audit(
            conn,
            &AuditEntry {
                order_id: after.id,
                tenant: &after.tenant,
                command: step.command.clone(),
                meta: &step.meta,
                before: step.before,
                after: last,
                event_types,
            },
        )
        .await?;
    }
    let was_terminal = decided
        .before
        .as_ref()
        .is_some_and(|o| o.state.is_terminal());
    if decided.before.is_none() && after.content.is_some() && !after.state.is_terminal() {
        assets::reserve_in_flight(conn, &after.tenant, after.id, &target_assets(after)).await?;
    } else if after.state.is_terminal() && !was_terminal {
        assets::release_in_flight(conn, after.id).await?;
    }
    Ok(())
}

/// Keeps the change-request rows and the relations in step with the order's events (same
/// transaction): a request's status follows what the order recorded about it.
async fn sync_change_records(
    conn: &mut PgConnection,
    order: &oms_domain::Order,
    event: &OrderEvent,
) -> Result<(), AppError> {
    use crate::store::changes::{self, Kind};
    use oms_domain::vocab::CancellationFeasibility as F;
    let json = |v: serde_json::Value| Some(v);
    match event {
        OrderEvent::OrderValidated(e) => {
            for relation in &e.content.header.relations {
                changes::relate(
                    conn,
                    &order.tenant,
                    order.id,
                    relation.related_order_id,
                    &crate::store::wire(&relation.relation_type),
                    e.base.meta.actor.id(),
                )
                .await?;
            }
        }
        OrderEvent::OrderCancellationAssessed(e) => {
            let status = match e.feasibility {
                F::FullyCancellable | F::PartiallyCancellable => "CANCELLING",
                F::RequiresManualReview => "AWAITING_REVIEW",
                F::NotCancellable => "REJECTED",
            };
            let outcome = serde_json::json!({
                "feasibility": crate::store::wire(&e.feasibility),
                "cancellingItemIds": e.cancelling_item_ids,
                "blockers": e.blockers,
                "decidedBy": e.base.meta.actor.id(),
            });
            changes::set_status(
                conn,
                Kind::Cancellation,
                e.request_id.as_uuid(),
                status,
                json(outcome).as_ref(),
            )
            .await?;
        }
        OrderEvent::OrderCancellationRejected(e) => {
            changes::set_status(
                conn,
                Kind::Cancellation,
                e.request_id.as_uuid(),
                "REJECTED",
                None,
            )
            .await?;
        }
        OrderEvent::OrderCancelled(e) => {
            let status = if e.before_execution {
                "CANCELLED"
            } else {
                "COMPLETED"
            };
            changes::set_status(
                conn,
                Kind::Cancellation,
                e.request_id.as_uuid(),
                status,
                None,
            )
            .await?;
        }
        OrderEvent::OrderCancellationCompleted(e) => {
            changes::set_status(
                conn,
                Kind::Cancellation,
                e.request_id.as_uuid(),
                "COMPLETED",
                None,
            )
            .await?;
        }
        OrderEvent::OrderAmendmentApplied(e) => {
            let outcome = serde_json::json!({ "planId": e.plan_id });
            changes::set_status(
                conn,
                Kind::Amendment,
                e.request_id.as_uuid(),
                "APPLIED",
                json(outcome).as_ref(),
            )
            .await?;
        }
        OrderEvent::OrderAmendmentRejected(e) => {
            let outcome = serde_json::json!({
                "code": e.code.as_str(),
                "message": e.message,
                "remediation": e.remediation,
            });
            changes::set_status(
                conn,
                Kind::Amendment,
                e.request_id.as_uuid(),
                "REJECTED",
                json(outcome).as_ref(),
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Counts the states entered (call after the commit).
pub fn record_metrics(decided: &Decided) {
    for step in &decided.steps {
        for (_, from, to) in &step.events {
            if *from != Some(*to) {
                metrics::state_entered(*to);
            }
        }
    }
}
