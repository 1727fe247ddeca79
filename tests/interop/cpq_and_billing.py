#!/usr/bin/env python3
"""Interoperability of the OMS event contracts with an independent client.

Plays CPQ and billing with Confluent's Python client (confluent-kafka's Producer/Consumer,
SchemaRegistryClient, AvroSerializer and AvroDeserializer), against the broker and the schema
registry the Rust test uses. Run by crates/contracts/tests/interop.rs.

  cpq_and_billing.py produce-quote BROKERS REGISTRY_URL TOPIC SCHEMA_FILE
      Serializes one QuoteAccepted (decimals included) with AvroSerializer (TopicRecordName
      subjects, auto-registration) and produces it keyed by the quote id. Prints the values it
      sent as one JSON object (decimals as strings), so the caller can compare exactly.

  cpq_and_billing.py consume-billing BROKERS REGISTRY_URL TOPIC COUNT
      Reads COUNT records from partition 0 of TOPIC from the beginning, decodes them with
      AvroDeserializer (writer schema from the registry) and prints one JSON object per line:
      {"key", "headers", "value", "decimalTypes"}; decimals as strings, dates and timestamps
      ISO-8601, UUIDs as text. "decimalTypes" lists the Python types the decimal fields had.

Requires: pip install -r tests/interop/requirements.txt
"""

import datetime
import decimal
import json
import sys
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import (
    SchemaRegistryClient,
    topic_record_subject_name_strategy,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

D = decimal.Decimal


def quote_accepted():
    """A QuoteAccepted with four-decimal amounts, a discount and a bundle."""
    return {
        "eventId": str(uuid.uuid4()),
        "occurredAt": datetime.datetime(2026, 7, 2, 8, 30, 0, 250000, tzinfo=datetime.timezone.utc),
        "tenantId": "tenant-a",
        "correlationId": "corr-cpq-interop",
        "quoteId": "q-py-2002",
        "quoteRevision": 7,
        "quoteNumber": "Q-2026-0002002",
        "acceptedAt": datetime.datetime(2026, 7, 2, 8, 0, 0, 125000, tzinfo=datetime.timezone.utc),
        "validUntil": datetime.date(2099, 12, 31),
        "salesChannel": "WEB",
        "acceptedBy": "contact-py-1",
        "approvalRef": None,
        "customer": {
            "customerId": "cust-py-1",
            "accountId": "acct-py-1",
            "billingAccountId": "ba-py-1",
            "displayName": "Toko Python",
        },
        "serviceAddress": {
            "line1": "Jl. Braga 10",
            "line2": None,
            "city": "Bandung",
            "postalCode": "40111",
            "countryCode": "ID",
        },
        "requestedStartDate": datetime.date(2099, 1, 15),
        "currency": "IDR",
        "priceListRef": "pl-web-2026",
        "contractTermMonths": 12,
        "items": [
            {
                "quoteItemId": "py-1",
                "lineNumber": 1,
                "parentQuoteItemId": None,
                "action": "ADD",
                "productOfferingId": "po-fiber-300m",
                "productOfferingVersion": 5,
                "productOfferingName": "Home Fiber 300Mbps",
                "quantity": 1,
                "targetAssetId": None,
                "configuration": {"bandwidth": "300Mbps", "router": "included"},
                "priceComponents": [
                    {"kind": "RECURRING", "amount": D("349999.9999"), "recurrencePeriod": "MONTHLY", "description": "MRC"},
                    {"kind": "DISCOUNT", "amount": D("-50000.0001"), "recurrencePeriod": None, "description": "Web promo"},
                    {"kind": "ONE_TIME", "amount": D("0.0001"), "recurrencePeriod": None, "description": "Activation"},
                ],
                "itemTotal": D("299999.9999"),
            },
            {
                "quoteItemId": "py-2",
                "lineNumber": 2,
                "parentQuoteItemId": "py-1",
                "action": "ADD",
                "productOfferingId": "po-tv-box",
                "productOfferingVersion": 2,
                "productOfferingName": "TV Box",
                "quantity": 3,
                "targetAssetId": None,
                "configuration": {},
                "priceComponents": [
                    {"kind": "FEE", "amount": D("12345678901234.5678"), "recurrencePeriod": None, "description": "Large fee"},
                ],
                "itemTotal": D("12345678901234.5678"),
            },
        ],
        "configurationHash": "py-cfg-hash",
        "priceHash": "py-price-hash",
    }


def plain(value, decimal_types):
    """JSON-friendly copy of a decoded or sent Avro value."""
    if isinstance(value, dict):
        return {k: plain(v, decimal_types) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, decimal_types) for v in value]
    if isinstance(value, decimal.Decimal):
        decimal_types.add(type(value).__module__ + "." + type(value).__name__)
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def produce_quote(brokers, registry_url, topic, schema_file):
    with open(schema_file, encoding="utf-8") as f:
        schema_str = f.read()
    registry = SchemaRegistryClient({"url": registry_url})
    serializer = AvroSerializer(
        registry,
        schema_str,
        conf={
            "auto.register.schemas": True,
            "subject.name.strategy": topic_record_subject_name_strategy,
        },
    )
    quote = quote_accepted()
    payload = serializer(quote, SerializationContext(topic, MessageField.VALUE))
    producer = Producer({"bootstrap.servers": brokers, "enable.idempotence": True, "acks": "all"})
    failures = []
    producer.produce(
        topic,
        key=quote["quoteId"].encode(),
        value=payload,
        on_delivery=lambda err, _msg: err and failures.append(str(err)),
    )
    remaining = producer.flush(30)
    if remaining or failures:
        raise SystemExit(f"produce failed: {failures or remaining}")
    print(json.dumps(plain(quote, set())))


def consume_billing(brokers, registry_url, topic, count):
    registry = SchemaRegistryClient({"url": registry_url})
    deserializer = AvroDeserializer(registry)
    consumer = Consumer({
        "bootstrap.servers": brokers,
        "group.id": f"billing-interop-{uuid.uuid4()}",
        "enable.auto.commit": False,
    })
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    seen = 0
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=60)
    try:
        while seen < count:
            if datetime.datetime.now() > deadline:
                raise SystemExit(f"only {seen} of {count} records arrived on {topic}")
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise SystemExit(f"consume failed: {msg.error()}")
            value = deserializer(msg.value(), SerializationContext(topic, MessageField.VALUE))
            decimal_types = set()
            print(json.dumps({
                "key": msg.key().decode(),
                "headers": {k: v.decode() for k, v in (msg.headers() or [])},
                "value": plain(value, decimal_types),
                "decimalTypes": sorted(decimal_types),
            }))
            seen += 1
    finally:
        consumer.close()


def main(argv):
    if len(argv) == 6 and argv[1] == "produce-quote":
        produce_quote(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) == 6 and argv[1] == "consume-billing":
        consume_billing(argv[2], argv[3], argv[4], int(argv[5]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
