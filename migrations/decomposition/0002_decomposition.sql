-- The decomposition service's state: published technical catalog versions (the rules), the plan
-- of every decomposed order, and the classified failure of every order that could not be
-- decomposed. Every row here is a published fact: nothing is ever updated.

-- One row per published rules version. Immutable once inserted (a trigger refuses updates and
-- deletes): a plan names the version it was built with, and that version must keep meaning
-- exactly the rules it meant then. Publishing the same version again is idempotent when its
-- rules are the same (equal content hash) and refused otherwise; new versions must be higher
-- than every published one.
create table catalog_version (
    version          integer primary key,
    content_hash     text not null,              -- SHA-256 of the canonical rules (RulesVersion)
    source_sha256    text not null,              -- SHA-256 of the exact source text below
    source_text      text not null,              -- the TOML as published, byte for byte
    source_name      text not null,              -- the file path, or `operator API`
    description      text,                       -- `[catalog] description`
    rule_count       integer not null,           -- rules after expansion per offering
    published_at     timestamptz not null default now(),
    published_by     text not null,              -- operator subject, or `decomposition` at start-up
    publisher_tenant text,                       -- the operator's tenant (null at start-up)
    constraint catalog_version_positive check (version > 0),
    constraint catalog_version_content_hash_hex check (content_hash ~ '^[0-9a-f]{64}$'),
    constraint catalog_version_source_sha256_hex check (source_sha256 ~ '^[0-9a-f]{64}$'),
    constraint catalog_version_rule_count_positive check (rule_count > 0)
);

create function catalog_version_immutable() returns trigger
language plpgsql as $$
begin
    raise exception 'catalog_version rows are immutable once published (% refused)', tg_op
        using errcode = 'restrict_violation';
end;
$$;

create trigger catalog_version_immutable
    before update or delete on catalog_version
    for each statement execute function catalog_version_immutable();

-- The plan of each decomposed order: at most one per order (a redelivered release finds it and
-- emits nothing). `plan_json` is the canonical serialised plan exactly as the planner produced
-- it (the `json` type keeps the text byte for byte); `plan_hash` is its content hash and
-- `input_hash` the hash of the planner input, kept in `input_json`, so anyone can re-run the
-- planner on the stored input with the stored rules version and compare. Plans never change:
-- a trigger refuses updates (a new rules version only applies to orders released later).
create table decomposition_plan (
    order_id            uuid primary key,
    tenant_id           text not null,
    plan_id             uuid not null,
    rules_version       integer not null references catalog_version (version),
    rules_label         text not null,           -- `v<number>+<12 hex>`, as in OrderDecomposed
    input_hash          text not null,
    plan_hash           text not null,
    plan_json           json not null,
    input_json          json not null,
    task_count          integer not null,
    release_event_id    uuid not null,           -- the OrderReleasedForDecomposition handled
    event_id            uuid not null,           -- the OrderDecomposed published
    created_at          timestamptz not null default now(),
    constraint decomposition_plan_plan_id_unique unique (plan_id),
    constraint decomposition_plan_task_count_non_negative check (task_count >= 0)
);

create index decomposition_plan_rules_version_idx on decomposition_plan (rules_version);

create function decomposition_plan_immutable() returns trigger
language plpgsql as $$
begin
    raise exception 'decomposition_plan rows never change (% refused)', tg_op
        using errcode = 'restrict_violation';
end;
$$;

create trigger decomposition_plan_immutable
    before update on decomposition_plan
    for each statement execute function decomposition_plan_immutable();

-- An order that could not be decomposed: the classified code of DOMAIN.md §6, the item it
-- concerns, what is wrong and what to do, and the fallout id published in
-- OrderDecompositionFailed (derived from the order, its input and the code, so it is the same
-- whenever the same release fails the same way). TEMPORARY_DEPENDENCY_UNAVAILABLE is never
-- stored: it is retried until the dependency is back.
create table decomposition_failure (
    order_id            uuid primary key,
    tenant_id           text not null,
    fallout_id          uuid not null,
    code                text not null,
    item_id             uuid,                    -- null for order-level problems
    message             text not null,
    remediation         text not null,
    rules_version       integer references catalog_version (version),
    input_hash          text not null,
    release_event_id    uuid not null,
    event_id            uuid not null,           -- the OrderDecompositionFailed published
    created_at          timestamptz not null default now(),
    constraint decomposition_failure_fallout_id_unique unique (fallout_id),
    constraint decomposition_failure_code_check check (code in (
        'ORDER_INVALID', 'DECOMPOSITION_RULE_MISSING', 'TECHNICAL_CATALOG_MAPPING_MISSING',
        'TARGET_ASSET_NOT_FOUND', 'UNSUPPORTED_ACTION_TYPE', 'INTERNAL_ERROR'))
);

create function decomposition_failure_immutable() returns trigger
language plpgsql as $$
begin
    raise exception 'decomposition_failure rows never change (% refused)', tg_op
        using errcode = 'restrict_violation';
end;
$$;

create trigger decomposition_failure_immutable
    before update on decomposition_failure
    for each statement execute function decomposition_failure_immutable();
