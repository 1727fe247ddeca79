-- Changing orders in flight (ADR 0008): the execution view the change rules assess against,
-- the durable cancellation and amendment requests, and the relations between orders.

-- order-capture's projection of each order's plan and what fulfillment reported of its
-- tasks (from OrderDecomposed / OrderRedecomposed and the fulfillment task facts, written in
-- the inbox transaction of the fact). Derived data: never the source of a decision other
-- than the dry run and the request's first assessment; fulfillment re-assesses on its rows.
create table order_execution (
    order_id    uuid primary key references orders (order_id),
    plan_id     uuid not null,            -- the plan the order runs on
    version     bigint not null default 0 -- task facts absorbed (assessment version part)
);

create table order_task_view (
    order_id               uuid not null references orders (order_id),
    task_id                uuid not null,
    plan_id                uuid not null,
    position               integer not null,      -- plan order
    item_ids               uuid[] not null,
    task_type              text not null,
    target_system          text not null,
    depends_on             uuid[] not null,
    reversibility          text not null,
    external_effect_level  text not null,
    compensation_task_type text,
    item_milestone         boolean not null default false,
    inputs                 text[],
    -- the task state fulfillment last reported: PENDING, DISPATCHED, SUCCEEDED,
    -- RETRY_SCHEDULED, FALLOUT, CANCELLED, COMPENSATED
    state                  text not null default 'PENDING',
    updated_at             timestamptz not null default now(),
    constraint order_task_view_pkey primary key (order_id, task_id)
);

-- One row per cancellation request, accepted or refused: reason, scope, who, the assessment
-- the decision was taken on, and where it stands.
create table cancellation_requests (
    request_id         uuid primary key,
    tenant_id          text not null,
    order_id           uuid not null references orders (order_id),
    reason_code        text not null,
    reason             text,
    requested_by       text not null,
    scope              jsonb not null,
    force_manual_review boolean not null default false,
    -- REFUSED, CANCELLED (before execution), ACCEPTED_FOR_ASSESSMENT, AWAITING_REVIEW,
    -- CANCELLING, REJECTED, COMPLETED
    status             text not null,
    assessment         jsonb not null,           -- order-capture's assessment at request time
    assessment_version text not null,
    outcome            jsonb,                    -- refusal blockers, fulfillment's verdict
    correlation_id     text not null,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

create index cancellation_requests_order_idx on cancellation_requests (order_id, created_at);

-- One row per amendment request, accepted or refused: the typed changes, the impact
-- assessment, where it stands.
create table amendment_requests (
    request_id         uuid primary key,
    tenant_id          text not null,
    order_id           uuid not null references orders (order_id),
    reason_code        text not null,
    reason             text,
    requested_by       text not null,
    changes            jsonb not null,
    -- REFUSED, APPLIED, AWAITING_REPLAN, REJECTED
    status             text not null,
    assessment         jsonb not null,
    assessment_version text not null,
    outcome            jsonb,
    correlation_id     text not null,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

create index amendment_requests_order_idx on amendment_requests (order_id, created_at);

-- Relations between orders (004 §8), readable from both ends: `source_order_id` is the
-- order that states the relation (e.g. the supplemental order SUPPLEMENTS the original).
create table order_relations (
    tenant_id        text not null,
    source_order_id  uuid not null references orders (order_id),
    target_order_id  uuid not null,
    relation_type    text not null,
    created_at       timestamptz not null default now(),
    created_by       text not null,
    constraint order_relations_pkey
        primary key (tenant_id, source_order_id, target_order_id, relation_type),
    constraint order_relations_type_check check (relation_type in
        ('AMENDS', 'CANCELS', 'SUPPLEMENTS', 'REPLACES', 'COMPENSATES', 'REPAIRS'))
);

create index order_relations_target_idx on order_relations (tenant_id, target_order_id);
