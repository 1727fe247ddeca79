-- Messaging tables of one service: transactional outbox, idempotent inbox, dead letters.
-- This file is the template; every service's migrations folder carries an identical copy as its
-- first migration (a test in crates/messaging checks the copies), because each service owns
-- its own database.

-- Events written in the same transaction as the state change they describe. The relay publishes
-- them in id order per shard and marks them published only after the broker acknowledged them.
create table outbox (
    id              bigint generated always as identity primary key,
    event_id        uuid not null,
    topic           text not null,
    partition_key   text not null,              -- the aggregate id; Kafka key
    shard           smallint not null,          -- hash(partition_key) mod shard count
    event_type      text not null,
    aggregate_type  text not null,
    aggregate_id    text not null,
    tenant_id       text not null,
    payload         bytea not null,             -- Confluent wire format: magic, schema id, Avro body
    headers         jsonb not null,             -- envelope headers, name -> value
    created_at      timestamptz not null default now(),
    published_at    timestamptz,
    attempts        integer not null default 0,
    last_error      text,
    constraint outbox_event_id_unique unique (event_id),
    constraint outbox_shard_non_negative check (shard >= 0)
);

-- The relay's work queue: unpublished rows per shard in id order.
create index outbox_unpublished_idx on outbox (shard, id) where published_at is null;
-- Retention cleanup of published rows.
create index outbox_published_at_idx on outbox (published_at) where published_at is not null;

-- One row per (consumer, event) handled; inserted in the handler's transaction, so a redelivered
-- event finds its row and is skipped.
create table inbox (
    consumer        text not null,
    event_id        uuid not null,
    topic           text not null,
    kafka_partition integer not null,
    kafka_offset    bigint not null,
    handled_at      timestamptz not null default now(),
    constraint inbox_pkey primary key (consumer, event_id)
);

create index inbox_handled_at_idx on inbox (handled_at);

-- Records a consumer could not process: undecodable (poison) or permanently rejected by the
-- handler. Also published to the service's dead-letter topic. Replay re-runs the handler.
create table dead_letter (
    id              bigint generated always as identity primary key,
    consumer        text not null,
    topic           text not null,
    kafka_partition integer not null,
    kafka_offset    bigint not null,
    record_key      bytea,
    payload         bytea,
    headers         jsonb not null,
    event_id        uuid,                       -- when the envelope could be read
    error_class     text not null,              -- e.g. POISON_BAD_MAGIC_BYTE, HANDLER_PERMANENT
    error_message   text not null,
    status          text not null default 'OPEN',
    created_at      timestamptz not null default now(),
    replayed_at     timestamptz,
    replay_count    integer not null default 0,
    last_replay_error text,
    constraint dead_letter_record_unique unique (consumer, topic, kafka_partition, kafka_offset),
    constraint dead_letter_status_check check (status in ('OPEN', 'REPLAYED', 'DISCARDED'))
);

create index dead_letter_open_idx on dead_letter (consumer, created_at) where status = 'OPEN';
