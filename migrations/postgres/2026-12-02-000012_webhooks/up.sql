-- Webhook subscriptions (administrators only). `events` is a JSON array of change-feed resource
-- types (empty: all); `secret` is the Standard Webhooks signing secret (`whsec_` + base64), kept
-- to sign every delivery and shown to the administrator only in the answer to the create.
-- `starts_after` is the change-feed position when it was created: it receives later events only.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    description TEXT,
    starts_after BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

-- One delivery of one change-feed event to one subscription. `payload` is the exact body, fixed
-- when the event is fanned out; its id is the `webhook-id` of every attempt. A pending delivery
-- is due at `next_attempt_at`; a worker that claims it moves that time past its lease and marks
-- it with its `lease`, so another instance does not send it meanwhile and a crashed worker's
-- delivery becomes due again.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    sequence BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease TEXT,
    last_status_code INTEGER,
    last_error TEXT,
    last_attempt_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (webhook_id, sequence)
);
-- The worker's claim: due pending deliveries in time order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
-- The delivery log of one subscription, newest first.
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);

-- How far the fan-out has read the change feed: one row, locked by the fan-out step, advanced in
-- the transaction that inserts the deliveries. It starts at the current end of the feed.
CREATE TABLE webhook_cursor (
    name TEXT PRIMARY KEY NOT NULL,
    last_sequence BIGINT NOT NULL
);
INSERT INTO webhook_cursor (name, last_sequence)
    SELECT 'deliveries', COALESCE(MAX(id), 0) FROM audit_events;
