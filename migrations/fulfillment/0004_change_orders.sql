-- Change orders in flight (ADR 0008): cancellation assessments with their durable
-- compensation plans, and amendments that re-plan a running order.

-- A compensation task is a task row like any other (claim, key, retries, fallout, operator
-- repair: ADR 0007), marked with what it undoes. `inputs`: the item inputs an execution task
-- uses (an amendment of another input keeps the task).
alter table fulfillment_task
    add column purpose text not null default 'EXECUTION',
    add column compensates_task_id uuid references fulfillment_task (task_id),
    add column compensation_plan_id uuid,
    add column inputs text[],
    add constraint fulfillment_task_purpose_check check (purpose in ('EXECUTION', 'COMPENSATION')),
    add constraint fulfillment_task_compensation_link check (
        (purpose = 'EXECUTION' and compensates_task_id is null and compensation_plan_id is null)
        or (purpose = 'COMPENSATION' and compensates_task_id is not null
            and compensation_plan_id is not null));

-- at most one compensation per task and plan (a redelivered decision creates nothing twice)
create unique index fulfillment_task_compensation_unique
    on fulfillment_task (compensation_plan_id, compensates_task_id)
    where purpose = 'COMPENSATION';

-- An open change request pauses the order's execution tasks (compensation tasks still run)
-- until order-capture's decision is back; `pending_content` is an amendment's proposed
-- content, in force once its re-plan is applied.
alter table fulfillment_order
    add column frozen_by uuid,
    add column frozen_reason text,
    add column pending_content jsonb,
    add constraint fulfillment_order_frozen_reason_check
        check ((frozen_by is null) = (frozen_reason is null)
               and (frozen_reason is null or frozen_reason in ('CANCELLATION', 'AMENDMENT')));

-- Items being cancelled: CANCELLING while their compensation runs, then CANCELLED.
alter table fulfillment_item drop constraint fulfillment_item_status_check;
alter table fulfillment_item add constraint fulfillment_item_status_check
    check (status in ('IN_PROGRESS', 'FULFILLED', 'WAIVED', 'CANCELLING', 'CANCELLED'));

-- a task cancelled by a cancellation or replaced by an amendment closes its open case too
alter table fallout_case drop constraint fallout_case_resolution_check;
alter table fallout_case add constraint fallout_case_resolution_check check (
    (status = 'OPEN' and resolution is null)
    or (status = 'RESOLVED'
        and resolution in ('RESUME', 'RETRY_ITEM', 'WAIVE_ITEM', 'ORDER_CLOSED', 'CANCELLED',
                           'REPLACED')));

-- One per cancellation request: ASSESSING (waiting for calls in flight or the plan) ->
-- PROPOSED (assessment published, waiting for order-capture's decision) -> EXECUTING
-- (compensation tasks run) -> COMPLETED; or DISCARDED when order-capture rejected it.
create table compensation_plan (
    compensation_plan_id uuid primary key,           -- = the cancellation request id
    order_id             uuid not null references fulfillment_order (order_id),
    tenant_id            text not null,
    status               text not null default 'ASSESSING',
    scope_item_ids       uuid[] not null,            -- the expanded scope; empty: the whole order
    force_manual_review  boolean not null default false,
    feasibility          text,
    assessment           jsonb,                      -- the PlanAssessment (tasks, steps, blockers)
    cancelling_item_ids  uuid[] not null default '{}', -- what order-capture decided
    correlation_id       text not null,
    created_at           timestamptz not null default now(),
    assessed_at          timestamptz,
    started_at           timestamptz,
    finished_at          timestamptz,
    version              bigint not null default 0,
    constraint compensation_plan_status_check check (status in
        ('ASSESSING', 'PROPOSED', 'EXECUTING', 'COMPLETED', 'DISCARDED'))
);

create index compensation_plan_order_idx on compensation_plan (order_id);
create index compensation_plan_assessing_idx on compensation_plan (created_at)
    where status = 'ASSESSING';

-- One per amendment that needs a re-plan: PENDING until decomposition's plan arrives, then
-- APPLIED (the running plan moved onto it) or REFUSED (a task it would replace started);
-- FAILED when the re-plan failed or order-capture rejected the amendment.
create table plan_amendment (
    request_id      uuid primary key,
    order_id        uuid not null references fulfillment_order (order_id),
    tenant_id       text not null,
    status          text not null default 'PENDING',
    previous_plan_id uuid,
    new_plan_id     uuid,
    diff            jsonb,
    created_at      timestamptz not null default now(),
    decided_at      timestamptz,
    constraint plan_amendment_status_check check (status in
        ('PENDING', 'APPLIED', 'REFUSED', 'FAILED'))
);

create index plan_amendment_order_idx on plan_amendment (order_id);
