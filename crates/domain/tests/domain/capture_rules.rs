//! Capture validation: every rule code has a fixture that produces it, the registry and
//! the rule profiles agree, the documentation lists every code, and the 001 §21.2 cases.

use chrono::Duration;
use rust_decimal_macros::dec;

use oms_domain::capture::{
    CaptureContext, CaptureOrder, MigrationInput, RelationInput, RuleCode, Severity,
    codes_with_a_rule, validate_capture,
};
use oms_domain::lifecycle::OrderState;
use oms_domain::request_fingerprint;
use oms_domain::value::OrderId;
use oms_domain::vocab::{AssetStatus, CaptureMode, ItemAction, OrderType, PriceKind, RelationType};

use crate::support::{asset, context, quote_intake, today, uuid};

fn other_order() -> OrderId {
    OrderId::from_uuid(uuid(99))
}

fn modify(intake: &mut CaptureOrder, i: usize, asset_id: &str) {
    intake.items[i].action = ItemAction::Modify;
    intake.items[i].target_asset_id = Some(asset_id.into());
}

/// An intake and context that violate exactly the rule behind `code` (and little else).
fn fixture(code: RuleCode) -> (CaptureOrder, CaptureContext) {
    let mut o = quote_intake(2);
    let mut c = context().with_asset(asset("asset-1", AssetStatus::Active));
    match code {
        RuleCode::OrderHasNoItems => o = quote_intake(0),
        RuleCode::FieldRequired => o.customer.customer_id = String::new(),
        RuleCode::ReferenceInvalid => o.external_order_ref = Some("x".repeat(200)),
        RuleCode::TenantMismatch => o.tenant_id = "tenant-b".into(),
        RuleCode::QuantityInvalid => o.items[0].quantity = 0,
        RuleCode::LineNumberInvalid => o.items[0].line_number = -3,
        RuleCode::DuplicateLineNumber => o.items[1].line_number = 1,
        RuleCode::DuplicateClientItemRef => o.items[1].client_item_ref = "qi-0".into(),
        RuleCode::ProductOfferingVersionInvalid => o.items[0].product_offering_version = Some(0),
        RuleCode::ConfigurationKeyBlank => {
            o.items[0].configuration.insert(" ".into(), "x".into());
        }
        RuleCode::InvalidCurrency => o.currency = "idr".into(),
        RuleCode::CurrencyMismatch => o.items[0].currency = Some("USD".into()),
        RuleCode::AmountPrecisionExceeded => o.items[0].item_total = Some(dec!(100.00001)),
        RuleCode::ContractTermInvalid => o.contract_term_months = Some(0),
        RuleCode::ParentItemNotFound => o.items[0].parent_ref = Some("qi-404".into()),
        RuleCode::ItemHierarchyCycle => {
            o.items[0].parent_ref = Some("qi-1".into());
            o.items[1].parent_ref = Some("qi-0".into());
        }
        RuleCode::DependencyTargetNotFound => o.items[0].depends_on = vec![dep("qi-404")],
        RuleCode::DependencyCycle => {
            o.items[0].depends_on = vec![dep("qi-1")];
            o.items[1].depends_on = vec![dep("qi-0")];
        }
        RuleCode::AddUnderDisconnectedParent => {
            o.items[0].action = ItemAction::Delete;
            o.items[0].target_asset_id = Some("asset-1".into());
            o.items[1].parent_ref = Some("qi-0".into());
        }
        RuleCode::OrderTypeInconsistent => o.order_type = Some(OrderType::Disconnect),
        RuleCode::TargetAssetRequired => o.items[0].action = ItemAction::Modify,
        RuleCode::TargetAssetNotAllowed => o.items[0].target_asset_id = Some("asset-1".into()),
        RuleCode::AssetNotFound => modify(&mut o, 0, "asset-404"),
        RuleCode::AssetNotOwnedByCustomer => {
            let mut a = asset("asset-2", AssetStatus::Active);
            a.customer_id = oms_domain::value::CustomerId::parse("cust-other").unwrap();
            c = c.with_asset(a);
            modify(&mut o, 0, "asset-2");
        }
        RuleCode::AssetStateDisallowsAction => {
            o.items[0].action = ItemAction::Resume;
            o.items[0].target_asset_id = Some("asset-1".into());
        }
        RuleCode::AssetInFlight => {
            let mut a = asset("asset-2", AssetStatus::Active);
            a.in_flight_order_id = Some(other_order());
            c = c.with_asset(a);
            modify(&mut o, 0, "asset-2");
        }
        RuleCode::ConflictingAssetActions => {
            modify(&mut o, 0, "asset-1");
            modify(&mut o, 1, "asset-1");
        }
        RuleCode::RequestedDateInPast => o.requested_start_date = Some(today() - Duration::days(1)),
        RuleCode::CompletionBeforeStart => {
            o.requested_completion_date = Some(today() + Duration::days(1));
        }
        RuleCode::QuoteRefRequired => o.quote = None,
        RuleCode::QuoteRefNotAllowed => o.capture_mode = CaptureMode::DirectOrder,
        RuleCode::QuoteRevisionInvalid => o.quote.as_mut().unwrap().revision = 0,
        RuleCode::QuoteExpired => {
            o.quote.as_mut().unwrap().valid_until = today() - Duration::days(1);
        }
        RuleCode::QuoteHashMissing => o.quote.as_mut().unwrap().price_hash = " ".into(),
        RuleCode::QuoteAlreadyConverted => c.quote_converted_by = Some(other_order()),
        RuleCode::PriceComponentsMismatch => {
            o.items[0].item_total = Some(dec!(99));
            o.order_total = Some(dec!(199));
        }
        RuleCode::PriceComponentSignInvalid => {
            o.items[0].price_components[0].amount = dec!(90);
            o.items[0].price_components[1].amount = dec!(10);
        }
        RuleCode::RecurrencePeriodRequired => {
            o.items[0].price_components[0].recurrence_period = None;
        }
        RuleCode::OrderTotalMismatch => o.order_total = Some(dec!(1)),
        RuleCode::NegativeTotalNotAllowed => {
            for item in &mut o.items {
                item.price_components[1].amount = dec!(-160);
                item.item_total = Some(dec!(-50));
            }
            o.order_total = Some(dec!(-100));
        }
        RuleCode::MigrationEvidenceRequired => {
            o.capture_mode = CaptureMode::AdminMigration;
            o.quote = None;
        }
        RuleCode::RelatedOrderRequired => o.capture_mode = CaptureMode::Supplemental,
        RuleCode::RelatedOrderInvalid => {
            o.relations = vec![RelationInput {
                relation_type: RelationType::Amends,
                order_id: "not-a-uuid".into(),
            }];
        }
        RuleCode::DuplicateExternalOrderRef => {
            o.external_order_ref = Some("WEB-2026-00001822".into());
            c.external_ref_used_by = Some(other_order());
        }
        RuleCode::RelatedOrderNotFound
        | RuleCode::RelatedOrderStateInvalid
        | RuleCode::RelatedOrderPartyMismatch => {
            o.capture_mode = CaptureMode::Supplemental;
            o.relations = vec![RelationInput {
                relation_type: RelationType::Supplements,
                order_id: other_order().to_string(),
            }];
            let related = |state, customer: &str| oms_domain::capture::RelatedOrderSnapshot {
                order_id: other_order(),
                state,
                customer_id: Some(oms_domain::value::CustomerId::parse(customer).unwrap()),
                account_id: Some(oms_domain::value::AccountId::parse("acct-2001").unwrap()),
            };
            match code {
                RuleCode::RelatedOrderStateInvalid => {
                    c = c.with_related_order(related(OrderState::Cancelled, "cust-1001"));
                }
                RuleCode::RelatedOrderPartyMismatch => {
                    c = c.with_related_order(related(OrderState::Completed, "cust-9999"));
                }
                _ => {}
            }
        }
    }
    (o, c)
}

fn dep(client_ref: &str) -> oms_domain::capture::DependencyInput {
    oms_domain::capture::DependencyInput {
        client_item_ref: client_ref.into(),
        dependency_type: oms_domain::vocab::DependencyType::Sequence,
    }
}

#[test]
fn the_baseline_fixture_is_valid() {
    let (o, c) = (quote_intake(2), context());
    assert_eq!(validate_capture(&o, &c, None).violations, vec![]);
}

#[test]
fn every_rule_code_is_produced_by_its_fixture() {
    for &code in RuleCode::ALL {
        let (o, c) = fixture(code);
        let report = validate_capture(&o, &c, None);
        let v = report
            .violations
            .iter()
            .find(|v| v.code == code)
            .unwrap_or_else(|| panic!("{code:?} not produced: {:?}", report.violations));
        assert!(
            !v.path.is_empty() && !v.message.is_empty() && v.remediation.is_some(),
            "{v:?}"
        );
        assert_eq!(
            report.is_valid(),
            code.default_severity() == Severity::Warning,
            "{code:?}: {:?}",
            report.violations
        );
    }
}

#[test]
fn every_code_has_a_rule_and_is_documented() {
    assert_eq!(codes_with_a_rule(), RuleCode::ALL.to_vec());
    let doc = include_str!("../../../../docs/validation-codes.md");
    for code in RuleCode::ALL {
        assert!(
            doc.contains(&format!("`{}`", code.code())),
            "{} missing from docs/validation-codes.md",
            code.code()
        );
        assert!(
            doc.contains(code.remediation()),
            "remediation of {} not documented verbatim",
            code.code()
        );
    }
}

#[test]
fn target_asset_rules_per_action() {
    let check = |action: ItemAction, target: Option<&str>| {
        let mut o = quote_intake(1);
        o.items[0].action = action;
        o.items[0].target_asset_id = target.map(Into::into);
        let c = context()
            .with_asset(asset("asset-1", AssetStatus::Active))
            .with_asset(asset("asset-s", AssetStatus::Suspended));
        validate_capture(&o, &c, None)
    };
    assert!(
        check(ItemAction::Modify, None).has(RuleCode::TargetAssetRequired),
        "MODIFY requires target asset"
    );
    assert!(
        check(ItemAction::Delete, None).has(RuleCode::TargetAssetRequired),
        "DISCONNECT requires target asset"
    );
    assert!(
        check(ItemAction::Add, None).is_valid(),
        "ADD does not require target asset"
    );
    assert!(check(ItemAction::Suspend, Some("asset-1")).is_valid());
    assert!(check(ItemAction::Resume, Some("asset-s")).is_valid());
    assert!(check(ItemAction::Suspend, Some("asset-s")).has(RuleCode::AssetStateDisallowsAction));
    for action in ItemAction::ALL
        .into_iter()
        .filter(|a| a.requires_target_asset())
    {
        assert!(
            check(action, None).has(RuleCode::TargetAssetRequired),
            "{action:?}"
        );
    }
}

#[test]
fn nothing_may_touch_a_terminated_asset_and_foreign_assets_do_not_exist() {
    let mut o = quote_intake(1);
    modify(&mut o, 0, "asset-t");
    let c = context().with_asset(asset("asset-t", AssetStatus::Terminated));
    assert!(validate_capture(&o, &c, None).has(RuleCode::AssetStateDisallowsAction));
    let mut foreign = asset("asset-t", AssetStatus::Active);
    foreign.tenant_id = oms_domain::value::TenantId::parse("tenant-b").unwrap();
    let report = validate_capture(&o, &context().with_asset(foreign), None);
    assert!(report.has(RuleCode::AssetNotFound) && !report.has(RuleCode::AssetNotOwnedByCustomer));
}

#[test]
fn an_order_never_conflicts_with_itself() {
    let mut o = quote_intake(1);
    modify(&mut o, 0, "asset-2");
    let mut a = asset("asset-2", AssetStatus::Active);
    a.in_flight_order_id = Some(crate::support::order_id());
    let mut c = context().with_asset(a);
    c.quote_converted_by = Some(crate::support::order_id());
    assert!(validate_capture(&o, &c, Some(crate::support::order_id())).is_valid());
    assert!(validate_capture(&o, &c, None).has(RuleCode::AssetInFlight));
}

#[test]
fn admin_migration_may_accept_past_dates_only_with_evidence() {
    let mut o = quote_intake(1);
    o.capture_mode = CaptureMode::AdminMigration;
    o.quote = None;
    o.requested_start_date = Some(today() - Duration::days(30));
    o.migration = Some(MigrationInput {
        reason_code: "LEGACY_IMPORT".into(),
        evidence_ref: "ticket-42".into(),
        allow_past_dates: true,
    });
    let report = validate_capture(&o, &context(), None);
    assert!(report.is_valid(), "{:?}", report.violations);
    assert_eq!(
        report.warnings().next().unwrap().code,
        RuleCode::RequestedDateInPast
    );
    o.migration.as_mut().unwrap().allow_past_dates = false;
    assert!(!validate_capture(&o, &context(), None).is_valid());
    o.capture_mode = CaptureMode::DirectOrder;
    o.migration.as_mut().unwrap().allow_past_dates = true;
    assert!(
        !validate_capture(&o, &context(), None).is_valid(),
        "override only in ADMIN_MIGRATION"
    );
}

#[test]
fn direct_orders_need_no_quote_and_supplemental_orders_link_their_parent() {
    let mut o = quote_intake(1);
    o.capture_mode = CaptureMode::DirectOrder;
    o.quote = None;
    assert!(validate_capture(&o, &context(), None).is_valid());
    // Supplemental add-on against an active asset of the customer.
    o.capture_mode = CaptureMode::Supplemental;
    modify(&mut o, 0, "asset-1");
    o.relations = vec![RelationInput {
        relation_type: RelationType::Supplements,
        order_id: other_order().to_string(),
    }];
    let bare = context().with_asset(asset("asset-1", AssetStatus::Active));
    let report = validate_capture(&o, &bare, None);
    assert_eq!(
        report.violations.iter().map(|v| v.code).collect::<Vec<_>>(),
        vec![RuleCode::RelatedOrderNotFound],
        "the supplemented order must be known"
    );
    let c = bare.with_related_order(oms_domain::capture::RelatedOrderSnapshot {
        order_id: other_order(),
        state: OrderState::Completed,
        customer_id: Some(oms_domain::value::CustomerId::parse("cust-1001").unwrap()),
        account_id: Some(oms_domain::value::AccountId::parse("acct-2001").unwrap()),
    });
    assert!(validate_capture(&o, &c, None).is_valid());
    // A second supplemental order competing for the same asset is refused.
    let mut busy = asset("asset-1", AssetStatus::Active);
    busy.in_flight_order_id = Some(other_order());
    assert!(validate_capture(&o, &context().with_asset(busy), None).has(RuleCode::AssetInFlight));
}

#[test]
fn violations_are_deterministic_and_point_into_the_intake() {
    let (o, c) = fixture(RuleCode::DuplicateClientItemRef);
    let a = validate_capture(&o, &c, None);
    assert_eq!(a, validate_capture(&o, &c, None));
    assert_eq!(a.violations[0].path, "items[1].clientItemRef");
    let json = serde_json::to_value(&a.violations[0]).unwrap();
    assert_eq!(json["code"], "DUPLICATE_CLIENT_ITEM_REF");
    assert_eq!(json["severity"], "ERROR");
}

#[test]
fn a_negative_total_is_allowed_for_billing_adjustments() {
    let (mut o, c) = fixture(RuleCode::NegativeTotalNotAllowed);
    o.order_intent = Some(oms_domain::vocab::OrderIntent::BillingAdjustment);
    assert!(validate_capture(&o, &c, None).is_valid());
}

#[test]
fn fingerprint_is_semantic() {
    let a = quote_intake(2);
    let mut same = a.clone();
    same.items[0].item_total = Some(dec!(100.0000));
    same.items[0].price_components[0].amount = dec!(110);
    assert_eq!(
        request_fingerprint(&a),
        request_fingerprint(&same),
        "decimal scale is not semantic"
    );
    let mut other = a.clone();
    other.items[0].quantity = 2;
    assert_ne!(request_fingerprint(&a), request_fingerprint(&other));
    let mut kind = a.clone();
    kind.items[0].price_components[0].kind = PriceKind::OneTime;
    assert_ne!(request_fingerprint(&a), request_fingerprint(&kind));
    assert_eq!(request_fingerprint(&a).len(), 64);
}
