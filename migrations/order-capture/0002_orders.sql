-- Order-capture's own tables: the order aggregate and what keeps its invariants, its history
-- and audit trail, idempotency records, the validation log and the asset snapshot projection.
-- Every write of a command happens in one transaction together with its outbox rows.
-- Constraints carry the invariants; the service maps their violations by constraint name.

-- Human order numbers O-<year>-<8 digits>; the year is the capture year, the sequence global.
create sequence order_number_seq as bigint minvalue 1 maxvalue 99999999 no cycle;

-- One row per order: queryable header columns next to the whole aggregate (JSONB, the
-- domain's `Order`). `version` is the aggregate version: every update is
-- `... where order_id = $1 and version = $loaded` (optimistic locking).
create table orders (
    order_id            uuid primary key,
    tenant_id           text not null,
    order_number        text not null,
    state               text not null,
    capture_mode        text not null,
    customer_id         text not null,
    account_id          text not null,
    billing_account_id  text not null,
    quote_id            text,
    quote_revision      integer,
    external_order_ref  text,
    version             bigint not null,
    aggregate           jsonb not null,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    constraint orders_order_number_unique unique (order_number),
    -- one quote revision yields at most one order (rejected ones included: same revision, same answer)
    constraint orders_quote_revision_unique unique (tenant_id, quote_id, quote_revision),
    -- the channel's reference is unique per tenant
    constraint orders_external_ref_unique unique (tenant_id, external_order_ref),
    constraint orders_quote_complete check ((quote_id is null) = (quote_revision is null)),
    constraint orders_version_positive check (version > 0),
    constraint orders_state_check check (state in (
        'DRAFT', 'SUBMITTED', 'VALIDATED', 'DECOMPOSED', 'IN_PROGRESS', 'PARTIALLY_COMPLETED',
        'COMPLETED', 'REJECTED', 'FALLOUT', 'CANCELLATION_REQUESTED', 'CANCELLING', 'CANCELLED',
        'FAILED_CLOSED')),
    constraint orders_capture_mode_check check (capture_mode in (
        'QUOTE_DERIVED', 'DIRECT_ORDER', 'AMENDMENT', 'CANCELLATION', 'SUPPLEMENTAL',
        'ADMIN_MIGRATION'))
);

create index orders_tenant_created_idx on orders (tenant_id, created_at desc, order_id);
create index orders_tenant_customer_idx on orders (tenant_id, customer_id, created_at desc);
create index orders_tenant_account_idx on orders (tenant_id, account_id, created_at desc);
create index orders_tenant_state_idx on orders (tenant_id, state, created_at desc);

-- Item-level view of validated orders (a rejected order has no typed items), kept in step
-- with the aggregate on every update.
create table order_items (
    item_id             uuid primary key,
    order_id            uuid not null references orders (order_id),
    tenant_id           text not null,
    line_number         integer not null,
    client_item_ref     text not null,
    parent_item_id      uuid,
    action              text not null,
    product_offering_id text not null,
    quantity            bigint not null,
    target_asset_id     text,
    actual_asset_id     text,
    state               text not null,
    fulfillment_state   text not null,
    updated_at          timestamptz not null,
    constraint order_items_line_unique unique (order_id, line_number),
    constraint order_items_client_ref_unique unique (order_id, client_item_ref),
    constraint order_items_quantity_positive check (quantity > 0),
    constraint order_items_action_check check (action in (
        'ADD', 'MODIFY', 'DELETE', 'SUSPEND', 'RESUME', 'MOVE', 'RENEW', 'NO_CHANGE')),
    constraint order_items_state_check check (state in (
        'PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLING', 'CANCELLED', 'WAIVED'))
);

create index order_items_order_idx on order_items (order_id);
create index order_items_target_asset_idx on order_items (tenant_id, target_asset_id)
    where target_asset_id is not null;
create index order_items_actual_asset_idx on order_items (tenant_id, actual_asset_id)
    where actual_asset_id is not null;

-- Asset concurrency guard (004 §20): at most one in-flight order per asset. Inserted at
-- capture for every asset an item targets, deleted when the order reaches a terminal state.
create table asset_in_flight (
    tenant_id   text not null,
    asset_id    text not null,
    order_id    uuid not null references orders (order_id),
    created_at  timestamptz not null default now(),
    constraint asset_in_flight_pkey primary key (tenant_id, asset_id)
);

create index asset_in_flight_order_idx on asset_in_flight (order_id);

-- Every domain event of an order, in version order (the history endpoint reads it).
create table order_events (
    order_id        uuid not null references orders (order_id),
    order_version   bigint not null,
    tenant_id       text not null,
    event_id        uuid not null,              -- the envelope id published on the order topic
    event_type      text not null,
    occurred_at     timestamptz not null,
    payload         jsonb not null,             -- the domain event as JSON
    constraint order_events_pkey primary key (order_id, order_version),
    constraint order_events_event_id_unique unique (event_id)
);

-- Append-only: one row per state change (from, to, who, why, when, in which flow).
create table order_state_history (
    id              bigint generated always as identity primary key,
    order_id        uuid not null references orders (order_id),
    tenant_id       text not null,
    from_state      text,                       -- null for the creation
    to_state        text not null,
    event_type      text not null,
    actor_kind      text not null,
    actor_id        text not null,
    reason          text,
    at              timestamptz not null,
    correlation_id  text not null,
    causation_id    text,
    order_version   bigint not null
);

create index order_state_history_order_idx on order_state_history (order_id, id);

-- Append-only: one row per decided command, automatic ones included.
create table order_audit_log (
    id              bigint generated always as identity primary key,
    order_id        uuid not null references orders (order_id),
    tenant_id       text not null,
    command         text not null,
    actor_kind      text not null,
    actor_id        text not null,
    reason          text,
    correlation_id  text not null,
    causation_id    text,
    before_state    text,                       -- null for the capture
    after_state     text not null,
    before_version  bigint not null,
    after_version   bigint not null,
    event_types     text[] not null,
    at              timestamptz not null
);

create index order_audit_log_order_idx on order_audit_log (order_id, id);

-- History and audit rows are evidence: refuse updates and deletes.
create function refuse_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only', tg_table_name using errcode = '55000';
end $$;

create trigger order_state_history_append_only before update or delete on order_state_history
    for each row execute function refuse_change();
create trigger order_audit_log_append_only before update or delete on order_audit_log
    for each row execute function refuse_change();

-- API idempotency (001 §8.4): scope tenant + command + key; the semantic request hash; the
-- response replayed for the same key and payload. The row is inserted first in the capture
-- transaction, so a concurrent request with the same key waits on the primary key until the
-- first commits (then replays) or rolls back (then captures itself); the response is filled
-- in before the commit, so a committed row always has one.
create table idempotency_records (
    tenant_id       text not null,
    command         text not null,
    idempotency_key text not null,
    request_hash    text not null,
    order_id        uuid references orders (order_id),
    response_status smallint,
    response_body   jsonb,
    created_at      timestamptz not null default now(),
    constraint idempotency_records_pkey primary key (tenant_id, command, idempotency_key),
    constraint idempotency_records_response_complete
        check ((response_status is null) = (response_body is null))
);

-- Every rejected capture: where it came from and which rules it broke (codes and paths
-- only; never the payload, which may carry personal or commercial data).
create table validation_log (
    id                  bigint generated always as identity primary key,
    tenant_id           text not null,
    source              text not null,
    capture_mode        text not null,
    quote_id            text,
    quote_revision      integer,
    idempotency_key_hash text,                  -- sha256 of the key, never the key itself
    order_id            uuid,                   -- the REJECTED order of a quote, if one was stored
    violations          jsonb not null,         -- [{code, path, severity}]
    correlation_id      text not null,
    created_at          timestamptz not null default now(),
    constraint validation_log_source_check check (source in ('API', 'QUOTE'))
);

create index validation_log_tenant_idx on validation_log (tenant_id, created_at desc);

-- The asset service's installed base as far as capture validation needs it, projected from
-- oms.asset.events.v1 (each event carries the asset as it stands after the change).
create table asset_snapshot (
    tenant_id           text not null,
    asset_id            text not null,
    customer_id         text not null,
    account_id          text not null,
    billing_account_id  text not null,
    status              text not null,
    product_offering_id text not null,
    last_event_id       uuid not null,
    last_event_at       timestamptz not null,
    updated_at          timestamptz not null default now(),
    constraint asset_snapshot_pkey primary key (tenant_id, asset_id),
    constraint asset_snapshot_status_check check (status in (
        'PENDING', 'ACTIVE', 'SUSPENDED', 'TERMINATED'))
);
