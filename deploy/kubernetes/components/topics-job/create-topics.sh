#!/bin/sh
# GENERATED from deploy/topics.conf by deploy/kubernetes/manifests.py topics; do not edit.
# Creates every topic with its production counts on a Kafka cluster that no operator manages;
# existing topics are left alone. BOOTSTRAP and /etc/kafka-client/client.properties come from
# the Job (components/topics-job).
set -eu
create() { /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" \
  --command-config /etc/kafka-client/client.properties --create --if-not-exists \
  --topic "$1" --partitions "$2" --replication-factor "$3" --config "min.insync.replicas=$4"; }
create cpq.quote.events.v1 4 3 2
create oms.order.events.v1 4 3 2
create oms.decomposition.events.v1 4 3 2
create oms.fulfillment.events.v1 4 3 2
create oms.asset.events.v1 4 3 2
create oms.order-capture.dlq.v1 1 3 2
create oms.decomposition.dlq.v1 1 3 2
create oms.fulfillment.dlq.v1 1 3 2
create oms.asset.dlq.v1 1 3 2
create oms.projections.dlq.v1 1 3 2
