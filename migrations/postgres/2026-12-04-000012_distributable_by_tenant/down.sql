ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_subscription_fkey;
ALTER TABLE spend_lines DROP CONSTRAINT spend_lines_import_fkey, DROP CONSTRAINT spend_lines_contract_fkey;
ALTER TABLE contracts
    DROP CONSTRAINT contracts_procurement_key,
    DROP CONSTRAINT contracts_procurement_fkey,
    DROP CONSTRAINT contracts_import_fkey;
ALTER TABLE rule_decisions
    DROP CONSTRAINT rule_decisions_procurement_fkey,
    DROP CONSTRAINT rule_decisions_plugin_fkey,
    DROP CONSTRAINT rule_decisions_replay_of_fkey;
ALTER TABLE active_rule_plugins DROP CONSTRAINT active_rule_plugins_plugin_fkey;

CREATE INDEX procurements_tenant ON procurements (tenant_slug, id);
CREATE INDEX imports_tenant ON imports (tenant_slug, id);
CREATE INDEX contracts_tenant ON contracts (tenant_slug, id);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_slug, id);

ALTER TABLE webhook_notices DROP CONSTRAINT webhook_notices_pkey, ADD PRIMARY KEY (event_type, subject_id, occasion);
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_pkey, ADD PRIMARY KEY (id);
ALTER TABLE webhook_subscriptions DROP CONSTRAINT webhook_subscriptions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE spend_lines DROP CONSTRAINT spend_lines_pkey, ADD PRIMARY KEY (id);
ALTER TABLE contracts DROP CONSTRAINT contracts_pkey, ADD PRIMARY KEY (id);
ALTER TABLE imports DROP CONSTRAINT imports_pkey, ADD PRIMARY KEY (id);
ALTER TABLE rule_decisions DROP CONSTRAINT rule_decisions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE procurements DROP CONSTRAINT procurements_pkey, ADD PRIMARY KEY (id);
ALTER TABLE rule_plugins DROP CONSTRAINT rule_plugins_pkey, ADD PRIMARY KEY (id);
ALTER TABLE idempotency_records DROP CONSTRAINT idempotency_records_pkey, ADD PRIMARY KEY (principal, idem_key);
ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey, ADD PRIMARY KEY (id);

ALTER TABLE idempotency_records DROP COLUMN tenant_slug;
ALTER TABLE webhook_notices DROP COLUMN tenant_slug;

ALTER TABLE audit_events ALTER COLUMN tenant_slug DROP NOT NULL;
ALTER TABLE webhook_subscriptions ALTER COLUMN tenant_slug DROP NOT NULL;
ALTER TABLE webhook_deliveries ALTER COLUMN tenant_slug DROP NOT NULL;
UPDATE audit_events SET tenant_slug = NULL WHERE tenant_slug = 'national';
UPDATE webhook_subscriptions SET tenant_slug = NULL WHERE tenant_slug = 'national';
UPDATE webhook_deliveries SET tenant_slug = NULL WHERE tenant_slug = 'national';

ALTER TABLE webhook_subscriptions ADD CONSTRAINT webhook_subscriptions_tenant_slug_fkey
    FOREIGN KEY (tenant_slug) REFERENCES tenants (slug);
ALTER TABLE webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_slug_fkey FOREIGN KEY (tenant_slug) REFERENCES tenants (slug),
    ADD CONSTRAINT webhook_deliveries_subscription_id_fkey
        FOREIGN KEY (subscription_id) REFERENCES webhook_subscriptions (id);
ALTER TABLE spend_lines
    ADD CONSTRAINT spend_lines_import_id_fkey FOREIGN KEY (import_id) REFERENCES imports (id),
    ADD CONSTRAINT spend_lines_contract_id_fkey FOREIGN KEY (contract_id) REFERENCES contracts (id);
ALTER TABLE contracts
    ADD CONSTRAINT contracts_procurement_id_key UNIQUE (procurement_id),
    ADD CONSTRAINT contracts_procurement_id_fkey FOREIGN KEY (procurement_id) REFERENCES procurements (id),
    ADD CONSTRAINT contracts_import_id_fkey FOREIGN KEY (import_id) REFERENCES imports (id);
ALTER TABLE rule_decisions
    ADD CONSTRAINT rule_decisions_procurement_id_fkey FOREIGN KEY (procurement_id) REFERENCES procurements (id),
    ADD CONSTRAINT rule_decisions_plugin_id_fkey FOREIGN KEY (plugin_id) REFERENCES rule_plugins (id),
    ADD CONSTRAINT rule_decisions_replay_of_fkey FOREIGN KEY (replay_of) REFERENCES rule_decisions (id);
ALTER TABLE active_rule_plugins ADD CONSTRAINT active_rule_plugins_plugin_id_fkey
    FOREIGN KEY (plugin_id) REFERENCES rule_plugins (id);
