-- Reverts of cancelled order items (ADR 0008 §2): one row per order item whose change was
-- undone, inserted first in the reverting transaction, so a redelivered OrderItemCompensated
-- (or a replay of the topic) reverts nothing twice.
create table asset_change_reverted (
    tenant_id            text not null,
    order_item_id        uuid not null,
    order_id             uuid not null,
    asset_id             varchar(128) not null,
    reverted_effect      text not null,
    fulfillment_event_id uuid not null,              -- the OrderItemCompensated handled
    outcome              text,                       -- REVERTED or NOTHING_TO_REVERT
    asset_event_id       uuid,                       -- the AssetReverted published
    reverted_at          timestamptz not null default now(),
    constraint asset_change_reverted_pkey primary key (tenant_id, order_item_id),
    constraint asset_change_reverted_outcome_check
        check (outcome in ('REVERTED', 'NOTHING_TO_REVERT'))
);
