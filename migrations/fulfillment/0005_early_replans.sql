-- A decomposition outcome of an amendment (its re-plan, or the failure to re-plan) that
-- arrived before the amendment request itself. Fulfillment reads the request from the order
-- topic and the outcome from the decomposition topic; the two are consumed independently, so
-- after a pause or a restart the outcome can come first (found by the fault suite's in-flight
-- amendment flow: the re-plan was dropped and the order stayed paused for good). The outcome
-- is kept here and applied as soon as the request is recorded (ADR 0008 §3).
create table early_replan (
    request_id  uuid primary key,
    order_id    uuid not null,
    tenant_id   text not null,
    -- the OrderRedecomposed (domain JSON), or null when decomposition could not re-plan
    replan      jsonb,
    event_id    uuid not null,   -- the decomposition event: the cause of what follows
    received_at timestamptz not null default now()
);
