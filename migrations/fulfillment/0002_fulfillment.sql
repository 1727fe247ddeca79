-- Fulfillment's own state: which plan each order has, whether order-capture released it,
-- the tasks with their durable state machine, item results, fallout cases and the audit log
-- of operator actions. ADR 0007 explains the engine that drives these rows.

-- One row per order fulfillment has heard of. Plans (OrderDecomposed) and the release
-- (OrderReleasedForFulfillment) arrive on different topics in either order; both handlers
-- lock this row, so exactly one of them starts the released plan.
create table fulfillment_order (
    order_id          uuid primary key,
    tenant_id         text not null,
    correlation_id    text not null,
    order_number      text,                   -- from the release
    released_plan_id  uuid,                   -- the plan order-capture released
    content           jsonb,                  -- released order content (item context, parties)
    released_at       timestamptz,
    started_plan_id   uuid,                   -- set once, when the released plan started
    started_at        timestamptz,
    closed_at         timestamptz,            -- order-capture closed or cancelled the order
    closed_by_event   text,                   -- OrderFailedClosed | OrderCancelled
    created_at        timestamptz not null default now(),
    version           bigint not null default 0,
    -- a plan only starts after it was released, and only the released one
    constraint fulfillment_order_start_needs_release
        check (started_plan_id is null or started_plan_id = released_plan_id)
);

-- Plans received from decomposition. A later plan for the same order (re-decomposition) is
-- stored next to the first; only the released one runs.
create table fulfillment_plan (
    plan_id           uuid primary key,
    order_id          uuid not null references fulfillment_order (order_id),
    tenant_id         text not null,
    rules_version     text not null,
    received_at       timestamptz not null default now()
);

create index fulfillment_plan_order_idx on fulfillment_plan (order_id);

-- One row per planned task; `state` only changes through the transition table in
-- src/model/task_state.rs, each change bumping `version` and appending a transition row.
create table fulfillment_task (
    task_id               uuid primary key,
    plan_id               uuid not null references fulfillment_plan (plan_id),
    order_id              uuid not null,
    tenant_id             text not null,
    item_ids              uuid[] not null,
    task_type             text not null,
    target_system         text not null,
    depends_on            uuid[] not null,
    reversibility         text not null,
    external_effect_level text not null,
    -- optional plan metadata (absent in plans written before decomposition sent it)
    template_key          text,               -- catalog step, e.g. reserve_port
    compensation_task_type text,              -- what undoes the task (cancellation)
    item_milestone        boolean,            -- the step that makes its item's change live
    item_asset_effect     text,               -- the item's installed-base effect per the catalog
    state                 text not null default 'PENDING',
    -- attempts dispatched so far; `attempt_base` is where the current retry budget started
    -- (an operator retry opens a fresh budget)
    attempt               integer not null default 0,
    attempt_base          integer not null default 0,
    -- the idempotency key is `<task_id>:<key_generation>`; the generation only moves when
    -- the downstream system closed the previous request with a failure (ADR 0007)
    key_generation        integer not null default 1,
    next_attempt_at       timestamptz,        -- RETRY_SCHEDULED: when the next attempt is due
    dispatched_by         integer,            -- engine instance holding the DISPATCHED task
    dispatched_at         timestamptz,
    external_ref          text,
    service_refs          text[] not null default '{}',
    resource_refs         text[] not null default '{}',
    last_error_code       text,
    last_error_message    text,
    completed_at          timestamptz,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    version               bigint not null default 0,
    constraint fulfillment_task_state_check check (state in (
        'PENDING', 'READY', 'DISPATCHED', 'WAITING_FOR_CALLBACK', 'SUCCEEDED',
        'RETRY_SCHEDULED', 'FAILED', 'FALLOUT', 'SKIPPED', 'CANCELLED', 'COMPENSATED')),
    constraint fulfillment_task_attempt_check check (attempt >= attempt_base and attempt_base >= 0),
    constraint fulfillment_task_retry_has_due_time
        check (state <> 'RETRY_SCHEDULED' or next_attempt_at is not null),
    constraint fulfillment_task_dispatch_has_owner
        check (state <> 'DISPATCHED' or dispatched_by is not null)
);

create index fulfillment_task_order_idx on fulfillment_task (order_id);
-- the engine's work queues
create index fulfillment_task_ready_idx on fulfillment_task (updated_at) where state = 'READY';
create index fulfillment_task_retry_idx on fulfillment_task (next_attempt_at)
    where state = 'RETRY_SCHEDULED';
create index fulfillment_task_dispatched_idx on fulfillment_task (dispatched_by)
    where state = 'DISPATCHED';

-- Append-only history of every task transition (timeline, audit, tests).
create table fulfillment_task_transition (
    id          bigint generated always as identity primary key,
    task_id     uuid not null references fulfillment_task (task_id),
    order_id    uuid not null,
    from_state  text not null,
    to_state    text not null,
    trigger     text not null,
    attempt     integer not null,
    actor       text not null,
    detail      text,
    at          timestamptz not null default clock_timestamp()
);

create index fulfillment_task_transition_task_idx on fulfillment_task_transition (task_id, id);

-- Order items of a started plan and their result. `status` moves IN_PROGRESS -> FULFILLED,
-- WAIVED or CANCELLED exactly once; that update decides whether OrderItemFulfilled is emitted.
create table fulfillment_item (
    order_id      uuid not null references fulfillment_order (order_id),
    item_id       uuid not null,
    tenant_id     text not null,
    status        text not null default 'IN_PROGRESS',
    asset_effect  text,
    asset_id      text,
    finished_at   timestamptz,
    constraint fulfillment_item_pkey primary key (order_id, item_id),
    constraint fulfillment_item_status_check
        check (status in ('IN_PROGRESS', 'FULFILLED', 'WAIVED', 'CANCELLED'))
);

-- Durable fallout cases: a task that exhausted its retries or failed permanently.
create table fallout_case (
    fallout_id    uuid primary key,
    order_id      uuid not null,
    tenant_id     text not null,
    task_id       uuid not null references fulfillment_task (task_id),
    item_ids      uuid[] not null,
    code          text not null,
    message       text not null,
    remediation   text,
    status        text not null default 'OPEN',
    resolution    text,
    raised_at     timestamptz not null default now(),
    resolved_at   timestamptz,
    resolved_by   text,
    constraint fallout_case_status_check check (status in ('OPEN', 'RESOLVED')),
    constraint fallout_case_resolution_check check (
        (status = 'OPEN' and resolution is null)
        or (status = 'RESOLVED'
            and resolution in ('RESUME', 'RETRY_ITEM', 'WAIVE_ITEM', 'ORDER_CLOSED')))
);

-- at most one open case per task
create unique index fallout_case_open_task_idx on fallout_case (task_id) where status = 'OPEN';
create index fallout_case_open_idx on fallout_case (tenant_id, raised_at) where status = 'OPEN';
create index fallout_case_order_idx on fallout_case (order_id);

-- Append-only audit of operator actions (accepted and refused), with actor, reason, evidence.
create table fulfillment_audit (
    id          bigint generated always as identity primary key,
    tenant_id   text not null,
    order_id    uuid not null,
    task_id     uuid,
    item_id     uuid,
    action      text not null,               -- RETRY_TASK | COMPLETE_TASK | WAIVE_ITEM
    actor       text not null,
    reason      text not null,
    evidence    jsonb,
    outcome     text not null,               -- ACCEPTED | REFUSED:<code>
    correlation_id text,
    at          timestamptz not null default now()
);

create index fulfillment_audit_order_idx on fulfillment_audit (order_id, id);
