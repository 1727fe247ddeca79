#!/usr/bin/env python3
"""CPQ as an independent client: Confluent's Python producer and AvroSerializer publish one
QuoteAccepted and then replay the very same record (same event id), as a producer retry or
a CPQ outbox replay would. Run by services/order-capture/tests/it/quotes.rs.

  cpq_quote_replay.py BROKERS REGISTRY_URL TOPIC SCHEMA_FILE COUNT

The QuoteAccepted is the one of cpq_and_billing.py (four-decimal amounts, a discount, a
bundle), for tenant `acme`. It is serialized once with AvroSerializer (TopicRecordName
subjects, auto-registration) and produced COUNT times keyed by the quote id. The last line
printed is a JSON summary: {"produced", "quoteId", "eventId", "tenantId", "orderTotal"}.

Requires: pip install -r tests/interop/requirements.txt
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.schema_registry import (  # noqa: E402
    SchemaRegistryClient,
    topic_record_subject_name_strategy,
)
from confluent_kafka.schema_registry.avro import AvroSerializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

from cpq_and_billing import quote_accepted  # noqa: E402


def main(brokers, registry_url, topic, schema_file, count):
    with open(schema_file, encoding="utf-8") as f:
        schema_str = f.read()
    serializer = AvroSerializer(
        SchemaRegistryClient({"url": registry_url}),
        schema_str,
        conf={
            "auto.register.schemas": True,
            "subject.name.strategy": topic_record_subject_name_strategy,
        },
    )
    quote = quote_accepted()
    quote["tenantId"] = "acme"
    payload = serializer(quote, SerializationContext(topic, MessageField.VALUE))
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "acks": "all"})
    failures = []
    for _ in range(count):
        producer.produce(
            topic,
            key=quote["quoteId"].encode(),
            value=payload,
            headers=[("event_id", quote["eventId"].encode()), ("event_type", b"QuoteAccepted")],
            on_delivery=lambda err, _msg: err and failures.append(str(err)),
        )
    remaining = producer.flush(30)
    if failures or remaining:
        raise SystemExit(f"produce failed: {failures} (unflushed: {remaining})")
    total = sum(item["itemTotal"] for item in quote["items"])
    print(json.dumps({
        "produced": count,
        "quoteId": quote["quoteId"],
        "eventId": quote["eventId"],
        "tenantId": quote["tenantId"],
        "orderTotal": str(total),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 6:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
