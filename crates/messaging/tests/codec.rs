//! The codec against the real schema registry: every logical type round-trips, and each kind
//! of undecodable record is classified as poison (or transient when the registry is away).

mod common;

use common::{TestEnv, WIDGET_TOPIC, WidgetEventV1, priced};
use oms_messaging::{Codec, CodecError, DecodeError, EventContract, PoisonClass};
use uuid::Uuid;

#[tokio::test]
async fn every_logical_type_round_trips_through_the_registry() {
    let env = TestEnv::new(1).await;
    let topic = env.naming.name(WIDGET_TOPIC);
    for sequence in [0, 1, 3, 5, 10] {
        let event = priced(&env.tenant, Uuid::now_v7(), sequence);
        let bytes = event.encode(&env.codec, &topic).await.expect("encoded");
        assert_eq!(bytes[0], 0, "Confluent magic byte");
        let decoded: WidgetEventV1 = env.codec.decode(Some(&bytes)).await.expect("decoded");
        assert_eq!(decoded, event, "sequence {sequence}");
    }
}

#[tokio::test]
async fn registering_the_same_family_twice_gives_the_same_ids() {
    let env = TestEnv::new(1).await;
    let topic = env.naming.name(WIDGET_TOPIC);
    let first = env
        .codec
        .register::<WidgetEventV1>(&topic)
        .await
        .expect("first");
    let fresh = Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec");
    let second = fresh
        .register::<WidgetEventV1>(&topic)
        .await
        .expect("second");
    assert_eq!(first, second);
    assert_eq!(first.len(), 2);
    assert_eq!(
        first[0].0,
        format!("{topic}-com.example.oms.test.v1.WidgetPriced")
    );
}

async fn poison_class(codec: &Codec, bytes: &[u8]) -> PoisonClass {
    match codec.decode::<WidgetEventV1>(Some(bytes)).await {
        Err(DecodeError::Poison { class, .. }) => class,
        other => panic!("expected poison, got {other:?}"),
    }
}

#[tokio::test]
async fn undecodable_records_are_poison_of_the_right_class() {
    let env = TestEnv::new(1).await;
    let topic = env.naming.name(WIDGET_TOPIC);
    let good = priced(&env.tenant, Uuid::now_v7(), 1)
        .encode(&env.codec, &topic)
        .await
        .expect("encoded");

    let mut bad_magic = good.clone();
    bad_magic[0] = 7;
    assert_eq!(
        poison_class(&env.codec, &bad_magic).await,
        PoisonClass::BadMagicByte
    );
    assert_eq!(
        poison_class(&env.codec, b"{\"json\": true}").await,
        PoisonClass::BadMagicByte
    );
    assert_eq!(
        poison_class(&env.codec, &[0, 0]).await,
        PoisonClass::BadMagicByte
    );

    let mut unknown_id = good.clone();
    unknown_id[1..5].copy_from_slice(&0x7fff_fff0_u32.to_be_bytes());
    assert_eq!(
        poison_class(&env.codec, &unknown_id).await,
        PoisonClass::UnknownSchemaId
    );

    let truncated = &good[..good.len() / 2];
    assert_eq!(
        poison_class(&env.codec, truncated).await,
        PoisonClass::UndecodableBody
    );

    match env.codec.decode::<WidgetEventV1>(None).await {
        Err(DecodeError::Poison { class, .. }) => assert_eq!(class, PoisonClass::EmptyPayload),
        other => panic!("expected poison, got {other:?}"),
    }

    // A record of a schema registered on the topic that the Rust family does not know.
    let other_schema = include_str!("schemas/NotAWidgetEvent.avsc");
    let schema = apache_avro::Schema::parse_str(other_schema).expect("schema");
    let registry = schema_registry_converter::async_impl::schema_registry::SrSettings::new(
        oms_test_support::env::schema_registry_url(),
    );
    let supplied = schema_registry_converter::schema_registry_common::SuppliedSchema::new(
        Some("com.example.oms.test.v1.NotAWidgetEvent".into()),
        schema_registry_converter::schema_registry_common::SchemaType::Avro,
        other_schema.to_owned(),
    );
    let registered = schema_registry_converter::async_impl::schema_registry::post_schema(
        &registry,
        format!("{topic}-com.example.oms.test.v1.NotAWidgetEvent"),
        supplied,
    )
    .await
    .expect("registered");
    let mut record = apache_avro::types::Record::new(&schema).expect("record");
    record.put("anything", "x");
    let body = apache_avro::writer::datum::GenericDatumWriter::builder(&schema)
        .build()
        .expect("writer")
        .write_value_to_vec(record)
        .expect("datum");
    let mut foreign = vec![0];
    foreign.extend_from_slice(&registered.id.to_be_bytes());
    foreign.extend_from_slice(&body);
    assert_eq!(
        poison_class(&env.codec, &foreign).await,
        PoisonClass::UnknownEventType
    );
}

#[tokio::test]
async fn an_unreachable_registry_is_transient_not_poison() {
    let env = TestEnv::new(1).await;
    let topic = env.naming.name(WIDGET_TOPIC);
    let bytes = priced(&env.tenant, Uuid::now_v7(), 1)
        .encode(&env.codec, &topic)
        .await
        .expect("encoded");
    // Nothing listens on port 9 (discard) locally.
    let offline = Codec::new("http://127.0.0.1:9").expect("codec");
    match offline.decode::<WidgetEventV1>(Some(&bytes)).await {
        Err(DecodeError::Transient(message)) => assert!(message.contains("schema id"), "{message}"),
        other => panic!("expected transient, got {other:?}"),
    }
}

#[tokio::test]
async fn an_incompatible_schema_is_refused_at_registration() {
    let env = TestEnv::new(1).await;
    let topic = env.naming.name(WIDGET_TOPIC);
    // A required field without a default cannot read old records: BACKWARD says no.
    let incompatible = include_str!("schemas/WidgetRetired.avsc").replacen(
        r#""name": "reason""#,
        r#""name": "mandatoryNewField", "type": "string"}, {"name": "reason""#,
        1,
    );
    let leaked: &'static str = Box::leak(incompatible.into_boxed_str());
    let codec = Codec::new(&oms_test_support::env::schema_registry_url()).expect("codec");
    let error = codec
        .encode_record(
            &topic,
            "com.example.oms.test.v1.WidgetRetired",
            leaked,
            &serde_json::json!({}),
        )
        .await
        .expect_err("the registry refuses the schema");
    match error {
        CodecError::Registry(message) => assert!(message.contains("409"), "{message}"),
        CodecError::Encode { .. } => panic!("expected a registry refusal, got {error:?}"),
    }
}
