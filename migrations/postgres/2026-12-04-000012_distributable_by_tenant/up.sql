-- Ready to distribute by tenant (Citus; docs/scaling.md). A distributed table is split by one
-- column, which must be in its primary key, in every unique key, and in every foreign key to
-- another distributed table, and which may never be NULL. Ours is `tenant_slug` on every table
-- that holds a tenant's data; the national catalogue tables stay keyed as they are and become
-- reference tables (copied to every node). Rows that belong to the national body rather than a
-- tenant (national audit events, the national team's webhooks and idempotency keys, notices about
-- frameworks) carry the scope 'national', a name no tenant may take.
--
-- Besides distribution, the composite keys make the database itself refuse a row that points at
-- another tenant's row (a decision on another force's procurement, a payment against another
-- force's contract).

-- Foreign keys between tenant tables go first: they hang on the single-column keys replaced below.
ALTER TABLE active_rule_plugins DROP CONSTRAINT active_rule_plugins_plugin_id_fkey;
ALTER TABLE rule_decisions
    DROP CONSTRAINT rule_decisions_procurement_id_fkey,
    DROP CONSTRAINT rule_decisions_plugin_id_fkey,
    DROP CONSTRAINT rule_decisions_replay_of_fkey;
ALTER TABLE contracts
    DROP CONSTRAINT contracts_procurement_id_fkey,
    DROP CONSTRAINT contracts_procurement_id_key,
    DROP CONSTRAINT contracts_import_id_fkey;
ALTER TABLE spend_lines
    DROP CONSTRAINT spend_lines_import_id_fkey,
    DROP CONSTRAINT spend_lines_contract_id_fkey;
ALTER TABLE webhook_deliveries
    DROP CONSTRAINT webhook_deliveries_subscription_id_fkey,
    DROP CONSTRAINT webhook_deliveries_tenant_slug_fkey;
-- 'national' is not a row of tenants.
ALTER TABLE webhook_subscriptions DROP CONSTRAINT webhook_subscriptions_tenant_slug_fkey;

-- The national scope instead of NULL.
UPDATE audit_events SET tenant_slug = 'national' WHERE tenant_slug IS NULL;
UPDATE webhook_subscriptions SET tenant_slug = 'national' WHERE tenant_slug IS NULL;
UPDATE webhook_deliveries SET tenant_slug = 'national' WHERE tenant_slug IS NULL;
ALTER TABLE audit_events ALTER COLUMN tenant_slug SET NOT NULL;
ALTER TABLE webhook_subscriptions ALTER COLUMN tenant_slug SET NOT NULL;
ALTER TABLE webhook_deliveries ALTER COLUMN tenant_slug SET NOT NULL;

-- Notices about a contract belong to its tenant; about a framework, to the national scope.
ALTER TABLE webhook_notices ADD COLUMN tenant_slug TEXT NOT NULL DEFAULT 'national';
UPDATE webhook_notices SET tenant_slug = contracts.tenant_slug
    FROM contracts WHERE webhook_notices.subject_id = contracts.id;
ALTER TABLE webhook_notices ALTER COLUMN tenant_slug DROP DEFAULT;

-- An idempotency key belongs to the tenant its caller acts for. Keys kept before this change do
-- not say which; they are placed in the national scope, so a tenant user's retry of a request made
-- before the upgrade is not recognised (keys are kept for 24 hours: upgrade when it is quiet).
ALTER TABLE idempotency_records ADD COLUMN tenant_slug TEXT NOT NULL DEFAULT 'national';
ALTER TABLE idempotency_records ALTER COLUMN tenant_slug DROP DEFAULT;

-- Primary keys lead with the tenant.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE idempotency_records DROP CONSTRAINT idempotency_records_pkey,
    ADD PRIMARY KEY (tenant_slug, principal, idem_key);
ALTER TABLE rule_plugins DROP CONSTRAINT rule_plugins_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE procurements DROP CONSTRAINT procurements_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE rule_decisions DROP CONSTRAINT rule_decisions_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE imports DROP CONSTRAINT imports_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE contracts DROP CONSTRAINT contracts_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE spend_lines DROP CONSTRAINT spend_lines_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE webhook_subscriptions DROP CONSTRAINT webhook_subscriptions_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_pkey, ADD PRIMARY KEY (tenant_slug, id);
ALTER TABLE webhook_notices DROP CONSTRAINT webhook_notices_pkey,
    ADD PRIMARY KEY (tenant_slug, event_type, subject_id, occasion);

-- The primary keys now serve these.
DROP INDEX procurements_tenant;
DROP INDEX imports_tenant;
DROP INDEX contracts_tenant;
DROP INDEX webhook_subscriptions_tenant;

-- Foreign keys between tenant tables carry the tenant on both sides.
ALTER TABLE active_rule_plugins ADD CONSTRAINT active_rule_plugins_plugin_fkey
    FOREIGN KEY (tenant_slug, plugin_id) REFERENCES rule_plugins (tenant_slug, id);
ALTER TABLE rule_decisions
    ADD CONSTRAINT rule_decisions_procurement_fkey
        FOREIGN KEY (tenant_slug, procurement_id) REFERENCES procurements (tenant_slug, id),
    ADD CONSTRAINT rule_decisions_plugin_fkey
        FOREIGN KEY (tenant_slug, plugin_id) REFERENCES rule_plugins (tenant_slug, id),
    ADD CONSTRAINT rule_decisions_replay_of_fkey
        FOREIGN KEY (tenant_slug, replay_of) REFERENCES rule_decisions (tenant_slug, id);
ALTER TABLE contracts
    ADD CONSTRAINT contracts_procurement_key UNIQUE (tenant_slug, procurement_id),
    ADD CONSTRAINT contracts_procurement_fkey
        FOREIGN KEY (tenant_slug, procurement_id) REFERENCES procurements (tenant_slug, id),
    ADD CONSTRAINT contracts_import_fkey
        FOREIGN KEY (tenant_slug, import_id) REFERENCES imports (tenant_slug, id);
ALTER TABLE spend_lines
    ADD CONSTRAINT spend_lines_import_fkey
        FOREIGN KEY (tenant_slug, import_id) REFERENCES imports (tenant_slug, id),
    ADD CONSTRAINT spend_lines_contract_fkey
        FOREIGN KEY (tenant_slug, contract_id) REFERENCES contracts (tenant_slug, id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_subscription_fkey
    FOREIGN KEY (tenant_slug, subscription_id) REFERENCES webhook_subscriptions (tenant_slug, id);
