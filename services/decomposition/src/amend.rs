//! Re-decomposition of an amended order (ADR 0008 §3): `OrderAmendmentRequested` with
//! `requiresRedecomposition` is planned again from its proposed content, with the rules
//! version of the order's plan (never a newer one: the diff must contain only what the
//! amendment changed). The outcome is recorded once per request and published as
//! `OrderRedecomposed` (fulfillment diffs it against the running plan) or
//! `OrderRedecompositionFailed` (order-capture refuses the amendment). All in the inbox
//! transaction of the request.

use chrono::Utc;
use oms_contracts::DecompositionEventV1;
use oms_domain::events::{
    DecompositionEvent, OrderAmendmentRequested, OrderFactBase, OrderRedecomposed,
    OrderRedecompositionFailed,
};
use oms_domain::value::CausationId;
use oms_domain::vocab::DecompositionFailureCode as Code;
use oms_domain::{Actor, TransitionMeta};
use oms_messaging::{Envelope, EventContract as _, Outbox};
use sqlx::PgConnection;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::canonical::canonical_json;
use crate::planner::{DecompositionFailure, PlanningInput, decompose};
use crate::registry::{CatalogRegistry, RegistryError};
use crate::release::ReleaseError;
use crate::store::StoreError;
use crate::store::outcomes;
use crate::store::replans::{self, NewReplan};

/// Re-plans `request` (delivered in the record whose envelope is `source`).
#[tracing::instrument(skip_all, fields(order_id = %request.base.order_id, request_id = %request.request_id), err)]
pub async fn replan_amendment(
    conn: &mut PgConnection,
    outbox: &Outbox,
    registry: &CatalogRegistry,
    request: &OrderAmendmentRequested,
    source: &Envelope,
) -> Result<(), ReleaseError> {
    if !request.requires_redecomposition {
        return Ok(());
    }
    let order_id = request.base.order_id;
    outcomes::lock_order(conn, order_id).await?;
    if replans::exists(conn, request.request_id).await? {
        tracing::info!("amendment already re-planned; nothing to do");
        return Ok(());
    }
    let input = PlanningInput::from_content(order_id, &request.proposed_content);
    let input_json = String::from_utf8(canonical_json(&input))
        .map_err(|e| StoreError::corrupt("input_json", e))?;
    let base = fact_base(request, source);
    let Some((previous_plan_id, rules_number)) = replans::current_plan(conn, order_id).await?
    else {
        // order-capture only re-plans planned orders; a request without a plan here is a
        // contract violation of the producer
        return Err(ReleaseError::Store(StoreError::corrupt(
            "decomposition_plan",
            format!("order {order_id} has no plan to re-plan"),
        )));
    };
    let rules_version = u32::try_from(rules_number).unwrap_or_default();
    let catalog = match registry.version(conn, rules_version).await {
        Ok(catalog) => catalog,
        Err(RegistryError::Store(StoreError::Database(error))) => {
            return Err(ReleaseError::Temporary(format!(
                "the technical catalog cannot be read: {error}"
            )));
        }
        Err(error) => {
            let failure = DecompositionFailure::internal(error.to_string());
            return record(
                conn,
                outbox,
                request,
                source,
                base,
                &input_json,
                (previous_plan_id, rules_number),
                Err(failure),
            )
            .await;
        }
    };
    let outcome =
        catch_unwind(AssertUnwindSafe(|| decompose(&input, &catalog))).unwrap_or_else(|_| {
            Err(DecompositionFailure::internal(
                "the planner failed unexpectedly".to_owned(),
            ))
        });
    if let Err(failure) = &outcome
        && failure.is_retryable()
    {
        return Err(ReleaseError::Temporary(failure.message.clone()));
    }
    record(
        conn,
        outbox,
        request,
        source,
        base,
        &input_json,
        (previous_plan_id, rules_number),
        outcome,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn record(
    conn: &mut PgConnection,
    outbox: &Outbox,
    request: &OrderAmendmentRequested,
    source: &Envelope,
    base: OrderFactBase,
    input_json: &str,
    (previous_plan_id, rules_version): (oms_domain::value::PlanId, i32),
    outcome: Result<crate::planner::DecompositionPlan, DecompositionFailure>,
) -> Result<(), ReleaseError> {
    let (event, plan_json, failure) = match &outcome {
        Ok(plan) => {
            let json = String::from_utf8(plan.to_canonical_json())
                .map_err(|e| StoreError::corrupt("plan_json", e))?;
            let event = DecompositionEvent::from(OrderRedecomposed {
                base,
                request_id: request.request_id,
                previous_plan_id,
                plan: plan.to_fulfillment_plan(),
            });
            (event, Some((plan.plan_id, json)), None)
        }
        Err(failure) => {
            let event = DecompositionEvent::from(OrderRedecompositionFailed {
                base,
                request_id: request.request_id,
                code: failure.code,
                item_id: failure.item_id,
                message: failure.message.clone(),
                remediation: failure.remediation.clone(),
            });
            (event, None, Some(failure))
        }
    };
    let record = DecompositionEventV1::from(&event);
    replans::insert(
        conn,
        &NewReplan {
            request_id: request.request_id,
            order_id: request.base.order_id,
            tenant_id: &request.base.tenant_id,
            previous_plan_id,
            rules_version,
            plan: plan_json.as_ref().map(|(id, json)| (*id, json.as_str())),
            input_json,
            failure: failure.map(|f| (f.code.as_str(), f.message.as_str())),
            source_event_id: source.event_id,
            event_id: record.envelope().event_id,
        },
    )
    .await?;
    outbox.append(conn, &record).await?;
    match &outcome {
        Ok(plan) => {
            tracing::info!(plan_id = %plan.plan_id, tasks = plan.tasks.len(), "amended order re-planned");
        }
        Err(f) => {
            tracing::warn!(code = f.code.as_str(), message = %f.message, "amended order could not be re-planned");
        }
    }
    if outcome.is_err() {
        crate::metrics::failure_recorded(outcome.err().map_or(Code::InternalError, |f| f.code));
    }
    Ok(())
}

fn fact_base(request: &OrderAmendmentRequested, source: &Envelope) -> OrderFactBase {
    let meta = TransitionMeta::new(
        Actor::service(crate::SERVICE),
        Utc::now(),
        request.base.meta.correlation_id.clone(),
    );
    let meta = match CausationId::parse(&source.event_id.to_string()) {
        Ok(causation) => meta.caused_by(causation),
        Err(_) => meta,
    };
    OrderFactBase {
        order_id: request.base.order_id,
        tenant_id: request.base.tenant_id.clone(),
        meta,
    }
}
