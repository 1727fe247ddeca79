#!/usr/bin/env python3
"""Interoperability check of the OMS local schema registry with Confluent's own Python client.

Runs confluent-kafka's SchemaRegistryClient, AvroSerializer and AvroDeserializer (an
independent implementation of the Confluent Schema Registry protocol) against the registry at
the URL given as the first argument. No Kafka broker is needed: serialisation only talks to the
registry. Every check asserts a concrete outcome; the script exits non-zero on the first
failure and prints "interop: N checks passed" on success.

Usage: schema_registry_client.py http://127.0.0.1:PORT
Requires: pip install -r tests/interop/requirements.txt
"""

import json
import sys

from confluent_kafka.schema_registry import (
    Schema,
    SchemaRegistryClient,
    topic_record_subject_name_strategy,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

TOPIC = "oms.order.events.v1"
RECORD = "com.example.oms.order.v1.OrderCaptured"
SUBJECT = f"{TOPIC}-{RECORD}"

V1 = {
    "type": "record",
    "name": "OrderCaptured",
    "namespace": "com.example.oms.order.v1",
    "fields": [
        {"name": "order_id", "type": "string"},
        {"name": "quantity", "type": "int"},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}


def with_field(field):
    schema = json.loads(json.dumps(V1))
    schema["fields"].append(field)
    return json.dumps(schema)


V1_STR = json.dumps(V1)
V2_COMPATIBLE = with_field({"name": "channel", "type": "string", "default": "web"})
V2_INCOMPATIBLE = with_field({"name": "channel", "type": "string"})

checks = 0


def check(condition, what):
    global checks
    if not condition:
        raise AssertionError(what)
    checks += 1


def expect_error(call, status, code, what):
    try:
        call()
    except SchemaRegistryError as e:
        check(e.http_status_code == status and e.error_code == code,
              f"{what}: expected {status}/{code}, got {e.http_status_code}/{e.error_code} {e.error_message}")
        return e
    raise AssertionError(f"{what}: expected error {code}, call succeeded")


def main(url):
    client = SchemaRegistryClient({"url": url})

    check(client.get_schema_types() == ["AVRO"], "schema types")

    # Register, then the same schema again (new client, no cache): same id.
    schema_id = client.register_schema(SUBJECT, Schema(V1_STR, "AVRO"))
    check(isinstance(schema_id, int) and schema_id > 0, "register returns an id")
    again = SchemaRegistryClient({"url": url}).register_schema(SUBJECT, Schema(V1_STR, "AVRO"))
    check(again == schema_id, "same schema, same id")

    # Fetch by id.
    fetched = SchemaRegistryClient({"url": url}).get_schema(schema_id)
    check(fetched.schema_type == "AVRO", f"schema type {fetched.schema_type}")
    check(json.loads(fetched.schema_str) == V1, "schema by id")

    # Listing.
    check(client.get_subjects() == [SUBJECT], f"subjects {client.get_subjects()}")
    check(client.get_versions(SUBJECT) == [1], "versions")
    latest = client.get_latest_version(SUBJECT)
    check((latest.schema_id, latest.version, latest.subject) == (schema_id, 1, SUBJECT), "latest")
    v1 = client.get_version(SUBJECT, 1)
    check(v1.schema_id == schema_id, "version 1")
    pairs = client.get_schema_versions(schema_id)
    check([(p.subject, p.version) for p in pairs] == [(SUBJECT, 1)], "schema versions")
    found = client.lookup_schema(SUBJECT, Schema(V1_STR, "AVRO"))
    check((found.schema_id, found.version) == (schema_id, 1), "lookup")

    # Compatibility.
    check(client.test_compatibility(SUBJECT, Schema(V2_COMPATIBLE, "AVRO")) is True, "compatible")
    check(client.test_compatibility(SUBJECT, Schema(V2_INCOMPATIBLE, "AVRO")) is False, "incompatible")
    check(client.test_compatibility_all_versions(SUBJECT, Schema(V2_COMPATIBLE, "AVRO")) is True,
          "compatible with all versions")
    e = expect_error(lambda: client.register_schema(SUBJECT, Schema(V2_INCOMPATIBLE, "AVRO")),
                     409, 409, "incompatible registration")
    check("channel" in e.error_message, "409 names the field")

    # Config.
    check(client.get_compatibility() == "BACKWARD", "default global level")
    expect_error(lambda: client.get_compatibility(SUBJECT), 404, 40408, "subject level not configured")
    client.set_compatibility(subject_name=SUBJECT, level="FULL")
    check(client.get_compatibility(SUBJECT) == "FULL", "subject level set")
    client.set_compatibility(level="FORWARD")
    check(client.get_compatibility() == "FORWARD", "global level set")
    expect_error(lambda: client.set_compatibility(level="SIDEWAYS"), 422, 42203, "invalid level")
    config = client.get_config(SUBJECT)
    check(config.compatibility_level.value == "FULL", "get_config")
    client.delete_config(SUBJECT)
    client.set_compatibility(level="BACKWARD")

    # Errors.
    expect_error(lambda: client.get_schema(schema_id + 1000), 404, 40403, "unknown id")
    expect_error(lambda: client.get_versions("no-such-subject"), 404, 40401, "unknown subject")
    expect_error(lambda: client.get_version(SUBJECT, 99), 404, 40402, "unknown version")
    expect_error(lambda: client.register_schema("bad", Schema("{not avro", "AVRO")), 422, 42201,
                 "invalid schema")

    # Serialise with AvroSerializer (registers under the TopicRecordName subject), then
    # deserialise with AvroDeserializer (fetches the writer schema by id).
    serializer = AvroSerializer(
        client,
        V2_COMPATIBLE,
        conf={"subject.name.strategy": topic_record_subject_name_strategy},
    )
    ctx = SerializationContext(TOPIC, MessageField.VALUE)
    record = {"order_id": "ord-7", "quantity": 2, "note": None, "channel": "store"}
    payload = serializer(record, ctx)
    check(payload[0] == 0, "magic byte")
    wire_id = int.from_bytes(payload[1:5], "big")
    check(client.get_versions(SUBJECT) == [1, 2], "serializer registered version 2")
    fresh = SchemaRegistryClient({"url": url})  # the first client caches "latest"
    check(fresh.get_latest_version(SUBJECT).schema_id == wire_id, "wire id is the registered id")
    check(wire_id != schema_id, "v2 has its own id")

    deserializer = AvroDeserializer(SchemaRegistryClient({"url": url}))
    check(deserializer(payload, ctx) == record, "round trip through AvroDeserializer")

    # A reader on v1 (old consumer) reads v2 data through schema resolution.
    old_reader = AvroDeserializer(SchemaRegistryClient({"url": url}), V1_STR)
    check(old_reader(payload, ctx) == {"order_id": "ord-7", "quantity": 2, "note": None},
          "old reader resolves new data")

    # Soft delete then permanent delete.
    check(client.delete_subject(SUBJECT) == [1, 2], "soft delete")
    check(client.get_subjects() == [], "no live subjects")
    check(client.delete_subject(SUBJECT, permanent=True) == [1, 2], "permanent delete")

    print(f"interop: {checks} checks passed")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
