-- Every table that holds a tenant's data names the tenant in every row: rows that belong to the
-- national body (national audit events, the national team's webhooks and idempotency keys,
-- notices about frameworks) carry the scope 'national', a name no tenant may take. This is what
-- lets PostgreSQL distribute the tables by tenant (see that migration and docs/scaling.md); SQLite
-- follows so both backends hold the same rows. SQLite keeps its single-column primary keys: it is
-- one file on one node, and its composite keys would mean rebuilding every tenant table.
--
-- SQLite cannot make a column NOT NULL or change a primary key in place, so each table is rebuilt.
-- The old tables are renamed out of the way first: renaming a parent rewrites its children's
-- foreign keys to follow it, so the webhook tables move together and the old ones are dropped
-- child first.

ALTER TABLE audit_events RENAME TO audit_events_old;
DROP INDEX audit_events_resource;
CREATE TABLE audit_events (
    id            TEXT NOT NULL,
    occurred_at   TIMESTAMP NOT NULL,
    actor         TEXT NOT NULL,
    tenant_slug   TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    detail        TEXT NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO audit_events (id, occurred_at, actor, tenant_slug, action, resource_type, resource_id, detail)
    SELECT id, occurred_at, actor, COALESCE(tenant_slug, 'national'), action, resource_type, resource_id, detail
    FROM audit_events_old;
DROP TABLE audit_events_old;
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id);

ALTER TABLE webhook_subscriptions RENAME TO webhook_subscriptions_old;
ALTER TABLE webhook_deliveries RENAME TO webhook_deliveries_old;
DROP INDEX webhook_subscriptions_tenant;
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_subscription;
-- 'national' is not a row of tenants, so the tenant is no longer a foreign key here.
CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant_slug TEXT NOT NULL,
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
    tenant_slug     TEXT NOT NULL,
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
    SELECT id, COALESCE(tenant_slug, 'national'), url, secret, events, description, active, version,
           created_by, created_at, updated_at
    FROM webhook_subscriptions_old;
INSERT INTO webhook_deliveries
    SELECT id, subscription_id, COALESCE(tenant_slug, 'national'), event_id, event_type, payload, status,
           attempts, next_attempt_at, last_attempt_at, last_status, last_error, created_at, delivered_at
    FROM webhook_deliveries_old;
DROP TABLE webhook_deliveries_old;
DROP TABLE webhook_subscriptions_old;
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_slug, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

-- Notices about a contract belong to its tenant; about a framework, to the national scope.
ALTER TABLE webhook_notices RENAME TO webhook_notices_old;
CREATE TABLE webhook_notices (
    tenant_slug TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    occasion    TEXT NOT NULL,
    noticed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_slug, event_type, subject_id, occasion)
);
INSERT INTO webhook_notices
    SELECT COALESCE((SELECT contracts.tenant_slug FROM contracts WHERE contracts.id = n.subject_id), 'national'),
           n.event_type, n.subject_id, n.occasion, n.noticed_at
    FROM webhook_notices_old AS n;
DROP TABLE webhook_notices_old;

-- An idempotency key belongs to the tenant its caller acts for. Keys kept before this change do
-- not say which; they are placed in the national scope, so a tenant user's retry of a request made
-- before the upgrade is not recognised (keys are kept for 24 hours: upgrade when it is quiet).
ALTER TABLE idempotency_records RENAME TO idempotency_records_old;
DROP INDEX idempotency_records_created;
CREATE TABLE idempotency_records (
    tenant_slug  TEXT NOT NULL,
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
    PRIMARY KEY (tenant_slug, principal, idem_key)
);
INSERT INTO idempotency_records
    SELECT 'national', principal, idem_key, request_hash, status, location, etag, content_type, body,
           created_at, committed
    FROM idempotency_records_old;
DROP TABLE idempotency_records_old;
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);
