//! The state machine as a table (every action x every status, allowed and refused) and
//! given/when/then tests of `decide` for each action.

use chrono::{NaiveDate, TimeZone as _, Utc};
use oms_domain::events::{AssetEvent, FulfilledItem};
use oms_domain::order::{PriceComponent, PriceSnapshot, ProductSnapshot, ServiceAddress};
use oms_domain::value::{
    AccountId, AssetId, BillingAccountId, CorrelationId, CurrencyCode, CustomerId, LineNumber,
    Money, OrderId, OrderItemId, ProductOfferingId, Quantity, TenantId,
};
use oms_domain::vocab::{AssetEffect, AssetStatus, ItemAction, PriceKind};
use oms_domain::{Actor, TransitionMeta};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::*;
use crate::model::{AssetState, FulfilledChange};

use AssetStatus::{Active, Pending, Suspended, Terminated};
use InconsistencyCode as C;
use ItemAction::{Add, Delete, Modify, Move, NoChange, Renew, Resume, Suspend};

/// The whole table, spelled out: (action, current status, expected cell).
#[rustfmt::skip]
const EXPECTED: &[(ItemAction, Option<AssetStatus>, Rule)] = &[
    (Add, None, Rule::Allow(Active)),
    (Add, Some(Pending), Rule::Refuse(C::AssetAlreadyExists)),
    (Add, Some(Active), Rule::Refuse(C::AssetAlreadyExists)),
    (Add, Some(Suspended), Rule::Refuse(C::AssetAlreadyExists)),
    (Add, Some(Terminated), Rule::Refuse(C::AssetAlreadyExists)),
    (Modify, None, Rule::Refuse(C::AssetNotFound)),
    (Modify, Some(Pending), Rule::Refuse(C::AssetPendingActivation)),
    (Modify, Some(Active), Rule::Allow(Active)),
    (Modify, Some(Suspended), Rule::Refuse(C::AssetNotActive)),
    (Modify, Some(Terminated), Rule::Refuse(C::AssetTerminated)),
    (Delete, None, Rule::Refuse(C::AssetNotFound)),
    (Delete, Some(Pending), Rule::Refuse(C::AssetPendingActivation)),
    (Delete, Some(Active), Rule::Allow(Terminated)),
    (Delete, Some(Suspended), Rule::Allow(Terminated)),
    (Delete, Some(Terminated), Rule::Refuse(C::AssetTerminated)),
    (Suspend, None, Rule::Refuse(C::AssetNotFound)),
    (Suspend, Some(Pending), Rule::Refuse(C::AssetPendingActivation)),
    (Suspend, Some(Active), Rule::Allow(Suspended)),
    (Suspend, Some(Suspended), Rule::Refuse(C::AssetNotActive)),
    (Suspend, Some(Terminated), Rule::Refuse(C::AssetTerminated)),
    (Resume, None, Rule::Refuse(C::AssetNotFound)),
    (Resume, Some(Pending), Rule::Refuse(C::AssetPendingActivation)),
    (Resume, Some(Active), Rule::Refuse(C::AssetNotSuspended)),
    (Resume, Some(Suspended), Rule::Allow(Active)),
    (Resume, Some(Terminated), Rule::Refuse(C::AssetTerminated)),
    (Move, None, Rule::Refuse(C::AssetNotFound)),
    (Move, Some(Pending), Rule::Refuse(C::AssetPendingActivation)),
    (Move, Some(Active), Rule::Allow(Active)),
    (Move, Some(Suspended), Rule::Refuse(C::AssetNotActive)),
    (Move, Some(Terminated), Rule::Refuse(C::AssetTerminated)),
    (Renew, None, Rule::Refuse(C::AssetNotFound)),
    (Renew, Some(Pending), Rule::Refuse(C::AssetPendingActivation)),
    (Renew, Some(Active), Rule::Allow(Active)),
    (Renew, Some(Suspended), Rule::Refuse(C::AssetNotActive)),
    (Renew, Some(Terminated), Rule::Refuse(C::AssetTerminated)),
    (NoChange, None, Rule::NoEffect),
    (NoChange, Some(Pending), Rule::NoEffect),
    (NoChange, Some(Active), Rule::NoEffect),
    (NoChange, Some(Suspended), Rule::NoEffect),
    (NoChange, Some(Terminated), Rule::NoEffect),
];

fn every_status() -> impl Iterator<Item = Option<AssetStatus>> {
    std::iter::once(None).chain(AssetStatus::ALL.into_iter().map(Some))
}

#[test]
fn the_table_has_the_expected_cell_for_every_action_and_status() {
    assert_eq!(
        EXPECTED.len(),
        ItemAction::ALL.len() * 5,
        "every pair listed once"
    );
    for action in ItemAction::ALL {
        for status in every_status() {
            let expected = EXPECTED
                .iter()
                .find(|(a, s, _)| *a == action && *s == status)
                .map_or_else(
                    || panic!("{action:?} x {status:?} missing from EXPECTED"),
                    |(_, _, rule)| *rule,
                );
            assert_eq!(rule(action, status), expected, "{action:?} on {status:?}");
        }
    }
}

#[test]
fn the_table_agrees_with_the_domain_rule_order_capture_validates_with() {
    for action in ItemAction::ALL.into_iter().filter(|a| a.is_mutating()) {
        for status in AssetStatus::ALL {
            let allowed = matches!(rule(action, Some(status)), Rule::Allow(_));
            assert_eq!(
                allowed,
                action.allowed_on(status),
                "{action:?} on {status:?}"
            );
        }
    }
}

#[test]
fn reason_codes_are_distinct_screaming_snake_case() {
    let codes: std::collections::BTreeSet<_> =
        InconsistencyCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes.len(), InconsistencyCode::ALL.len());
    for code in codes {
        assert!(
            code.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
            "{code}"
        );
        let json =
            serde_json::to_string(&InconsistencyCode::ALL.iter().find(|c| c.as_str() == code))
                .unwrap();
        assert_eq!(json, format!("\"{code}\""));
    }
}

// ---------------------------------------------------------------- decide, given/when/then

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn meta() -> TransitionMeta {
    TransitionMeta::new(
        Actor::service("asset"),
        Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap(),
        CorrelationId::parse("corr-1").unwrap(),
    )
}

fn price(amount: i64) -> PriceSnapshot {
    let currency = CurrencyCode::parse("EUR").unwrap();
    let money = Money::parse(rust_decimal::Decimal::new(amount, 0), currency).unwrap();
    let component = PriceComponent {
        kind: PriceKind::Recurring,
        amount: money,
        recurrence_period: Some("MONTHLY".into()),
        description: "monthly fee".into(),
    };
    PriceSnapshot::new(vec![component], money).unwrap()
}

fn address(line1: &str) -> ServiceAddress {
    ServiceAddress {
        line1: line1.into(),
        line2: None,
        city: "Berlin".into(),
        postal_code: "10115".into(),
        country_code: "DE".into(),
    }
}

fn item(action: ItemAction) -> FulfilledItem {
    FulfilledItem {
        line_number: LineNumber::parse(1).unwrap(),
        action,
        quantity: Quantity::parse(1).unwrap(),
        product: ProductSnapshot {
            offering_id: ProductOfferingId::parse("fiber-500").unwrap(),
            offering_version: Some(3),
            offering_name: Some("Fiber 500".into()),
            spec_ref: None,
        },
        target_asset_id: (action != Add).then(|| AssetId::parse("asset-1").unwrap()),
        customer_id: CustomerId::parse("cust-1").unwrap(),
        account_id: AccountId::parse("acct-1").unwrap(),
        billing_account_id: BillingAccountId::parse("bill-1").unwrap(),
        configuration: BTreeMap::from([("bandwidth".into(), "500M".into())]),
        service_address: Some(address("Main St 1")),
        price: price(40),
        term_months: Some(12),
    }
}

fn change(action: ItemAction) -> FulfilledChange {
    FulfilledChange {
        tenant_id: TenantId::parse("acme").unwrap(),
        order_id: OrderId::from_uuid(Uuid::now_v7()),
        item_id: OrderItemId::from_uuid(Uuid::now_v7()),
        asset_id: AssetId::parse("asset-1").unwrap(),
        effect: action.expected_effect(),
        activation_date: (action == Add).then(|| date(2026, 1, 15)),
        fulfilled_on: date(2026, 3, 10),
        service_refs: vec![],
        resource_refs: vec![],
        item: item(action),
    }
}

/// Given an ACTIVE asset created by an ADD.
fn active_asset() -> AssetState {
    let mut add = change(Add);
    add.service_refs = vec!["svc-1".into()];
    match decide(None, &add, &meta()) {
        Decision::Apply { next, .. } => *next,
        other => panic!("ADD refused: {other:?}"),
    }
}

fn with_status(status: AssetStatus) -> AssetState {
    let mut asset = active_asset();
    asset.installed.status = status;
    if status == Terminated {
        asset.terminated_on = Some(date(2026, 2, 1));
    }
    asset
}

fn applied(current: Option<&AssetState>, change: &FulfilledChange) -> (AssetState, AssetEvent) {
    match decide(current, change, &meta()) {
        Decision::Apply { next, event } => (*next, event),
        other => panic!("expected the change to apply: {other:?}"),
    }
}

fn refused(current: Option<&AssetState>, change: &FulfilledChange) -> Inconsistency {
    match decide(current, change, &meta()) {
        Decision::Refuse(inconsistency) => inconsistency,
        other => panic!("expected a refusal: {other:?}"),
    }
}

#[test]
fn add_creates_an_active_asset_with_the_whole_item_context() {
    let add = change(Add);
    let (asset, event) = applied(None, &add);
    assert_eq!(asset.status(), Active);
    assert_eq!(asset.asset_id.as_str(), "asset-1");
    assert_eq!(asset.installed.customer_id.as_str(), "cust-1");
    assert_eq!(asset.installed.account_id.as_str(), "acct-1");
    assert_eq!(asset.installed.billing_account_id.as_str(), "bill-1");
    assert_eq!(asset.installed.product, add.item.product);
    assert_eq!(asset.installed.configuration, add.item.configuration);
    assert_eq!(asset.installed.service_address, add.item.service_address);
    assert_eq!(asset.installed.price, add.item.price);
    assert_eq!(asset.installed.activation_date, Some(date(2026, 1, 15)));
    assert_eq!(asset.term_start_date, Some(date(2026, 1, 15)));
    assert_eq!(asset.installed.term_end_date, Some(date(2027, 1, 14)));
    assert_eq!(
        (asset.source_order_id, asset.source_item_id),
        (add.order_id, add.item_id)
    );
    let AssetEvent::AssetCreated(created) = event else {
        panic!("{event:?}")
    };
    assert_eq!(created.asset, asset.installed);
    assert_eq!(
        (created.base.order_id, created.base.item_id),
        (add.order_id, add.item_id)
    );
    assert_eq!(created.base.asset_id, asset.asset_id);
}

#[test]
fn modify_changes_configuration_offering_and_price() {
    let before = active_asset();
    let mut modify = change(Modify);
    modify.item.configuration = BTreeMap::from([("bandwidth".into(), "1G".into())]);
    modify.item.price = price(60);
    let (after, event) = applied(Some(&before), &modify);
    assert_eq!(after.installed.configuration["bandwidth"], "1G");
    assert_eq!(after.installed.price, price(60));
    assert_eq!(after.status(), Active);
    assert_eq!(
        after.source_item_id, before.source_item_id,
        "the creating item stays"
    );
    assert_eq!(after.last_item_id, modify.item_id);
    assert_eq!(
        after.service_refs, before.service_refs,
        "no refs reported: kept"
    );
    assert!(matches!(event, AssetEvent::AssetModified(e) if e.asset == after.installed));
}

#[test]
fn delete_terminates_on_the_fulfillment_day() {
    for status in [Active, Suspended] {
        let (after, event) = applied(Some(&with_status(status)), &change(Delete));
        assert_eq!(after.status(), Terminated);
        assert_eq!(after.terminated_on, Some(date(2026, 3, 10)));
        assert!(
            matches!(event, AssetEvent::AssetTerminated(e) if e.terminated_on == date(2026, 3, 10))
        );
    }
}

#[test]
fn suspend_then_resume() {
    let (suspended, event) = applied(Some(&active_asset()), &change(Suspend));
    assert_eq!(suspended.status(), Suspended);
    assert!(matches!(event, AssetEvent::AssetSuspended(_)));
    let (resumed, event) = applied(Some(&suspended), &change(Resume));
    assert_eq!(resumed.status(), Active);
    assert!(matches!(event, AssetEvent::AssetResumed(_)));
}

#[test]
fn move_changes_the_service_address_and_reports_the_previous_one() {
    let before = active_asset();
    let mut moved = change(Move);
    moved.item.service_address = Some(address("New Rd 9"));
    let (after, event) = applied(Some(&before), &moved);
    assert_eq!(after.installed.service_address, Some(address("New Rd 9")));
    let AssetEvent::AssetMoved(e) = event else {
        panic!("{event:?}")
    };
    assert_eq!(e.previous_location, Some(address("Main St 1")));

    moved.item.service_address = None;
    assert_eq!(refused(Some(&before), &moved).code, C::MoveAddressMissing);
}

#[test]
fn renew_extends_the_term_from_its_end() {
    let before = active_asset();
    let mut renew = change(Renew);
    renew.item.term_months = Some(24);
    let (after, event) = applied(Some(&before), &renew);
    assert_eq!(after.term_start_date, Some(date(2027, 1, 15)));
    assert_eq!(after.installed.term_end_date, Some(date(2029, 1, 14)));
    assert_eq!(after.installed.term_months, Some(24));
    assert_eq!(after.renewal_count, 1);
    let AssetEvent::AssetRenewed(e) = event else {
        panic!("{event:?}")
    };
    assert_eq!(e.previous_term_end_date, Some(date(2027, 1, 14)));

    let mut no_term = before.clone();
    no_term.installed.term_months = None;
    renew.item.term_months = None;
    assert_eq!(refused(Some(&no_term), &renew).code, C::RenewTermInvalid);
}

#[test]
fn no_change_does_nothing_whatever_the_asset() {
    let no_change = change(NoChange);
    assert_eq!(decide(None, &no_change, &meta()), Decision::NoEffect);
    for status in AssetStatus::ALL {
        assert_eq!(
            decide(Some(&with_status(status)), &no_change, &meta()),
            Decision::NoEffect
        );
    }
}

#[test]
fn impossible_changes_are_refused_with_an_inconsistency_event() {
    let resume_active = refused(Some(&active_asset()), &change(Resume));
    assert_eq!(resume_active.code, C::AssetNotSuspended);
    assert_eq!(resume_active.expected_status, Some(Suspended));
    assert_eq!(resume_active.actual_status, Some(Active));
    let AssetEvent::AssetInconsistencyDetected(e) = &resume_active.event else {
        panic!()
    };
    assert_eq!(e.attempted_action, Resume);
    assert_eq!(
        (e.expected_status, e.actual_status),
        (Some(Suspended), Some(Active))
    );
    assert!(
        e.description.starts_with("ASSET_NOT_SUSPENDED: "),
        "{}",
        e.description
    );

    let modify_terminated = refused(Some(&with_status(Terminated)), &change(Modify));
    assert_eq!(modify_terminated.code, C::AssetTerminated);
    assert_eq!(modify_terminated.actual_status, Some(Terminated));

    let modify_missing = refused(None, &change(Modify));
    assert_eq!(
        (modify_missing.code, modify_missing.actual_status),
        (C::AssetNotFound, None)
    );

    let add_twice = refused(Some(&active_asset()), &change(Add));
    assert_eq!(add_twice.code, C::AssetAlreadyExists);
}

#[test]
fn a_foreign_asset_or_a_mismatched_effect_is_refused() {
    let mut foreign = change(Modify);
    foreign.item.customer_id = CustomerId::parse("someone-else").unwrap();
    assert_eq!(
        refused(Some(&active_asset()), &foreign).code,
        C::AssetOwnerMismatch
    );

    let mut mismatch = change(Modify);
    mismatch.effect = AssetEffect::Terminate;
    assert_eq!(
        refused(Some(&active_asset()), &mismatch).code,
        C::AssetEffectMismatch
    );
    let mut no_change_with_effect = change(NoChange);
    no_change_with_effect.effect = AssetEffect::Modify;
    assert_eq!(
        refused(Some(&active_asset()), &no_change_with_effect).code,
        C::AssetEffectMismatch
    );
}

#[test]
fn an_item_without_effect_changes_nothing_whatever_its_action() {
    // Order-capture completes such an item on OrderItemFulfilled; no asset event may follow.
    for action in ItemAction::ALL {
        let mut untouched = change(action);
        untouched.effect = AssetEffect::None;
        let decision = decide(Some(&active_asset()), &untouched, &meta());
        assert_eq!(decision, Decision::NoEffect, "{action:?}");
    }
}
