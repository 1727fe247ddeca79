//! Records written with a released schema still decode into today's contract types. The
//! codec decodes with the *writer's* schema, so a field added since the release is simply
//! absent from an old record: `#[serde(default)]` must turn it into `None` rather than a
//! decode error that would dead-letter every old record.

mod support;

use std::path::PathBuf;

use apache_avro::Schema;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::writer::datum::GenericDatumWriter;
use oms_contracts::DecompositionEventV1;
use oms_domain::events::DecompositionEvent;
use oms_messaging::EventContract as _;

use support::facts;

fn released(file: &str) -> Schema {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas/released")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Schema::parse_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_plan_written_before_the_optional_task_fields_reads_them_as_none() {
    let schema = released("oms.decomposition.events.v1/OrderDecomposed.avsc");
    let mut checked = 0;
    for event in facts::decomposition_events() {
        let DecompositionEvent::OrderDecomposed(original) = &event else {
            continue;
        };
        let record = DecompositionEventV1::from(&event);
        let DecompositionEventV1::OrderDecomposed(contract) = &record else {
            unreachable!("the mapping keeps the event type");
        };
        assert!(
            contract.plan.tasks.iter().any(|t| t.template_key.is_some()),
            "the fixture sets the new fields, so dropping them is visible"
        );
        // Write it as a producer on the released schema would: without the new fields.
        let value = apache_avro::to_value(contract)
            .and_then(|v| v.resolve(&schema))
            .expect("resolves against the released schema");
        let bytes = GenericDatumWriter::builder(&schema)
            .build()
            .and_then(|writer| writer.write_value_to_vec(value))
            .expect("encodes");
        let read = GenericDatumReader::builder(&schema)
            .build()
            .and_then(|reader| reader.read_value(&mut bytes.as_slice()))
            .expect("decodes with the writer's schema");
        let decoded = DecompositionEventV1::from_avro(record.record_name(), &read)
            .expect("an old record maps onto today's contract");
        let DecompositionEvent::OrderDecomposed(old) =
            DecompositionEvent::try_from(&decoded).expect("and onto the domain")
        else {
            unreachable!("the mapping keeps the event type");
        };
        let mut expected = original.plan.clone();
        for task in &mut expected.tasks {
            task.template_key = None;
            task.compensation_task_type = None;
            task.item_milestone = None;
            task.item_asset_effect = None;
            task.inputs = None;
        }
        assert_eq!(old.plan, expected);
        checked += 1;
    }
    assert_eq!(checked, 1);
}
