//! Facts reported by decomposition, fulfillment and asset, applied to the order they are
//! about through the aggregate (order-capture is the single writer of order state).
//!
//! For each command a fact maps to: load the order, check the fact's tenant, decide, write.
//! A lost optimistic lock reloads and decides again (the consumer's transaction is still
//! usable: the losing `update` changed no row). A refusal is classified:
//! - "already applied" or stale (a second completion of an item, a start after completion,
//!   a plan recorded twice, a fact about an order that is already closed) is absorbed as a
//!   no-op: redeliveries and the lack of ordering between topics make these normal;
//! - anything else is a contract violation by the reporting service: a permanent error with
//!   the domain's code, which the consumer dead-letters for an operator.

use oms_domain::lifecycle::{ItemState, ItemTrigger, OrderState, OrderTrigger};
use oms_domain::value::{OrderId, TenantId};
use oms_domain::{DomainError, Order, OrderCommand, TransitionMeta};
use oms_messaging::Outbox;
use sqlx::PgConnection;

use super::AppError;
use super::commands::execute_loaded;
use super::persist::{self, Decided};
use crate::metrics;
use crate::store::orders;

/// What applying a fact did.
#[derive(Debug, Default)]
pub struct FactOutcome {
    /// Decided outcomes, to count after the commit.
    pub decided: Vec<Decided>,
    /// Commands absorbed as already applied or stale, with why.
    pub absorbed: Vec<&'static str>,
}

/// Why a fact cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum FactError {
    /// The fact names an order this service does not have.
    #[error("order {0} does not exist")]
    UnknownOrder(OrderId),
    /// The fact's tenant is not the order's.
    #[error("the fact's tenant {fact} is not the order's tenant")]
    TenantMismatch { fact: TenantId },
    /// Still losing the optimistic lock after the configured retries.
    #[error("order {0} kept changing concurrently")]
    Contended(OrderId),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Whether refusing `command` with `error` means the fact was already applied or is stale.
pub fn already_applied(order: &Order, error: &DomainError) -> Option<&'static str> {
    let closed = matches!(
        order.state,
        OrderState::Completed | OrderState::Cancelled | OrderState::FailedClosed
    );
    match error {
        DomainError::ItemTransitionNotAllowed { from, trigger, .. } => match trigger {
            ItemTrigger::Start | ItemTrigger::ReportProgress if !from.is_in_flight() => {
                Some("stale item progress")
            }
            ItemTrigger::Complete
                if matches!(
                    from,
                    ItemState::Completed
                        | ItemState::Waived
                        | ItemState::Cancelled
                        | ItemState::Cancelling
                ) =>
            {
                Some("item already completed")
            }
            ItemTrigger::Fail if *from == ItemState::Failed => Some("item already failed"),
            ItemTrigger::FinishCancel if *from == ItemState::Cancelled => {
                Some("item already cancelled")
            }
            _ => None,
        },
        DomainError::TransitionNotAllowed { trigger, .. } => match trigger {
            OrderTrigger::RecordDecomposition | OrderTrigger::RecordDecompositionFailure
                if order.decomposition.is_some() || closed =>
            {
                Some("decomposition already recorded")
            }
            OrderTrigger::RecordItemStarted
            | OrderTrigger::RecordItemProgress
            | OrderTrigger::RecordItemCompleted
            | OrderTrigger::RecordItemFailed
            | OrderTrigger::RecordItemCancelled
            | OrderTrigger::RaiseFallout
            | OrderTrigger::RecordAmendmentApplied
            | OrderTrigger::RecordAmendmentRejected
                if closed =>
            {
                Some("order already closed")
            }
            OrderTrigger::RecordCancellationAssessment
                if closed
                    || order
                        .cancellation
                        .as_ref()
                        .is_some_and(|c| c.assessment.is_some()) =>
            {
                Some("cancellation already assessed")
            }
            _ => None,
        },
        // the amendment was decided before (a redelivered outcome)
        DomainError::AmendmentRequestMismatch { open: None, .. } => {
            Some("amendment already decided")
        }
        DomainError::FalloutAlreadyOpen { .. } => Some("fallout already open"),
        // Fulfillment reports a case resolved that an operator already repaired here.
        DomainError::FalloutNotFound { .. } => Some("fallout already repaired"),
        DomainError::AlreadyReleasedForDecomposition => Some("already released"),
        _ => None,
    }
}

/// Applies `commands` (in order) to order `order_id` of `tenant` inside the consumer's
/// transaction; `retries` bounds the reloads after a lost optimistic lock.
#[tracing::instrument(skip_all, fields(order_id = %order_id), err)]
pub async fn apply(
    conn: &mut PgConnection,
    outbox: &Outbox,
    tenant: &TenantId,
    order_id: OrderId,
    commands: Vec<OrderCommand>,
    meta: &TransitionMeta,
    retries: u32,
) -> Result<FactOutcome, FactError> {
    let mut outcome = FactOutcome::default();
    for command in commands {
        let mut attempt = 0;
        loop {
            let order = orders::load(conn, order_id)
                .await
                .map_err(AppError::from)?
                .ok_or(FactError::UnknownOrder(order_id))?;
            if &order.tenant != tenant {
                return Err(FactError::TenantMismatch {
                    fact: tenant.clone(),
                });
            }
            let snapshot = order.clone();
            match execute_loaded(conn, outbox, order, command.clone(), meta).await {
                Ok(decided) => {
                    outcome.decided.push(decided);
                    break;
                }
                Err(AppError::Domain(error)) => {
                    if let Some(reason) = already_applied(&snapshot, &error) {
                        tracing::info!(%order_id, reason, code = error.code(), "fact absorbed");
                        metrics::fact_absorbed(reason);
                        outcome.absorbed.push(reason);
                        break;
                    }
                    return Err(AppError::Domain(error).into());
                }
                Err(error) if error.is_version_conflict() && attempt < retries => {
                    metrics::version_conflict("consumer");
                    attempt += 1;
                }
                Err(error) if error.is_version_conflict() => {
                    metrics::version_conflict("consumer");
                    return Err(FactError::Contended(order_id));
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok(outcome)
}

/// Counts what a fact did (call after the commit).
pub fn record_metrics(outcome: &FactOutcome) {
    for decided in &outcome.decided {
        persist::record_metrics(decided);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone as _, Utc};
    use oms_domain::capture::{CaptureContext, CaptureOrder};
    use oms_domain::command::{CaptureIds, CaptureOrderCommand, RecordItemCompleted};
    use oms_domain::events::{FulfillmentPlan, PlannedTask};
    use oms_domain::value::{CorrelationId, OrderItemId, OrderNumber, PlanId};
    use oms_domain::vocab::AssetEffect;
    use oms_domain::{Actor, decide, replay};
    use uuid::Uuid;

    fn meta() -> TransitionMeta {
        let at = Utc.with_ymd_and_hms(2026, 7, 2, 9, 0, 0).unwrap();
        TransitionMeta::new(
            Actor::service("test"),
            at,
            CorrelationId::parse("c-1").unwrap(),
        )
    }

    fn intake() -> CaptureOrder {
        serde_json::from_value(serde_json::json!({
            "tenantId": "acme", "captureMode": "DIRECT_ORDER", "orderType": null, "orderIntent": null,
            "sourceSystem": "api", "salesChannel": "WEB", "externalOrderRef": null, "quote": null,
            "customer": { "customerId": "c", "accountId": "a", "billingAccountId": "b", "payerId": null, "displayName": null },
            "serviceAddress": null, "requestedStartDate": null, "requestedCompletionDate": null,
            "currency": "EUR", "priceListRef": null, "contractTermMonths": null, "orderTotal": null,
            "items": [{
                "clientItemRef": "l1", "lineNumber": 1, "parentRef": null, "action": "ADD",
                "productOfferingId": "po", "productOfferingVersion": 1, "productOfferingName": null,
                "productSpecRef": null, "quantity": 1, "targetAssetId": null, "configuration": {},
                "priceComponents": [], "itemTotal": "0", "currency": null, "dependsOn": []
            }],
            "relations": [], "migration": null
        }))
        .unwrap()
    }

    /// An IN_PROGRESS order with one item, and that item's id.
    fn in_progress() -> (Order, OrderItemId) {
        let item = OrderItemId::from_uuid(Uuid::now_v7());
        let ids = CaptureIds {
            order_id: OrderId::from_uuid(Uuid::now_v7()),
            order_number: OrderNumber::from_parts(2026, 1).unwrap(),
            item_ids: vec![item],
        };
        let tenant = TenantId::parse("acme").unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 7, 2).unwrap();
        let capture = OrderCommand::CaptureOrder(Box::new(CaptureOrderCommand {
            ids,
            intake: intake(),
            context: CaptureContext::new(tenant, today),
        }));
        let plan = FulfillmentPlan {
            plan_id: PlanId::from_uuid(Uuid::now_v7()),
            rules_version: "r1".into(),
            // Through serde, so fields the decomposition contract adds later default.
            tasks: vec![
                serde_json::from_value::<PlannedTask>(serde_json::json!({
                    "taskId": Uuid::now_v7(), "itemIds": [item], "taskType": "ACTIVATE",
                    "targetSystem": "network", "dependsOn": [], "reversibility": "AUTOMATIC",
                    "externalEffectLevel": "NETWORK_VISIBLE"
                }))
                .unwrap(),
            ],
        };
        let mut events = Vec::new();
        for command in [
            capture,
            OrderCommand::ReleaseForDecomposition,
            OrderCommand::RecordDecomposition { plan },
            OrderCommand::ReleaseForFulfillment,
        ] {
            let order = replay(&events);
            events.extend(decide(order.as_ref(), command, &meta()).unwrap());
        }
        (replay(&events).unwrap(), item)
    }

    fn refusal(order: &Order, command: OrderCommand) -> DomainError {
        decide(Some(order), command, &meta()).unwrap_err()
    }

    fn complete(item: OrderItemId) -> OrderCommand {
        OrderCommand::RecordItemCompleted(RecordItemCompleted {
            item_id: item,
            asset_effect: AssetEffect::Create,
            actual_asset_id: None,
            activation_date: None,
        })
    }

    #[test]
    fn redelivered_and_stale_facts_are_absorbed() {
        let (order, item) = in_progress();
        let events = decide(Some(&order), complete(item), &meta()).unwrap();
        let mut completed = order.clone();
        for event in &events {
            completed = oms_domain::evolve(Some(completed), event).unwrap();
        }
        assert_eq!(completed.state, OrderState::Completed);
        // A second completion, a late start and a second plan are no-ops.
        for command in [
            complete(item),
            OrderCommand::RecordItemStarted { item_id: item },
            OrderCommand::RecordDecomposition {
                plan: FulfillmentPlan {
                    plan_id: PlanId::from_uuid(Uuid::now_v7()),
                    rules_version: "r2".into(),
                    tasks: vec![],
                },
            },
        ] {
            let error = refusal(&completed, command);
            assert!(already_applied(&completed, &error).is_some(), "{error}");
        }
        let error = refusal(&order, OrderCommand::ReleaseForDecomposition);
        assert_eq!(already_applied(&order, &error), None, "{error}");
    }

    #[test]
    fn contract_violations_are_not_absorbed() {
        let (order, _) = in_progress();
        // A fact about an item the order does not have is another service's bug.
        let error = refusal(&order, complete(OrderItemId::from_uuid(Uuid::now_v7())));
        assert_eq!(error.code(), "ITEM_NOT_FOUND");
        assert_eq!(already_applied(&order, &error), None);
    }
}
