-- The simulated downstream systems' own records (docs/simulators.md). Each table stands for
-- the state of one external system, not for fulfillment's state: fulfillment never reads
-- them. A unique idempotency key per table is how each system refuses to apply a request
-- twice; `calls` counts how often the key was presented (re-dispatches after a crash).
--
-- Common columns: the request (key, task, order, task type), `status` COMPLETED or ACCEPTED
-- (asynchronous work that finishes at `complete_at` and is reported through a callback),
-- `received_at` (the applying call arrived), `completed_at`, `callback_delivered_at`.

-- Resource inventory: access ports, devices, IP addresses, SIM cards held for an order.
create table sim_inventory_reservation (
    id                    bigint generated always as identity primary key,
    idempotency_key       text not null,
    task_id               uuid not null,
    order_id              uuid not null,
    task_type             text not null,
    status                text not null,
    external_ref          text not null,
    calls                 integer not null default 1,
    received_at           timestamptz not null,
    complete_at           timestamptz,
    completed_at          timestamptz,
    callback_delivered_at timestamptz,
    resource_kind         text not null,       -- PORT, DEVICE, IP_ADDRESS, SIM, ...
    constraint sim_inventory_reservation_key_unique unique (idempotency_key),
    constraint sim_inventory_reservation_status_check check (status in ('COMPLETED', 'ACCEPTED'))
);

-- Field-force scheduling: appointments and technician visits.
create table sim_workforce_appointment (
    id                    bigint generated always as identity primary key,
    idempotency_key       text not null,
    task_id               uuid not null,
    order_id              uuid not null,
    task_type             text not null,
    status                text not null,
    external_ref          text not null,
    calls                 integer not null default 1,
    received_at           timestamptz not null,
    complete_at           timestamptz,
    completed_at          timestamptz,
    callback_delivered_at timestamptz,
    visit_address         text,                -- where the technician goes
    constraint sim_workforce_appointment_key_unique unique (idempotency_key),
    constraint sim_workforce_appointment_status_check check (status in ('COMPLETED', 'ACCEPTED'))
);

-- Logistics: device and SIM shipments, returns.
create table sim_shipping_shipment (
    id                    bigint generated always as identity primary key,
    idempotency_key       text not null,
    task_id               uuid not null,
    order_id              uuid not null,
    task_type             text not null,
    status                text not null,
    external_ref          text not null,       -- tracking number
    calls                 integer not null default 1,
    received_at           timestamptz not null,
    complete_at           timestamptz,
    completed_at          timestamptz,
    callback_delivered_at timestamptz,
    ship_to               text,
    constraint sim_shipping_shipment_key_unique unique (idempotency_key),
    constraint sim_shipping_shipment_status_check check (status in ('COMPLETED', 'ACCEPTED'))
);

-- Network and service provisioning: service instances and their profiles.
create table sim_network_service (
    id                    bigint generated always as identity primary key,
    idempotency_key       text not null,
    task_id               uuid not null,
    order_id              uuid not null,
    task_type             text not null,
    status                text not null,
    external_ref          text not null,       -- service instance id
    calls                 integer not null default 1,
    received_at           timestamptz not null,
    complete_at           timestamptz,
    completed_at          timestamptz,
    callback_delivered_at timestamptz,
    profile               jsonb not null,      -- configuration applied
    constraint sim_network_service_key_unique unique (idempotency_key),
    constraint sim_network_service_status_check check (status in ('COMPLETED', 'ACCEPTED'))
);

-- Billing activation: start, change, suspend and stop charging.
create table sim_billing_activation (
    id                    bigint generated always as identity primary key,
    idempotency_key       text not null,
    task_id               uuid not null,
    order_id              uuid not null,
    task_type             text not null,
    status                text not null,
    external_ref          text not null,       -- billing system reference
    calls                 integer not null default 1,
    received_at           timestamptz not null,
    complete_at           timestamptz,
    completed_at          timestamptz,
    callback_delivered_at timestamptz,
    billing_account_id    text,
    constraint sim_billing_activation_key_unique unique (idempotency_key),
    constraint sim_billing_activation_status_check check (status in ('COMPLETED', 'ACCEPTED'))
);
