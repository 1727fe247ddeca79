#!/usr/bin/env python3
"""A downstream billing consumer written with an independent client (Confluent's Python
confluent-kafka: Consumer + SchemaRegistryClient + AvroDeserializer).

  billing_consumer.py BROKERS REGISTRY_URL TOPIC ORDER_ID EXPECTED_ITEMS [TIMEOUT_SECONDS]

Reads TOPIC (every partition, from the beginning) until it has seen EXPECTED_ITEMS
`OrderItemCompleted` and one `OrderCompleted` for ORDER_ID, decoding each record with the
writer's schema from the registry, then prints one JSON object per billing-relevant event:
{"eventType", "itemId", "actualAssetId", "billingAccountId", "activationDate", "currency",
 "total", "components": [{"kind", "amount", "recurrencePeriod"}], "decimalTypes"}.
Decimals are printed as strings; "decimalTypes" lists the Python types they had (Decimal).
Exits 1 with a message on stderr if the events do not arrive in time.

Used by tests/e2e (golden scenario 7). Requires: pip install -r tests/interop/requirements.txt
"""

import decimal
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main():
    brokers, registry_url, topic, order_id, expected = sys.argv[1:6]
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 60.0
    expected = int(expected)
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": "billing-e2e-" + uuid.uuid4().hex,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    metadata = consumer.list_topics(topic, timeout=10)
    partitions = metadata.topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    items, completed = {}, None
    deadline = time.time() + timeout
    while time.time() < deadline and (len(items) < expected or completed is None):
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        headers = dict((k, v.decode()) for k, v in (message.headers() or []))
        event_type = headers.get("event_type")
        if event_type not in ("OrderItemCompleted", "OrderCompleted"):
            continue
        value = deserializer(message.value(), SerializationContext(topic, MessageField.VALUE))
        if str(value["orderId"]) != order_id:
            continue
        if event_type == "OrderCompleted":
            completed = {"eventType": event_type, "orderId": str(value["orderId"]),
                         "billingAccountId": value["billingAccountId"]}
            continue
        price = value["price"]
        decimals = [price["total"]] + [c["amount"] for c in price["components"]]
        items[str(value["itemId"])] = {
            "eventType": event_type,
            "itemId": str(value["itemId"]),
            "offeringId": value["product"]["offeringId"],
            "actualAssetId": value["actualAssetId"],
            "assetEffect": value["assetEffect"],
            "billingAccountId": value["billingAccountId"],
            "activationDate": value["activationDate"].isoformat() if value["activationDate"] else None,
            "currency": price["currency"],
            "total": str(price["total"]),
            "components": [
                {"kind": c["kind"], "amount": str(c["amount"]), "recurrencePeriod": c.get("recurrencePeriod")}
                for c in price["components"]
            ],
            "decimalTypes": sorted({type(d).__name__ for d in decimals}),
        }
    consumer.close()
    if len(items) < expected or completed is None:
        print(f"saw {len(items)} of {expected} OrderItemCompleted, OrderCompleted: {completed is not None}",
              file=sys.stderr)
        sys.exit(1)
    for item in items.values():
        print(json.dumps(item))
    print(json.dumps(completed))


if __name__ == "__main__":
    main()
