//! Event and aggregate serialisation: camelCase fields, SCREAMING_SNAKE enums, envelope
//! data for every topic, and JSON round trips (services persist aggregates as JSONB).

use oms_domain::events::{
    AssetEvent, AssetEventBase, AssetSuspended, DecompositionEvent, FulfilledItem,
    FulfillmentEvent, InstalledAsset, OrderDecompositionFailed, OrderFactBase,
};
use oms_domain::lifecycle::OrderState;
use oms_domain::value::AssetId;
use oms_domain::vocab::{AssetStatus, DecompositionFailureCode};
use oms_domain::{DomainEvent, Order, OrderEvent};

use crate::support::{Story, item_id, meta, order_id, tenant};

#[test]
fn aggregate_and_events_round_trip_through_json() {
    let story = Story::reaching(OrderState::Completed, 2);
    let json = serde_json::to_string(story.order()).unwrap();
    assert_eq!(
        &serde_json::from_str::<Order>(&json).unwrap(),
        story.order()
    );
    for event in &story.events {
        let json = serde_json::to_value(event).unwrap();
        assert_eq!(json["eventType"], event.event_type());
        assert_eq!(serde_json::from_value::<OrderEvent>(json).unwrap(), *event);
    }
}

#[test]
fn wire_names_follow_the_conventions() {
    let story = Story::reaching(OrderState::PartiallyCompleted, 2);
    let json = serde_json::to_value(story.order()).unwrap();
    assert_eq!(json["state"], "PARTIALLY_COMPLETED");
    assert_eq!(json["captureMode"], "QUOTE_DERIVED");
    assert_eq!(json["content"]["items"][0]["fulfillmentState"], "COMPLETED");
    assert_eq!(json["content"]["header"]["orderType"], "NEW_PROVIDE");
    let captured = serde_json::to_value(&story.events[0]).unwrap();
    assert_eq!(captured["payload"]["orderVersion"], 1);
    assert_eq!(captured["payload"]["meta"]["actor"]["kind"], "USER");
}

#[test]
fn event_type_names_are_past_tense_facts() {
    let all = OrderEvent::EVENT_TYPES
        .iter()
        .chain(DecompositionEvent::EVENT_TYPES)
        .chain(FulfillmentEvent::EVENT_TYPES)
        .chain(AssetEvent::EVENT_TYPES);
    for name in all {
        let words: Vec<String> = name.split(char::is_uppercase).map(str::to_owned).collect();
        assert!(
            words.iter().any(|w| w.ends_with("ed")),
            "{name} does not read as a past-tense fact"
        );
    }
    assert_eq!(OrderEvent::TOPIC, "oms.order.events.v1");
    assert_eq!(AssetEvent::TOPIC, "oms.asset.events.v1");
}

#[test]
fn other_topics_expose_their_envelope() {
    let failed = DecompositionEvent::from(OrderDecompositionFailed {
        base: OrderFactBase {
            order_id: order_id(),
            tenant_id: tenant(),
            meta: meta(),
        },
        fallout_id: crate::support::fallout_id(1),
        code: DecompositionFailureCode::TechnicalCatalogMappingMissing,
        item_id: Some(item_id(0)),
        message: "no mapping".into(),
        remediation: "map the offering".into(),
    });
    assert_eq!(failed.event_type(), "OrderDecompositionFailed");
    assert_eq!(failed.aggregate_id(), order_id().to_string());
    let json = serde_json::to_value(&failed).unwrap();
    assert_eq!(json["payload"]["code"], "TECHNICAL_CATALOG_MAPPING_MISSING");
    let story = Story::reaching(OrderState::Completed, 1);
    let content = story.order().content.as_ref().unwrap();
    let item = FulfilledItem::from_content(content, item_id(0)).unwrap();
    let suspended = AssetEvent::from(AssetSuspended {
        base: AssetEventBase {
            asset_id: AssetId::parse("asset-1").unwrap(),
            tenant_id: tenant(),
            order_id: order_id(),
            item_id: item_id(0),
            meta: meta(),
        },
        asset: InstalledAsset {
            customer_id: item.customer_id,
            account_id: item.account_id,
            billing_account_id: item.billing_account_id,
            product: item.product,
            quantity: item.quantity,
            status: AssetStatus::Suspended,
            configuration: item.configuration,
            service_address: item.service_address,
            price: item.price,
            activation_date: None,
            term_months: item.term_months,
            term_end_date: None,
        },
    });
    assert_eq!(
        (
            suspended.aggregate_type(),
            suspended.aggregate_id().as_str()
        ),
        ("Asset", "asset-1")
    );
    assert_eq!(
        serde_json::from_value::<AssetEvent>(serde_json::to_value(&suspended).unwrap()).unwrap(),
        suspended
    );
}

#[test]
fn facts_of_other_services_drive_the_order_through_their_commands() {
    use oms_domain::events::{
        CancellationAssessmentCompleted, CompensationCompleted, FulfillmentTaskStarted,
        OrderDecomposed, OrderItemFulfilled,
    };
    use oms_domain::vocab::{AssetEffect, CancellationFeasibility};
    let fact = || OrderFactBase {
        order_id: order_id(),
        tenant_id: tenant(),
        meta: meta(),
    };
    let mut story = Story::validated(2).then(oms_domain::OrderCommand::ReleaseForDecomposition);
    let oms_domain::OrderCommand::RecordDecomposition { plan } = crate::support::plan(2) else {
        unreachable!()
    };
    let decomposed = DecompositionEvent::from(OrderDecomposed { base: fact(), plan });
    story = story
        .then(decomposed.to_order_command().unwrap().unwrap())
        .then(oms_domain::OrderCommand::ReleaseForFulfillment);
    let started = FulfillmentEvent::from(FulfillmentTaskStarted {
        base: fact(),
        plan_id: story.order().decomposition.as_ref().unwrap().plan_id,
        task_id: oms_domain::value::TaskId::from_uuid(crate::support::uuid(6000)),
        item_ids: vec![item_id(0), item_id(1)],
        attempt: 1,
        compensates_task_id: None,
    });
    for command in started.to_order_commands() {
        story = story.then(command);
    }
    assert!(
        story
            .order()
            .items()
            .iter()
            .all(|i| i.state == oms_domain::lifecycle::ItemState::InProgress)
    );
    let content = story.order().content.clone().unwrap();
    let item = FulfilledItem::from_content(&content, item_id(0)).unwrap();
    assert_eq!(item.billing_account_id.as_str(), "ba-3001");
    assert_eq!(item.configuration["bandwidth"], "1Gbps");
    assert_eq!(
        item.price.total().amount(),
        rust_decimal_macros::dec!(100.00)
    );
    assert!(FulfilledItem::from_content(&content, item_id(7)).is_none());
    let fulfilled = FulfillmentEvent::from(OrderItemFulfilled {
        base: fact(),
        item_id: item_id(0),
        asset_effect: AssetEffect::Create,
        asset_id: Some(AssetId::parse("asset-9").unwrap()),
        service_refs: vec![],
        resource_refs: vec![],
        activation_date: None,
        item: Box::new(item),
    });
    for command in fulfilled.to_order_commands() {
        story = story.then(command);
    }
    // Fulfilled with an asset effect: the item waits for the installed base.
    let waiting = story.order().item(item_id(0)).unwrap();
    assert_eq!(waiting.state, oms_domain::lifecycle::ItemState::InProgress);
    assert_eq!(
        waiting.fulfillment_state,
        oms_domain::lifecycle::FulfillmentState::WaitingForExternalSystem
    );
    assert_eq!(story.state(), Some(OrderState::InProgress));
    let installed = FulfilledItem::from_content(&content, item_id(0)).unwrap();
    let created = AssetEvent::from(oms_domain::events::AssetCreated {
        base: AssetEventBase {
            asset_id: AssetId::parse("asset-9").unwrap(),
            tenant_id: tenant(),
            order_id: order_id(),
            item_id: item_id(0),
            meta: meta(),
        },
        asset: InstalledAsset {
            customer_id: installed.customer_id,
            account_id: installed.account_id,
            billing_account_id: installed.billing_account_id,
            product: installed.product,
            quantity: installed.quantity,
            status: AssetStatus::Active,
            configuration: installed.configuration,
            service_address: installed.service_address,
            price: installed.price,
            activation_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 7, 3).unwrap()),
            term_months: installed.term_months,
            term_end_date: None,
        },
    });
    story = story.then(
        created
            .to_order_command(crate::support::fallout_id(9))
            .unwrap()
            .unwrap(),
    );
    assert_eq!(story.state(), Some(OrderState::PartiallyCompleted));
    let done = story.order().item(item_id(0)).unwrap();
    assert_eq!(done.asset_effect, Some(AssetEffect::Create));
    assert_eq!(
        done.activation_date,
        chrono::NaiveDate::from_ymd_opt(2026, 7, 3)
    );
    story = story.then(crate::support::cancel());
    let assessed = FulfillmentEvent::from(CancellationAssessmentCompleted {
        base: fact(),
        request_id: crate::support::request_id(),
        feasibility: CancellationFeasibility::PartiallyCancellable,
        compensated_item_ids: vec![],
        blockers: vec!["service active".into()],
        cancelling_item_ids: vec![],
        task_impacts: vec![],
    });
    let content = story.order().content.clone().unwrap();
    let compensated = FulfillmentEvent::from(oms_domain::events::OrderItemCompensated {
        base: fact(),
        request_id: crate::support::request_id(),
        item_id: item_id(1),
        reverted_effect: AssetEffect::None,
        asset_id: None,
        item: Box::new(FulfilledItem::from_content(&content, item_id(1)).unwrap()),
    });
    let finished = FulfillmentEvent::from(CompensationCompleted {
        base: fact(),
        request_id: crate::support::request_id(),
    });
    assert!(finished.to_order_commands().is_empty());
    for command in assessed
        .to_order_commands()
        .into_iter()
        .chain(compensated.to_order_commands())
    {
        story = story.then(command);
    }
    // the activated item stays; with the other one cancelled, the order is complete
    assert_eq!(story.state(), Some(OrderState::Completed));
    assert_eq!(
        story.order().item(item_id(1)).unwrap().state,
        oms_domain::lifecycle::ItemState::Cancelled
    );
    assert_eq!(
        story
            .order()
            .item(item_id(0))
            .unwrap()
            .actual_asset_id
            .as_ref()
            .unwrap()
            .as_str(),
        "asset-9"
    );
}

#[test]
fn no_change_items_complete_on_fulfillment_and_inconsistencies_fail_the_item() {
    use oms_domain::OrderCommand;
    use oms_domain::events::{AssetInconsistencyDetected, OrderItemFulfilled};
    use oms_domain::vocab::{AssetEffect, ItemAction};
    let story = Story::reaching(OrderState::InProgress, 1);
    let content = story.order().content.clone().unwrap();
    let item = FulfilledItem::from_content(&content, item_id(0)).unwrap();
    let fulfilled = FulfillmentEvent::from(OrderItemFulfilled {
        base: OrderFactBase {
            order_id: order_id(),
            tenant_id: tenant(),
            meta: meta(),
        },
        item_id: item_id(0),
        asset_effect: AssetEffect::None,
        asset_id: None,
        service_refs: vec![],
        resource_refs: vec![],
        activation_date: None,
        item: Box::new(item),
    });
    assert!(matches!(
        fulfilled.to_order_commands().as_slice(),
        [OrderCommand::RecordItemCompleted(c)] if c.asset_effect == AssetEffect::None
    ));
    let inconsistent = AssetEvent::from(AssetInconsistencyDetected {
        base: AssetEventBase {
            asset_id: AssetId::parse("asset-1").unwrap(),
            tenant_id: tenant(),
            order_id: order_id(),
            item_id: item_id(0),
            meta: meta(),
        },
        attempted_action: ItemAction::Modify,
        expected_status: Some(AssetStatus::Active),
        actual_status: None,
        description: "asset does not exist".into(),
    });
    assert!(inconsistent.installed_asset().is_none());
    let command = inconsistent
        .to_order_command(crate::support::fallout_id(3))
        .unwrap()
        .unwrap();
    let story = story.then(command);
    assert_eq!(story.state(), Some(OrderState::Fallout));
    let case = &story.order().fallout.as_ref().unwrap().cases[0];
    assert_eq!(
        case.code.as_str(),
        oms_domain::events::ASSET_INCONSISTENCY_CODE
    );
    assert_eq!(case.item_id, Some(item_id(0)));
}

#[test]
fn a_waiver_decided_in_fulfillment_waives_the_item_with_the_operators_reason() {
    use oms_domain::events::FulfillmentItemWaived;
    use oms_domain::lifecycle::ItemState;
    use oms_domain::value::PolicyRef;
    let mut story = Story::in_progress(2);
    let waived = FulfillmentEvent::from(FulfillmentItemWaived {
        base: OrderFactBase {
            order_id: order_id(),
            tenant_id: tenant(),
            meta: crate::support::meta_r(),
        },
        item_id: item_id(1),
        policy_ref: PolicyRef::parse("POL-WAIVE-7").unwrap(),
    });
    assert_eq!(waived.event_type(), "FulfillmentItemWaived");
    assert_eq!(waived.aggregate_id(), order_id().to_string());
    let json = serde_json::to_value(&waived).unwrap();
    assert_eq!(json["payload"]["policyRef"], "POL-WAIVE-7");
    let commands = waived.to_order_commands();
    assert_eq!(
        commands,
        vec![oms_domain::OrderCommand::WaiveItem {
            item_id: item_id(1),
            policy_ref: PolicyRef::parse("POL-WAIVE-7").unwrap(),
        }]
    );
    for command in commands {
        story.apply(command, &waived.meta().clone());
    }
    assert_eq!(
        story.order().item(item_id(1)).unwrap().state,
        ItemState::Waived
    );
    // without the operator's reason the order refuses it, as for any waiver
    let unreasoned = oms_domain::decide(
        Story::in_progress(2).order.as_ref(),
        waived.to_order_commands().remove(0),
        &meta(),
    );
    assert!(unreasoned.is_err());
}

#[test]
fn a_fallout_fulfillment_resolves_closes_the_order_case_and_resumes_the_order() {
    use oms_domain::events::{FalloutRaised, FalloutResolved};
    use oms_domain::value::{FalloutId, ReasonCode};
    use oms_domain::vocab::RepairResolution;
    let fact = || OrderFactBase {
        order_id: order_id(),
        tenant_id: tenant(),
        meta: crate::support::meta_r(),
    };
    let fallout_id = FalloutId::from_uuid(crate::support::uuid(7100));
    let raised = FulfillmentEvent::from(FalloutRaised {
        base: fact(),
        fallout_id,
        task_id: None,
        item_id: Some(item_id(0)),
        code: ReasonCode::parse("SIMULATED_REJECTION").unwrap(),
        message: "activation rejected".into(),
        remediation: None,
        during_compensation: false,
    });
    let mut story = crate::support::Story::in_progress(2);
    for command in raised.to_order_commands() {
        story = story.then(command);
    }
    assert_eq!(story.state(), Some(OrderState::Fallout));

    // An operator retried the task in fulfillment, which resolved its case.
    let resolved = FulfillmentEvent::from(FalloutResolved {
        base: fact(),
        fallout_id,
        resolution: RepairResolution::RetryItem,
        item_id: Some(item_id(0)),
    });
    let commands = resolved.to_order_commands();
    assert_eq!(commands.len(), 1, "one repair command");
    for command in commands {
        story = story.then(command);
    }
    assert_eq!(
        story.state(),
        Some(OrderState::InProgress),
        "the order resumes"
    );
    assert!(
        story
            .order()
            .fallout
            .as_ref()
            .is_none_or(|f| f.cases.is_empty())
    );
}
