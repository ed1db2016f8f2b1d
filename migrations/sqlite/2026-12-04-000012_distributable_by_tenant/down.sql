ALTER TABLE idempotency_records RENAME TO idempotency_records_new;
DROP INDEX idempotency_records_created;
CREATE TABLE idempotency_records (
    principal    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    location     TEXT,
    etag         TEXT,
    content_type TEXT,
    body         TEXT,
    created_at   TIMESTAMP NOT NULL,
    committed    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (principal, idem_key)
);
INSERT OR IGNORE INTO idempotency_records
    SELECT principal, idem_key, request_hash, status, location, etag, content_type, body, created_at, committed
    FROM idempotency_records_new;
DROP TABLE idempotency_records_new;
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);

ALTER TABLE webhook_notices RENAME TO webhook_notices_new;
CREATE TABLE webhook_notices (
    event_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    occasion   TEXT NOT NULL,
    noticed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (event_type, subject_id, occasion)
);
INSERT OR IGNORE INTO webhook_notices
    SELECT event_type, subject_id, occasion, noticed_at FROM webhook_notices_new;
DROP TABLE webhook_notices_new;

ALTER TABLE webhook_subscriptions RENAME TO webhook_subscriptions_new;
ALTER TABLE webhook_deliveries RENAME TO webhook_deliveries_new;
DROP INDEX webhook_subscriptions_tenant;
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_subscription;
CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY NOT NULL,
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
INSERT INTO webhook_subscriptions
    SELECT id, NULLIF(tenant_slug, 'national'), url, secret, events, description, active, version,
           created_by, created_at, updated_at
    FROM webhook_subscriptions_new;
INSERT INTO webhook_deliveries
    SELECT id, subscription_id, NULLIF(tenant_slug, 'national'), event_id, event_type, payload, status,
           attempts, next_attempt_at, last_attempt_at, last_status, last_error, created_at, delivered_at
    FROM webhook_deliveries_new;
DROP TABLE webhook_deliveries_new;
DROP TABLE webhook_subscriptions_new;
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_slug, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

ALTER TABLE audit_events RENAME TO audit_events_new;
DROP INDEX audit_events_resource;
CREATE TABLE audit_events (
    id            TEXT PRIMARY KEY NOT NULL,
    occurred_at   TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    tenant_slug   TEXT,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    detail        TEXT NOT NULL
);
INSERT INTO audit_events
    SELECT id, occurred_at, actor, NULLIF(tenant_slug, 'national'), action, resource_type, resource_id, detail
    FROM audit_events_new;
DROP TABLE audit_events_new;
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id);
