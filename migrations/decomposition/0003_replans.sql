-- Re-decomposition of amended orders (ADR 0008 §3). One row per amendment request that asked
-- for a re-plan: the plan of the amended content (made with the rules version of the order's
-- first plan, so only what the amendment changed moves), or the classified failure. A
-- redelivered request finds its row and emits nothing. Rows are facts: never updated.
create table decomposition_replan (
    request_id          uuid primary key,        -- the amendment request
    order_id            uuid not null,
    tenant_id           text not null,
    previous_plan_id    uuid not null,
    rules_version       integer not null references catalog_version (version),
    plan_id             uuid,                    -- null when it failed
    plan_json           json,
    input_json          json not null,
    failure_code        text,
    failure_message     text,
    source_event_id     uuid not null,           -- the OrderAmendmentRequested handled
    event_id            uuid not null,           -- the OrderRedecomposed / ...Failed published
    created_at          timestamptz not null default now(),
    constraint decomposition_replan_outcome check ((plan_id is null) <> (failure_code is null))
);

create index decomposition_replan_order_idx on decomposition_replan (order_id, created_at);

create trigger decomposition_replan_immutable
    before update on decomposition_replan
    for each statement execute function decomposition_plan_immutable();
