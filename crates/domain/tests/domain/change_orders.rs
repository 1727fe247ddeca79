//! Change orders (004; ADR 0008): the cancellation assessment, compensation order, the
//! amendment safety matrix and impact assessment, the replan diff, and how `decide` uses
//! them. Given an order and what its tasks did, when a change is asked for, then exactly
//! this happens.

use std::collections::{BTreeMap, BTreeSet};

use AmendmentTaskDisposition::{Keep, Replace};
use oms_domain::change::{
    AmendmentChange, AmendmentFeasibility, AmendmentPhase, AmendmentTaskDisposition,
    CancellationKind, CancellationScope, CancellationSpec, ChangeKind, ExecutionView,
    ItemCancellationOutcome, SAFETY_MATRIX, SafetyRule, ScopeReason, TaskDisposition, TaskProgress,
    TaskView, assess_amendment, assess_cancellation, compensation_steps, replan, safety,
};
use oms_domain::lifecycle::{ItemState, OrderState};
use oms_domain::order::{PriceComponent, PriceSnapshot, ProductSnapshot};
use oms_domain::value::{Money, OrderItemId, ProductOfferingId, TaskId};
use oms_domain::vocab::{
    CancellationFeasibility as F, ExternalEffectLevel as E, ItemInput, PriceKind,
    TaskReversibility as R,
};
use oms_domain::{Order, OrderCommand};
use rust_decimal_macros::dec;

use crate::support::{
    Story, amend, amendment_applied, amendment_rejected, assess, cancel, cancel_with, complete,
    given, item_cancelled, item_id, new_start_date, uuid,
};

fn tid(n: u128) -> TaskId {
    TaskId::from_uuid(uuid(7000 + n))
}

struct T {
    id: u128,
    item: usize,
    kind: &'static str,
    system: &'static str,
    deps: &'static [u128],
    rev: R,
    effect: E,
    progress: TaskProgress,
    inputs: Option<&'static [ItemInput]>,
}

impl T {
    fn new(id: u128, item: usize, kind: &'static str, rev: R, effect: E) -> Self {
        Self {
            id,
            item,
            kind,
            system: "NETWORK_PROVISIONING",
            deps: &[],
            rev,
            effect,
            progress: TaskProgress::NotStarted,
            inputs: None,
        }
    }
    fn after(mut self, deps: &'static [u128]) -> Self {
        self.deps = deps;
        self
    }
    fn on(mut self, system: &'static str) -> Self {
        self.system = system;
        self
    }
    fn at(mut self, progress: TaskProgress) -> Self {
        self.progress = progress;
        self
    }
    fn using(mut self, inputs: &'static [ItemInput]) -> Self {
        self.inputs = Some(inputs);
        self
    }
    fn view(&self) -> TaskView {
        TaskView {
            task_id: tid(self.id),
            item_ids: vec![item_id(self.item)],
            task_type: self.kind.into(),
            target_system: self.system.into(),
            depends_on: self.deps.iter().map(|d| tid(*d)).collect(),
            reversibility: self.rev,
            external_effect_level: self.effect,
            compensation_task_type: (self.rev != R::None).then(|| format!("UNDO_{}", self.kind)),
            item_milestone: false,
            inputs: self.inputs.map(<[ItemInput]>::to_vec),
            progress: self.progress,
        }
    }
}

#[allow(clippy::needless_pass_by_value)] // reads like a table: view(vec![T::new(..), ..])
fn view(tasks: Vec<T>) -> ExecutionView {
    ExecutionView {
        plan_id: None,
        version: 3,
        tasks: tasks.iter().map(T::view).collect(),
    }
}

fn whole() -> CancellationSpec {
    CancellationSpec {
        scope: CancellationScope::Order,
        force_manual_review: false,
    }
}

fn items(ids: &[usize]) -> CancellationSpec {
    CancellationSpec {
        scope: CancellationScope::Items {
            item_ids: ids.iter().map(|i| item_id(*i)).collect(),
        },
        force_manual_review: false,
    }
}

/// The golden scenario of 004 §27: inventory reserved, provisioning not started.
fn reserved_not_provisioned() -> ExecutionView {
    view(vec![
        T::new(
            1,
            0,
            "RESERVE_ACCESS_PORT",
            R::Automatic,
            E::ReservationOnly,
        )
        .on("INVENTORY")
        .at(TaskProgress::Succeeded),
        T::new(2, 0, "ACTIVATE_SERVICE", R::Automatic, E::NetworkVisible).after(&[1]),
        T::new(3, 1, "ASSIGN_STATIC_IP", R::Automatic, E::ReservationOnly)
            .on("INVENTORY")
            .at(TaskProgress::Succeeded),
    ])
}

#[test]
fn every_task_row_of_the_disposition_table() {
    use TaskProgress::{AwaitingCallback, Dispatched, Ended, NotStarted, Succeeded};
    let cases = [
        (
            NotStarted,
            E::NetworkVisible,
            R::None,
            TaskDisposition::Cancel,
        ),
        (
            Succeeded,
            E::NoExternalEffect,
            R::None,
            TaskDisposition::NothingToUndo,
        ),
        (
            Succeeded,
            E::ReservationOnly,
            R::Automatic,
            TaskDisposition::Compensate,
        ),
        (
            Succeeded,
            E::BillingVisible,
            R::Partial,
            TaskDisposition::Compensate,
        ),
        (
            AwaitingCallback,
            E::CustomerVisible,
            R::Manual,
            TaskDisposition::CompensateAfterReview,
        ),
        (
            Dispatched,
            E::CustomerVisible,
            R::None,
            TaskDisposition::Irreversible,
        ),
        (
            Succeeded,
            E::NetworkVisible,
            R::None,
            TaskDisposition::Irreversible,
        ),
        (
            Ended,
            E::NetworkVisible,
            R::None,
            TaskDisposition::NothingToUndo,
        ),
    ];
    for (progress, effect, rev, expected) in cases {
        let task = T::new(1, 0, "X", rev, effect).at(progress).view();
        assert_eq!(
            oms_domain::change::cancellation::disposition(&task),
            expected,
            "{progress:?} {effect:?} {rev:?}"
        );
    }
}

#[test]
fn golden_cancel_after_reservation_compensates_the_reservation_and_drops_the_rest() {
    // Given an IN_PROGRESS order whose port is reserved and whose service is not active
    let story = Story::in_progress(2);
    let view = reserved_not_provisioned();
    // When a cancellation of the whole order is assessed
    let a = assess_cancellation(story.order(), &view, &whole()).unwrap();
    // Then it is fully cancellable by compensation
    assert_eq!(a.kind, CancellationKind::InFlightReversible);
    assert_eq!(a.feasibility, F::FullyCancellable);
    let by_task: BTreeMap<TaskId, TaskDisposition> =
        a.tasks.iter().map(|t| (t.task_id, t.disposition)).collect();
    assert_eq!(by_task[&tid(1)], TaskDisposition::Compensate);
    assert_eq!(by_task[&tid(2)], TaskDisposition::Cancel);
    assert_eq!(by_task[&tid(3)], TaskDisposition::Compensate);
    let steps: Vec<&str> = a
        .compensation
        .iter()
        .map(|s| s.task_type.as_str())
        .collect();
    assert_eq!(steps, ["UNDO_ASSIGN_STATIC_IP", "UNDO_RESERVE_ACCESS_PORT"]);
    assert_eq!(a.cancelling_item_ids(), vec![item_id(0), item_id(1)]);
    // and the customer pays nothing of it any more
    let price = a
        .price_effect
        .as_ref()
        .expect("a validated order has prices");
    assert_eq!(price.after.amount(), dec!(0));
    assert_eq!(price.delta.amount(), -price.before.amount());
    // And decide accepts the request for fulfillment's assessment
    let requested = given(&story)
        .when(cancel_with(view, CancellationScope::Order))
        .then_expect_types(&["OrderCancellationRequested"]);
    assert_eq!(requested.state, OrderState::CancellationRequested);
    assert_eq!(
        requested.cancellation.as_ref().unwrap().kind,
        Some(CancellationKind::InFlightReversible)
    );
}

#[test]
fn an_item_past_its_point_of_no_return_stays_and_the_rest_is_cancelled() {
    // Given the technician was dispatched for item 0 (irreversible, customer visible)
    let story = Story::in_progress(2);
    let view = view(vec![
        T::new(
            1,
            0,
            "SCHEDULE_APPOINTMENT",
            R::Automatic,
            E::CustomerVisible,
        )
        .on("WORKFORCE_SCHEDULING")
        .at(TaskProgress::Succeeded),
        T::new(2, 0, "DISPATCH_TECHNICIAN", R::None, E::CustomerVisible)
            .on("WORKFORCE_SCHEDULING")
            .after(&[1])
            .at(TaskProgress::AwaitingCallback),
        T::new(3, 1, "RESERVE_DEVICE", R::Automatic, E::ReservationOnly).on("INVENTORY"),
    ]);
    let a = assess_cancellation(story.order(), &view, &whole()).unwrap();
    assert_eq!(a.kind, CancellationKind::InFlightPartiallyIrreversible);
    assert_eq!(a.feasibility, F::PartiallyCancellable);
    assert_eq!(a.items[0].outcome, ItemCancellationOutcome::NotCancellable);
    assert_eq!(a.items[1].outcome, ItemCancellationOutcome::Cancel);
    // the stopped item's tasks are not touched, not even its reversible appointment
    assert!(
        a.tasks
            .iter()
            .filter(|t| t.item_ids == [item_id(0)])
            .all(|t| t.disposition == TaskDisposition::Keep)
    );
    assert!(a.compensation.is_empty());
    let blocker = &a.blockers[0];
    assert_eq!(blocker.code, "ITEM_PAST_POINT_OF_NO_RETURN");
    assert_eq!(blocker.task_id, Some(tid(2)));
    assert!(blocker.remediation.contains("DISCONNECT"));

    // When only item 0 is cancelled, the request is refused with the reason code
    let err = given(&story)
        .when(cancel_with(
            view,
            CancellationScope::Items {
                item_ids: vec![item_id(0)],
            },
        ))
        .then_error("ORDER_NOT_CANCELLABLE");
    let oms_domain::DomainError::OrderNotCancellable { blockers } = err else {
        panic!("{err}")
    };
    assert_eq!(blockers[0].code, "ITEM_PAST_POINT_OF_NO_RETURN");
}

#[test]
fn manual_reversal_needs_an_operator_who_approves_or_rejects() {
    let story = Story::in_progress(1);
    let shipped = view(vec![
        T::new(1, 0, "SHIP_DEVICE", R::Manual, E::CustomerVisible)
            .on("SHIPPING")
            .at(TaskProgress::Succeeded),
    ]);
    let a = assess_cancellation(story.order(), &shipped, &whole()).unwrap();
    assert_eq!(a.feasibility, F::RequiresManualReview);
    assert!(a.manual_review_required);
    assert_eq!(a.blockers[0].code, "COMPENSATION_NEEDS_REVIEW");
    let OrderCommand::RecordCancellationAssessment(mut proposal) =
        assess(F::RequiresManualReview, vec![])
    else {
        unreachable!()
    };
    proposal.cancelling_item_ids = a.cancelling_item_ids();
    let waiting = story
        .then(cancel_with(shipped, CancellationScope::Order))
        .then(OrderCommand::RecordCancellationAssessment(proposal));
    assert_eq!(waiting.state(), Some(OrderState::CancellationRequested));
    let review = |approve| OrderCommand::ReviewCancellation {
        request_id: crate::support::request_id(),
        approve,
    };
    let approved = given(&waiting)
        .when(review(true))
        .then_expect_types(&["OrderCancellationAssessed"]);
    assert_eq!(approved.state, OrderState::Cancelling);
    let rejected = given(&waiting)
        .when(review(false))
        .then_expect_types(&["OrderCancellationAssessed", "OrderCancellationRejected"]);
    assert_eq!(rejected.state, OrderState::InProgress);
    // a review needs a reason, like every operator decision
    given(&waiting)
        .when_with(review(true), &crate::support::meta())
        .then_error("REASON_REQUIRED");
    // and there is nothing to review on a request that is not waiting for one
    given(&Story::in_progress(1).then(cancel()))
        .when(review(true))
        .then_error("CANCELLATION_REVIEW_NOT_PENDING");
}

#[test]
fn an_item_scope_takes_its_children_and_dependents_along() {
    // items 1 and 2 are children of item 0; item 3 depends on item 2
    let mut intake = crate::support::quote_intake(4);
    intake.items[1].parent_ref = Some("qi-0".into());
    intake.items[2].parent_ref = Some("qi-0".into());
    intake.items[3].depends_on = vec![oms_domain::capture::DependencyInput {
        client_item_ref: "qi-2".into(),
        dependency_type: oms_domain::vocab::DependencyType::Sequence,
    }];
    let story = Story::new()
        .then(crate::support::capture(intake, crate::support::context()))
        .then(OrderCommand::ReleaseForDecomposition)
        .then(crate::support::plan(4))
        .then(OrderCommand::ReleaseForFulfillment);
    let a = assess_cancellation(story.order(), &ExecutionView::default(), &items(&[0])).unwrap();
    let scope: Vec<(OrderItemId, ScopeReason)> =
        a.items.iter().map(|i| (i.item_id, i.scope)).collect();
    assert_eq!(
        scope,
        vec![
            (item_id(0), ScopeReason::Requested),
            (item_id(1), ScopeReason::ChildOf { parent: item_id(0) }),
            (item_id(2), ScopeReason::ChildOf { parent: item_id(0) }),
            (item_id(3), ScopeReason::DependsOn { item: item_id(2) }),
        ]
    );
    // an item the order does not have is refused
    let err = assess_cancellation(
        story.order(),
        &ExecutionView::default(),
        &CancellationSpec {
            scope: CancellationScope::Items {
                item_ids: vec![OrderItemId::from_uuid(uuid(9999))],
            },
            force_manual_review: false,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "ITEM_NOT_FOUND");
}

#[test]
fn before_release_only_the_whole_order_is_cancelled() {
    let story = Story::decomposed(2);
    given(&story)
        .when(cancel_with(
            ExecutionView::default(),
            CancellationScope::Items {
                item_ids: vec![item_id(0)],
            },
        ))
        .then_error("CANCELLATION_SCOPE_INVALID");
    let a = assess_cancellation(story.order(), &ExecutionView::default(), &whole()).unwrap();
    assert_eq!(a.kind, CancellationKind::PreExecution);
    assert!(a.price_effect.is_some(), "a validated order has prices");
    // A draft has no typed content yet: nothing to price, and nothing is made up
    let draft = Story::reaching(OrderState::Draft, 2);
    let a = assess_cancellation(draft.order(), &ExecutionView::default(), &whole()).unwrap();
    assert_eq!(a.kind, CancellationKind::PreExecution);
    assert_eq!(a.price_effect, None);
}

#[test]
fn calls_in_flight_are_named_so_fulfillment_waits_for_their_outcome() {
    let story = Story::in_progress(1);
    let v = view(vec![
        T::new(
            1,
            0,
            "RESERVE_ACCESS_PORT",
            R::Automatic,
            E::ReservationOnly,
        )
        .at(TaskProgress::Dispatched),
    ]);
    let a = assess_cancellation(story.order(), &v, &whole()).unwrap();
    assert_eq!(a.awaiting_calls, vec![tid(1)]);
    // the dry run treats it as applied
    assert_eq!(a.tasks[0].disposition, TaskDisposition::Compensate);
}

#[test]
fn a_partial_cancellation_ends_with_the_rest_of_the_order() {
    // item 1 cancelled, item 0 completes afterwards: the order completes, billing is told
    // the cancelled item never started (it had not completed)
    let story = Story::in_progress(2);
    let OrderCommand::RecordCancellationAssessment(mut a) = assess(F::FullyCancellable, vec![])
    else {
        unreachable!()
    };
    a.cancelling_item_ids = vec![item_id(1)];
    let story = story
        .then(cancel_with(
            ExecutionView::default(),
            CancellationScope::Items {
                item_ids: vec![item_id(1)],
            },
        ))
        .then(OrderCommand::RecordCancellationAssessment(a));
    assert_eq!(story.state(), Some(OrderState::Cancelling));
    let story = story.then(complete(0));
    assert_eq!(story.state(), Some(OrderState::Cancelling));
    let after = given(&story).when(item_cancelled(1)).then_expect_types(&[
        "OrderItemCancelled",
        "OrderCancellationCompleted",
        "OrderCompleted",
    ]);
    assert_eq!(after.state, OrderState::Completed);
    assert!(after.cancellation.is_none());
    let events = oms_domain::decide(
        story.order.as_ref(),
        item_cancelled(1),
        &crate::support::meta_r(),
    )
    .unwrap();
    let oms_domain::OrderEvent::OrderItemCancelled(fact) = &events[0] else {
        panic!()
    };
    assert!(!fact.billing_started);
    assert_eq!(fact.price.total().amount(), dec!(100));
}

#[test]
fn a_completed_item_cancelled_tells_billing_to_stop_the_charge() {
    let story = Story::in_progress(2).then(complete(0)).then(cancel());
    let OrderCommand::RecordCancellationAssessment(mut a) = assess(F::FullyCancellable, vec![])
    else {
        unreachable!()
    };
    a.cancelling_item_ids = vec![item_id(0), item_id(1)];
    let story = story.then(OrderCommand::RecordCancellationAssessment(a));
    let events = oms_domain::decide(
        story.order.as_ref(),
        item_cancelled(0),
        &crate::support::meta_r(),
    )
    .unwrap();
    let oms_domain::OrderEvent::OrderItemCancelled(fact) = &events[0] else {
        panic!()
    };
    assert!(fact.billing_started);
    let done = story.then(item_cancelled(0)).then(item_cancelled(1));
    assert_eq!(done.state(), Some(OrderState::Cancelled));
}

#[test]
fn compensations_run_in_reverse_dependency_order() {
    // reserve(1) -> check(2, read-only) -> activate(3) -> bill(4); 5 independent
    let v = view(vec![
        T::new(1, 0, "RESERVE", R::Automatic, E::ReservationOnly).at(TaskProgress::Succeeded),
        T::new(2, 0, "CHECK", R::None, E::NoExternalEffect)
            .after(&[1])
            .at(TaskProgress::Succeeded),
        T::new(3, 0, "ACTIVATE", R::Automatic, E::NetworkVisible)
            .after(&[2])
            .at(TaskProgress::Succeeded),
        T::new(4, 0, "BILL", R::Partial, E::BillingVisible)
            .after(&[3])
            .at(TaskProgress::Succeeded),
        T::new(5, 1, "ASSIGN_IP", R::Automatic, E::ReservationOnly).at(TaskProgress::Succeeded),
    ]);
    let steps = compensation_steps(&v, &[tid(1), tid(3), tid(4), tid(5)]);
    let order: Vec<TaskId> = steps.iter().map(|s| s.compensates_task_id).collect();
    assert_eq!(order, vec![tid(5), tid(4), tid(3), tid(1)]);
    let after: BTreeMap<TaskId, Vec<TaskId>> = steps
        .iter()
        .map(|s| (s.compensates_task_id, s.after.clone()))
        .collect();
    assert!(after[&tid(4)].is_empty());
    assert_eq!(after[&tid(3)], vec![tid(4)]);
    // the read-only check in between still orders the reservation after the activation
    assert_eq!(after[&tid(1)], vec![tid(4), tid(3)]);
    assert!(after[&tid(5)].is_empty());
    // every step comes after the steps it waits for
    let position: BTreeMap<TaskId, usize> =
        order.iter().enumerate().map(|(k, t)| (*t, k)).collect();
    for step in &steps {
        for before in &step.after {
            assert!(position[before] < position[&step.compensates_task_id]);
        }
    }
}

#[test]
fn the_safety_matrix_is_total_and_refuses_late_and_price_only_changes() {
    let cells: BTreeSet<(ChangeKind, AmendmentPhase)> =
        SAFETY_MATRIX.iter().map(|(k, p, _)| (*k, *p)).collect();
    assert_eq!(
        cells.len(),
        SAFETY_MATRIX.len(),
        "one rule per (change, phase)"
    );
    assert_eq!(
        cells.len(),
        ChangeKind::ALL.len() * AmendmentPhase::ALL.len()
    );
    for kind in ChangeKind::ALL {
        for phase in [
            AmendmentPhase::AffectedTaskStarted,
            AmendmentPhase::ItemCompleted,
        ] {
            assert_eq!(
                safety::rule(kind, phase),
                SafetyRule::Blocked,
                "{kind:?} {phase:?}"
            );
        }
        assert!(!safety::rule(kind, AmendmentPhase::BeforeDecomposition).redecomposes());
        assert_eq!(
            safety::rule(kind, AmendmentPhase::AfterDecomposition).reprices(),
            matches!(kind, ChangeKind::ItemOffering | ChangeKind::ItemQuantity)
        );
    }
    for phase in AmendmentPhase::ALL {
        assert_eq!(
            safety::rule(ChangeKind::ItemPrice, phase),
            SafetyRule::Blocked
        );
    }
    assert_eq!(
        safety::rule(
            ChangeKind::ServiceAddress,
            AmendmentPhase::AfterDecomposition
        ),
        SafetyRule::Redecompose
    );
    assert_eq!(
        safety::rule(
            ChangeKind::RequestedDates,
            AmendmentPhase::AfterDecomposition
        ),
        SafetyRule::Apply
    );
}

/// The fiber access of the speed example: serviceability and port use only the address.
fn fiber(check: TaskProgress, port: TaskProgress, activate: TaskProgress) -> ExecutionView {
    const ADDRESS: &[ItemInput] = &[ItemInput::ServiceLocation];
    view(vec![
        T::new(
            1,
            0,
            "VALIDATE_SERVICEABILITY",
            R::None,
            E::NoExternalEffect,
        )
        .using(ADDRESS)
        .at(check),
        T::new(
            2,
            0,
            "RESERVE_ACCESS_PORT",
            R::Automatic,
            E::ReservationOnly,
        )
        .on("INVENTORY")
        .after(&[1])
        .using(ADDRESS)
        .at(port),
        T::new(3, 0, "ACTIVATE_SERVICE", R::Automatic, E::NetworkVisible)
            .after(&[2])
            .at(activate),
        T::new(4, 0, "ACTIVATE_BILLING", R::Partial, E::BillingVisible)
            .on("BILLING_ACTIVATION")
            .after(&[3]),
        T::new(5, 1, "ASSIGN_STATIC_IP", R::Automatic, E::ReservationOnly)
            .on("INVENTORY")
            .at(TaskProgress::Succeeded),
    ])
}

fn faster(order: &Order) -> AmendmentChange {
    let item = &order.items()[0];
    let currency = item.price.total().currency();
    let money = |a| Money::parse(a, currency).unwrap();
    AmendmentChange::ChangeItemOffering {
        item_id: item.id,
        product: ProductSnapshot {
            offering_id: ProductOfferingId::parse("po-fiber-internet-1g").unwrap(),
            offering_version: Some(1),
            offering_name: Some("Business Fiber 1 Gbps".into()),
            spec_ref: None,
        },
        price: PriceSnapshot::new(
            vec![PriceComponent {
                kind: PriceKind::Recurring,
                amount: money(dec!(150)),
                recurrence_period: Some("MONTHLY".into()),
                description: "1 Gbps".into(),
            }],
            money(dec!(150)),
        )
        .unwrap(),
    }
}

#[test]
fn a_speed_change_before_provisioning_replans_and_keeps_what_succeeded() {
    // Given serviceability checked and port reserved, activation not started
    let story = Story::in_progress(2);
    let v = fiber(
        TaskProgress::Succeeded,
        TaskProgress::Succeeded,
        TaskProgress::NotStarted,
    );
    let change = faster(story.order());
    let a = assess_amendment(story.order(), &v, std::slice::from_ref(&change)).unwrap();
    // Then it is re-planned: the address tasks stay, activation and billing are replaced
    assert_eq!(a.feasibility, AmendmentFeasibility::RequiresRedecomposition);
    assert_eq!(a.changes[0].phase, AmendmentPhase::AfterDecomposition);
    assert_eq!(a.changes[0].rule, SafetyRule::RedecomposeAndReprice);
    let dispositions: Vec<AmendmentTaskDisposition> =
        a.tasks.iter().map(|t| t.disposition).collect();
    assert_eq!(dispositions, vec![Keep, Keep, Replace, Replace, Keep]);
    assert!(a.requires_repricing && a.requires_redecomposition);
    assert_eq!(a.replanned_item_ids, vec![item_id(0)]);
    assert_eq!(a.price_effect.delta.amount(), dec!(50));
    assert_eq!(
        a.content_after.items[0].product.offering_id.as_str(),
        "po-fiber-internet-1g"
    );
    // When it is requested, the order keeps its state and waits for the re-plan
    let requested = given(&story)
        .when(amend(vec![change.clone()], v.clone()))
        .then_expect_types(&["OrderAmendmentRequested"]);
    assert_eq!(requested.state, OrderState::InProgress);
    assert!(requested.amendment.is_some());
    assert_eq!(
        requested.items()[0].product,
        story.order().items()[0].product,
        "the content changes only when the re-plan is applied"
    );
    let story = story.then(amend(vec![change], v));
    // a second change waits for the first
    given(&story)
        .when(amend(vec![new_start_date()], ExecutionView::default()))
        .then_error("CHANGE_ALREADY_IN_PROGRESS");
    given(&story)
        .when(cancel())
        .then_error("CHANGE_ALREADY_IN_PROGRESS");
    // Then the applied re-plan moves the order onto the new plan with the new content
    let applied = given(&story)
        .when(amendment_applied(2))
        .then_expect_types(&["OrderAmendmentApplied"]);
    assert_eq!(
        applied.items()[0].product.offering_id.as_str(),
        "po-fiber-internet-1g"
    );
    assert_eq!(
        applied.decomposition.as_ref().unwrap().plan_id,
        oms_domain::value::PlanId::from_uuid(uuid(5001))
    );
    assert!(applied.amendment.is_none());
    assert_eq!(
        applied
            .content
            .as_ref()
            .unwrap()
            .header
            .commercial
            .order_total
            .amount(),
        dec!(250)
    );
    // or a refused one leaves the order as it was
    let rejected = given(&story)
        .when(amendment_rejected())
        .then_expect_types(&["OrderAmendmentRejected"]);
    assert_eq!(rejected.content, story.order().content);
    assert!(rejected.amendment.is_none());
}

#[test]
fn a_speed_change_after_activation_is_refused_with_a_remediation() {
    let story = Story::in_progress(2);
    let v = fiber(
        TaskProgress::Succeeded,
        TaskProgress::Succeeded,
        TaskProgress::Succeeded,
    );
    let change = faster(story.order());
    let a = assess_amendment(story.order(), &v, std::slice::from_ref(&change)).unwrap();
    assert_eq!(a.feasibility, AmendmentFeasibility::Blocked);
    assert_eq!(a.changes[0].phase, AmendmentPhase::AffectedTaskStarted);
    let blocker = a.changes[0].blocker.as_ref().unwrap();
    assert_eq!(blocker.code, "AMENDMENT_PAST_POINT_OF_NO_RETURN");
    assert_eq!(blocker.task_id, Some(tid(3)));
    assert!(blocker.remediation.contains("supplemental order"));
    assert_eq!(
        a.tasks
            .iter()
            .filter(|t| t.disposition == AmendmentTaskDisposition::Blocked)
            .count(),
        1
    );
    given(&story)
        .when(amend(vec![change], v))
        .then_error("AMENDMENT_PAST_POINT_OF_NO_RETURN");
    // a completed order points to a supplemental order
    given(&Story::reaching(OrderState::Completed, 1))
        .when(amend(vec![new_start_date()], ExecutionView::default()))
        .then_error("ORDER_COMPLETED");
}

#[test]
fn in_place_changes_apply_at_once_and_bad_ones_are_refused() {
    let story = Story::in_progress(2);
    let v = fiber(
        TaskProgress::Succeeded,
        TaskProgress::NotStarted,
        TaskProgress::NotStarted,
    );
    let applied = given(&story)
        .when(amend(vec![new_start_date()], v.clone()))
        .then_expect_types(&["OrderAmendmentRequested", "OrderAmendmentApplied"]);
    assert_eq!(
        applied
            .content
            .as_ref()
            .unwrap()
            .header
            .dates
            .requested_start,
        Some(crate::support::today() + chrono::Days::new(30))
    );
    assert!(applied.amendment.is_none());
    // a price alone is the quote's
    let item = &story.order().items()[0];
    let price_only = AmendmentChange::ChangeItemPrice {
        item_id: item.id,
        price: item.price.clone(),
    };
    given(&story)
        .when(amend(vec![price_only], v.clone()))
        .then_error("AMENDMENT_NOT_ALLOWED");
    given(&story)
        .when(amend(vec![], v.clone()))
        .then_error("AMENDMENT_NO_CHANGE");
    let mut same = faster(story.order());
    if let AmendmentChange::ChangeItemOffering { product, .. } = &mut same {
        *product = item.product.clone();
    }
    given(&story)
        .when(amend(vec![same], v.clone()))
        .then_error("AMENDMENT_INVALID");
    // an amendment is an audited decision: it needs a reason
    given(&story)
        .when_with(amend(vec![new_start_date()], v), &crate::support::meta())
        .then_error("REASON_REQUIRED");
}

#[test]
fn an_address_change_replans_the_tasks_that_use_the_address() {
    let story = Story::in_progress(2);
    let v = fiber(
        TaskProgress::NotStarted,
        TaskProgress::NotStarted,
        TaskProgress::NotStarted,
    );
    let change = AmendmentChange::ChangeServiceAddress {
        address: oms_domain::order::ServiceAddress {
            line1: "Jl. Sudirman 2".into(),
            line2: None,
            city: "Jakarta".into(),
            postal_code: "12940".into(),
            country_code: "ID".into(),
        },
    };
    // item 1's static IP task says nothing of its inputs, so it counts as using the
    // address; it already ran: the change is refused
    let a = assess_amendment(story.order(), &v, std::slice::from_ref(&change)).unwrap();
    assert_eq!(a.feasibility, AmendmentFeasibility::Blocked);
    assert_eq!(a.blockers[0].task_id, Some(tid(5)));
    // once the static IP task declares it only uses the offering, item 1 is left alone
    let mut declared = v;
    declared.tasks[4].inputs = Some(vec![ItemInput::Offering]);
    let a = assess_amendment(story.order(), &declared, &[change]).unwrap();
    assert_eq!(a.feasibility, AmendmentFeasibility::RequiresRedecomposition);
    let dispositions: Vec<AmendmentTaskDisposition> =
        a.tasks.iter().map(|t| t.disposition).collect();
    assert_eq!(dispositions, vec![Replace, Replace, Replace, Replace, Keep]);
    assert_eq!(a.changes[0].item_ids, vec![item_id(0)]);
}

#[test]
fn the_replan_diff_keeps_adds_cancels_and_blocks() {
    let old = [tid(1), tid(2), tid(3), tid(4)];
    let new = [tid(1), tid(2), tid(13), tid(14)];
    let diff = replan(&old, &new, &BTreeSet::from([tid(1), tid(2)]));
    assert_eq!(diff.keep, vec![tid(1), tid(2)]);
    assert_eq!(diff.add, vec![tid(13), tid(14)]);
    assert_eq!(diff.cancel, vec![tid(3), tid(4)]);
    assert!(diff.is_safe());
    // no task is lost: every old task is kept or dropped, every new one kept or added
    let accounted: BTreeSet<TaskId> = diff.keep.iter().chain(&diff.cancel).copied().collect();
    assert_eq!(accounted, old.into_iter().collect());
    let late = replan(&old, &new, &BTreeSet::from([tid(3)]));
    assert_eq!(late.blocked_by_started, vec![tid(3)]);
    assert!(!late.is_safe());
    assert!(replan(&old, &old, &BTreeSet::new()).is_noop());
}

#[test]
fn an_item_that_completes_while_the_replan_is_under_way_stays_completed() {
    // Given a re-plan of item 0 requested while item 1 still runs
    let v = fiber(
        TaskProgress::Succeeded,
        TaskProgress::Succeeded,
        TaskProgress::NotStarted,
    );
    let story = Story::in_progress(2);
    let change = faster(story.order());
    // and item 1 completes before the re-plan is applied
    let story = story.then(amend(vec![change], v)).then(complete(1));
    assert_eq!(story.order().items()[1].state, ItemState::Completed);
    // When the re-plan is applied
    let applied = given(&story)
        .when(amendment_applied(2))
        .then_expect_types(&["OrderAmendmentApplied"]);
    // Then item 0 has its new content and item 1 its completion (asset included)
    assert_eq!(
        applied.items()[0].product.offering_id.as_str(),
        "po-fiber-internet-1g"
    );
    assert_eq!(applied.items()[1].state, ItemState::Completed);
    assert_eq!(
        applied.items()[1].actual_asset_id,
        story.order().items()[1].actual_asset_id
    );
    // and replaying the history gives the same order
    let story = story.then(amendment_applied(2));
    assert_eq!(
        oms_domain::replay(&story.events).as_ref(),
        story.order.as_ref()
    );
}

#[test]
fn replaying_a_change_order_story_rebuilds_the_same_order() {
    let story = Story::in_progress(2)
        .then(amend(vec![new_start_date()], ExecutionView::default()))
        .then(cancel());
    let OrderCommand::RecordCancellationAssessment(mut a) = assess(F::FullyCancellable, vec![])
    else {
        unreachable!()
    };
    a.cancelling_item_ids = vec![item_id(0), item_id(1)];
    let story = story
        .then(OrderCommand::RecordCancellationAssessment(a))
        .then(item_cancelled(0))
        .then(item_cancelled(1));
    assert_eq!(story.state(), Some(OrderState::Cancelled));
    assert!(
        story
            .order()
            .items()
            .iter()
            .all(|i| i.state == ItemState::Cancelled)
    );
    assert_eq!(
        oms_domain::replay(&story.events).as_ref(),
        story.order.as_ref()
    );
}
