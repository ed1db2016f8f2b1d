CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY NOT NULL,
    -- NULL: the national team's subscription (every event); else the tenant's own.
    tenant_slug TEXT REFERENCES tenants (slug),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    description TEXT,
    active      BOOLEAN NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_slug, id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    tenant_slug     TEXT REFERENCES tenants (slug),
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

-- Events the service notices by itself (a contract or framework nearing its end, a framework's
-- status changing with the calendar) are sent once per subject and occasion.
CREATE TABLE webhook_notices (
    event_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    occasion   TEXT NOT NULL,
    noticed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (event_type, subject_id, occasion)
);
