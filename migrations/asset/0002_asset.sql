-- The installed base: assets (current state), their append-only history, the per-order-item
-- idempotency guard, and inconsistency cases for changes the installed base could not take.

-- One row per asset: its state after the last applied change. Written only by the fulfillment
-- consumer, which locks the row (`for update`) and bumps `version` (optimistic locking) on every
-- change; the HTTP API only reads.
create table asset (
    tenant_id           text not null,
    asset_id            varchar(128) not null,       -- minted by fulfillment for the ADD item
    customer_id         varchar(128) not null,
    account_id          varchar(128) not null,
    billing_account_id  varchar(128) not null,
    offering_id         varchar(128) not null,
    offering_version    bigint,
    offering_name       text,
    product_spec_ref    varchar(128),
    quantity            bigint not null,
    status              text not null,
    configuration       jsonb not null,              -- characteristic name -> value
    service_address     jsonb,                       -- where the service is delivered
    price_snapshot      jsonb not null,              -- the accepted price of the item that last priced it
    activation_date     date,
    term_months         integer,
    term_start_date     date,
    term_end_date       date,                        -- last day of the current term
    renewal_count       integer not null default 0,
    terminated_on       date,
    service_refs        jsonb not null default '[]', -- downstream service instances
    resource_refs       jsonb not null default '[]', -- downstream resources
    source_order_id     uuid not null,               -- the order and item that created the asset
    source_item_id      uuid not null,
    last_order_id       uuid not null,               -- the order and item of the last change
    last_item_id        uuid not null,
    version             bigint not null,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    constraint asset_pkey primary key (tenant_id, asset_id),
    constraint asset_status_check check (status in ('PENDING', 'ACTIVE', 'SUSPENDED', 'TERMINATED')),
    constraint asset_quantity_positive check (quantity > 0),
    constraint asset_version_positive check (version > 0),
    constraint asset_renewal_count_non_negative check (renewal_count >= 0),
    constraint asset_terminated_on_check check ((status = 'TERMINATED') = (terminated_on is not null))
);

-- The API's filters: by customer or account within a tenant, paged by asset id.
create index asset_customer_idx on asset (tenant_id, customer_id, asset_id);
create index asset_account_idx on asset (tenant_id, account_id, asset_id);

-- Every change of every asset, with the order item that caused it. Append-only: a trigger
-- refuses updates and deletes, so history cannot be rewritten.
create table asset_history (
    id                  bigint generated always as identity primary key,
    tenant_id           text not null,
    asset_id            varchar(128) not null,
    version             bigint not null,             -- the asset's version after this change
    event_type          text not null,               -- the asset event published for it
    event_id            uuid not null,
    action              text not null,               -- the order item's action
    order_id            uuid not null,
    item_id             uuid not null,
    before              jsonb,                       -- null for the creation
    after               jsonb not null,
    at                  timestamptz not null default now(),
    constraint asset_history_version_unique unique (tenant_id, asset_id, version),
    constraint asset_history_asset_fkey foreign key (tenant_id, asset_id)
        references asset (tenant_id, asset_id)
);

create function asset_history_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'asset_history is append-only (% refused)', tg_op
        using errcode = 'restrict_violation';
end;
$$;

create trigger asset_history_append_only
    before update or delete on asset_history
    for each statement execute function asset_history_append_only();

-- The per-order-item idempotency guard: one row per order item whose fulfillment the service
-- acted on, inserted first in the applying transaction. It is independent of event ids and of
-- the inbox, so replaying the fulfillment topic into a new consumer group (or after clearing the
-- inbox) finds the row and changes nothing.
create table asset_change_applied (
    tenant_id            text not null,
    order_item_id        uuid not null,
    order_id             uuid not null,
    asset_id             varchar(128) not null,
    action               text not null,
    asset_effect         text not null,
    fulfillment_event_id uuid not null,              -- the OrderItemFulfilled that was applied
    outcome              text,                       -- set in the same transaction
    asset_event_id       uuid,                       -- the asset event published for it
    applied_at           timestamptz not null default now(),
    constraint asset_change_applied_pkey primary key (tenant_id, order_item_id),
    constraint asset_change_applied_outcome_check check (outcome in ('APPLIED', 'INCONSISTENT'))
);

-- A fulfilled item the installed base could not take (resume an active asset, modify a
-- terminated one, ...): never applied, never dropped, reported as AssetInconsistencyDetected.
create table inconsistency_case (
    id                  uuid primary key,
    tenant_id           text not null,
    asset_id            varchar(128) not null,       -- may name an asset that does not exist
    order_id            uuid not null,
    item_id             uuid not null,
    attempted_action    text not null,
    asset_effect        text not null,
    expected_status     text,
    actual_status       text,                        -- null when the asset does not exist
    reason_code         text not null,
    description         text not null,
    status              text not null default 'OPEN',
    event_id            uuid not null,               -- the AssetInconsistencyDetected published
    created_at          timestamptz not null default now(),
    resolved_at         timestamptz,
    resolved_by         text,
    resolution          text,
    constraint inconsistency_case_item_unique unique (tenant_id, item_id),
    constraint inconsistency_case_status_check check (status in ('OPEN', 'RESOLVED')),
    constraint inconsistency_case_resolution_check
        check ((status = 'RESOLVED') = (resolved_at is not null and resolved_by is not null and resolution is not null))
);

create index inconsistency_case_status_idx on inconsistency_case (tenant_id, status, created_at, id);
