//! A round trip through `schema_registry_converter` (the crate our services encode Kafka events
//! with): it registers a schema with the TopicRecordName strategy, encodes in the Confluent wire
//! format, and decodes by fetching the schema by id — proving our API matches what that crate
//! sends and parses. Its registry-client functions are exercised too.

use std::error::Error as _;

use apache_avro::types::Value as AvroValue;
use schema_registry_converter::async_impl::avro::{AvroDecoder, AvroEncoder};
use schema_registry_converter::async_impl::schema_registry::{
    SrSettings, get_all_subjects, get_all_versions, get_schema_by_id, get_schema_by_subject,
    get_schema_by_subject_and_version, is_compatible_schema, post_schema,
};
use schema_registry_converter::schema_registry_common::{
    RawError, SchemaType, SubjectNameStrategy, SuppliedSchema,
};
use serde::Serialize;

use crate::helpers::{
    ORDER_CAPTURED_V1, ORDER_SUBJECT, TestApp, fields, order_captured_add_field,
    order_captured_with,
};

const TOPIC: &str = "oms.order.events.v1";
const RECORD: &str = "com.example.oms.order.v1.OrderCaptured";

#[derive(Debug, Serialize)]
struct OrderCaptured {
    order_id: String,
    quantity: i32,
    status: OrderStatus,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
#[allow(dead_code)]
enum OrderStatus {
    #[serde(rename = "CAPTURED")]
    Captured,
    #[serde(rename = "PAID")]
    Paid,
}

fn supplied(schema: &str) -> SuppliedSchema {
    SuppliedSchema::new(Some(RECORD.to_owned()), SchemaType::Avro, schema.to_owned())
}

fn wire_id(bytes: &[u8]) -> u32 {
    assert_eq!(bytes[0], 0, "Confluent wire format magic byte");
    u32::from_be_bytes(bytes[1..5].try_into().unwrap())
}

#[tokio::test]
async fn encode_register_and_decode_through_schema_registry_converter() {
    let app = TestApp::spawn().await;
    let settings = SrSettings::new(app.base_url.clone());

    // Encoding with a supplied schema registers it (POST /subjects/{subject}/versions).
    let encoder = AvroEncoder::new(settings.clone());
    let strategy = SubjectNameStrategy::TopicRecordNameStrategyWithSchema(
        TOPIC.to_owned(),
        supplied(ORDER_CAPTURED_V1),
    );
    let event = OrderCaptured {
        order_id: "ord-42".to_owned(),
        quantity: 3,
        status: OrderStatus::Paid,
        note: Some("gift wrap".to_owned()),
    };
    let bytes = encoder
        .encode_struct(&event, &strategy)
        .await
        .expect("encode_struct registers and encodes");
    let id = wire_id(&bytes);

    // The id in the payload is the id the registry stored under the TopicRecordName subject.
    let (_, latest) = app
        .get(&format!("/subjects/{ORDER_SUBJECT}/versions/latest"))
        .await;
    assert_eq!(latest["id"].as_u64(), Some(u64::from(id)));
    assert_eq!(latest["version"], 1);

    // Decoding fetches the schema by id (GET /schemas/ids/{id}?deleted=true).
    let decoder = AvroDecoder::new(settings.clone());
    let decoded = decoder.decode(Some(&bytes)).await.expect("decode");
    assert_eq!(
        decoded.value,
        AvroValue::Record(vec![
            (
                "order_id".to_owned(),
                AvroValue::String("ord-42".to_owned())
            ),
            ("quantity".to_owned(), AvroValue::Int(3)),
            ("status".to_owned(), AvroValue::Enum(1, "PAID".to_owned())),
            (
                "note".to_owned(),
                AvroValue::Union(1, Box::new(AvroValue::String("gift wrap".to_owned())))
            ),
        ])
    );
    assert_eq!(decoded.name.expect("record name").fullname(None), RECORD);

    // Encoding with the subject's latest schema (GET .../versions/latest) gives the same id.
    let by_latest =
        SubjectNameStrategy::TopicRecordNameStrategy(TOPIC.to_owned(), RECORD.to_owned());
    let bytes_latest = AvroEncoder::new(settings.clone())
        .encode(
            vec![
                ("order_id", AvroValue::String("ord-43".to_owned())),
                ("quantity", AvroValue::Int(1)),
                ("status", AvroValue::Enum(0, "CAPTURED".to_owned())),
                ("note", AvroValue::Union(0, Box::new(AvroValue::Null))),
            ],
            by_latest.clone(),
        )
        .await
        .expect("encode with the latest schema");
    assert_eq!(wire_id(&bytes_latest), id);
    let decoded = AvroDecoder::new(settings.clone())
        .decode(Some(&bytes_latest))
        .await
        .expect("decode");
    let AvroValue::Record(record_fields) = decoded.value else {
        panic!("a record")
    };
    assert_eq!(
        record_fields[0],
        (
            "order_id".to_owned(),
            AvroValue::String("ord-43".to_owned())
        )
    );

    // The crate's registry-client functions.
    let registered = get_schema_by_id(id, &settings)
        .await
        .expect("get_schema_by_id");
    assert_eq!(registered.id, id);
    assert_eq!(
        registered.schema, ORDER_CAPTURED_V1,
        "the text as registered"
    );
    assert_eq!(registered.schema_type, SchemaType::Avro);

    assert_eq!(
        get_all_subjects(&settings).await.expect("get_all_subjects"),
        vec![ORDER_SUBJECT.to_owned()]
    );
    assert_eq!(
        get_all_versions(&settings, ORDER_SUBJECT.to_owned())
            .await
            .expect("get_all_versions"),
        vec![1]
    );
    let v1 = get_schema_by_subject_and_version(&settings, ORDER_SUBJECT, Some(1))
        .await
        .expect("get_schema_by_subject_and_version");
    assert_eq!((v1.id, v1.version), (id, Some(1)));
    let latest = get_schema_by_subject(&settings, &by_latest)
        .await
        .expect("get_schema_by_subject");
    assert_eq!(latest.id, id);

    // Evolution: compatible check, then registration of v2 gives a new id and version 2.
    let v2 = order_captured_add_field(true);
    assert!(
        is_compatible_schema(&settings, ORDER_SUBJECT.to_owned(), supplied(&v2))
            .await
            .expect("is_compatible_schema")
    );
    assert!(
        !is_compatible_schema(
            &settings,
            ORDER_SUBJECT.to_owned(),
            supplied(&order_captured_add_field(false))
        )
        .await
        .expect("is_compatible_schema")
    );
    let v2_registered = post_schema(&settings, ORDER_SUBJECT.to_owned(), supplied(&v2))
        .await
        .expect("post_schema");
    assert_ne!(v2_registered.id, id);
    assert_eq!(
        get_all_versions(&settings, ORDER_SUBJECT.to_owned())
            .await
            .unwrap(),
        vec![1, 2]
    );

    // An incompatible registration surfaces Confluent's 409 through the crate's error.
    let quantity_as_string = order_captured_with(|j| fields(j)[1]["type"] = "string".into());
    let err = post_schema(
        &settings,
        ORDER_SUBJECT.to_owned(),
        supplied(&quantity_as_string),
    )
    .await
    .expect_err("incompatible schema is rejected");
    let raw = err
        .source()
        .and_then(|s| s.downcast_ref::<RawError>())
        .expect("the registry's error body is parsed");
    assert_eq!(raw.error_code, 409);
    assert!(raw.message.contains("'quantity'"), "{}", raw.message);

    // An unknown id is a 40403 the crate parses.
    let err = get_schema_by_id(id + 1000, &settings)
        .await
        .expect_err("unknown id");
    let raw = err
        .source()
        .and_then(|s| s.downcast_ref::<RawError>())
        .expect("parsed");
    assert_eq!(raw.error_code, 40403);
}
