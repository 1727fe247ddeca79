-- The read model of the projections service: what dashboards and support read.
--
-- Rebuildable by design: every column is a function of the consumed events. Times come from the
-- events' occurredAt, never from now(), and no row depends on the order in which the consumer
-- happened to interleave different topics: a row (or a group of columns) is written from one
-- topic only, whose records of one order arrive in order, or is commutative (greatest, sum).
-- Replaying every topic from the beginning therefore writes the same rows (`oms-projections
-- dump` prints them canonically; ADR 0011). Processing times live only in the messaging tables
-- and in projection_generation.

-- The generation of the read model. A rebuild truncates the tables below, forgets the inbox of
-- the projection's consumer, and increments the generation; the consumer group is
-- `<consumer>-g<generation>`, so the new generation reads every topic from the beginning. Every
-- handler transaction first takes this row FOR SHARE and checks its generation, so a consumer
-- of an older generation can never write into a rebuilt model.
create table projection_generation (
    singleton   boolean primary key default true,
    generation  bigint not null,
    started_at  timestamptz not null default now(),  -- processing time, not part of the model
    started_by  text not null,
    constraint projection_generation_singleton check (singleton),
    constraint projection_generation_positive check (generation > 0)
);

insert into projection_generation (generation, started_by) values (1, 'migration');

-- One row per order: the order summary. From oms.order.events.v1 only. `aggregate` is the
-- domain's Order folded from the order's events with the domain's own evolve (the same fold
-- order-capture applies), so header state, items, holds and fallout never drift from the writer.
create table order_view (
    order_id          uuid primary key,
    tenant_id         text not null,
    order_number      text not null,
    capture_mode      text not null,
    order_type        text,                        -- known once validated
    customer_id       text not null,
    account_id        text not null,
    state             text not null,
    customer_status   text not null,               -- 002 §14 projection of state and holds
    order_version     bigint not null,
    item_count        integer not null,
    item_states       jsonb not null,              -- {"COMPLETED": 3, "IN_PROGRESS": 1}
    active_holds      integer not null,
    blocking_holds    integer not null,
    open_fallouts     integer not null,
    currency          text not null,
    order_total       numeric(18, 4),              -- known once validated
    totals_by_kind    jsonb not null,              -- {"RECURRING": "100.0000", ...}
    plan_id           uuid,
    milestones        jsonb not null,              -- first time each state was entered
    captured_at       timestamptz not null,
    state_entered_at  timestamptz not null,
    updated_at        timestamptz not null,        -- occurredAt of the last order event
    aggregate         jsonb not null,
    constraint order_view_counts_check check (item_count >= 0 and active_holds >= 0
        and blocking_holds >= 0 and open_fallouts >= 0)
);

-- The summary list: newest first, keyset paging by (captured_at, order_id).
create index order_view_page_idx on order_view (tenant_id, captured_at desc, order_id desc);
create index order_view_state_idx on order_view (tenant_id, state);
create index order_view_customer_idx on order_view (tenant_id, customer_id);

-- When anything last happened to an order, on any topic (stuck orders). Commutative upserts.
create table order_activity (
    order_id        uuid primary key,
    tenant_id       text not null,
    event_count     bigint not null,
    first_event_at  timestamptz not null,
    last_event_at   timestamptz not null
);

create index order_activity_idle_idx on order_activity (tenant_id, last_event_at);

-- Plan tasks and their execution. The plan columns come from OrderDecomposed
-- (oms.decomposition.events.v1), the execution columns from oms.fulfillment.events.v1; each
-- writer touches only its own columns, so either may arrive first.
create table order_task (
    task_id                 uuid primary key,
    order_id                uuid not null,
    tenant_id               text not null,
    -- from the plan
    plan_id                 uuid,
    task_type               text,
    target_system           text,
    item_ids                jsonb,
    depends_on              jsonb,
    reversibility           text,
    external_effect_level   text,
    -- from fulfillment: RUNNING, SUCCEEDED, RETRY_SCHEDULED, FAILED, FALLOUT, RESOLVED
    status                  text,
    attempt                 integer,
    last_error_code         text,
    last_error_message      text,
    external_ref            text,
    fallout_id              uuid,
    started_at              timestamptz,
    status_at               timestamptz
);

create index order_task_order_idx on order_task (order_id);

-- Fallout cases of orders as order-capture records them (oms.order.events.v1): open while the
-- order carries them, closed by the event that removed them (a repair, a cancellation, ...).
create table fallout_case (
    fallout_id   uuid primary key,
    order_id     uuid not null,
    tenant_id    text not null,
    category     text not null,
    code         text not null,
    item_id      uuid,
    task_id      uuid,
    message      text not null,
    remediation  text,
    raised_at    timestamptz not null,
    raised_by    text not null,                    -- KIND:id
    status       text not null,
    closed_at    timestamptz,
    closed_by    text,
    closed_with  text,                             -- the resolution, or the closing event type
    constraint fallout_case_status_check check (status in ('OPEN', 'CLOSED'))
);

create index fallout_case_open_idx on fallout_case (tenant_id, raised_at) where status = 'OPEN';
create index fallout_case_order_idx on fallout_case (order_id);

-- Every event of every topic, with its envelope and who decided: the order timeline (in causal
-- order at read time, see src/causal.rs) and the flow metrics.
create table timeline_event (
    event_id         uuid primary key,
    tenant_id        text not null,
    order_id         uuid not null,                -- asset events: the order that caused them
    topic            text not null,                -- contract topic, without environment prefix
    service          text not null,                -- the writer
    event_type       text not null,
    event_version    integer not null,
    aggregate_type   text not null,
    aggregate_id     text not null,
    order_version    bigint,                       -- order events only
    occurred_at      timestamptz not null,
    correlation_id   text not null,
    causation_id     text,
    trace_id         text,                         -- from the W3C traceparent
    actor_kind       text not null,
    actor_id         text not null,
    reason           text,
    summary          text not null,
    refs             jsonb not null,               -- ids the event is about: {"taskId": ...}
    kafka_partition  integer not null,
    kafka_offset     bigint not null
);

create index timeline_event_order_idx on timeline_event (order_id, occurred_at);
create index timeline_event_flow_idx on timeline_event (tenant_id, event_type, occurred_at);
