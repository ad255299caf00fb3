-- Webhooks. A subscription belongs to one organisation; its secret is kept as is because every delivery is
-- signed with it (HMAC-SHA-256), and it is shown once, in the answer that creates it. Deleting a subscription
-- sets deleted_at: its deliveries stay in the log.
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX webhook_subscriptions_org ON webhook_subscriptions(organization_id);
-- The outbox: one row per announced event, written in the transaction of the change that caused it. position
-- orders the events of one aggregate; dedup_key makes an event a scan finds (a deadline) announced once.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY NOT NULL,
    event_type TEXT NOT NULL,
    aggregate TEXT NOT NULL,
    position BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    body TEXT NOT NULL,
    dedup_key TEXT UNIQUE,
    UNIQUE (aggregate, position)
);
-- One delivery per (subscription, event), written with the event; its id is the X-Waste-Delivery of every
-- attempt. state: pending | delivered | failed.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
    event_id TEXT NOT NULL REFERENCES webhook_events(id),
    aggregate TEXT NOT NULL,
    position BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries(subscription_id, aggregate, position);
