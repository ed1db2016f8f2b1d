-- Decisions made by the national layer alone cannot be kept in the old shape. As in up.sql, the
-- table is renamed out of the way before its replacement is created under the final name.
DELETE FROM rule_decisions WHERE plugin_id IS NULL;
ALTER TABLE rule_decisions RENAME TO rule_decisions_new;
DROP INDEX rule_decisions_procurement;
CREATE TABLE rule_decisions (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_slug     TEXT NOT NULL REFERENCES tenants (slug),
    procurement_id  TEXT NOT NULL REFERENCES procurements (id),
    plugin_id       TEXT NOT NULL REFERENCES rule_plugins (id),
    plugin_version  BIGINT NOT NULL,
    plugin_sha256   TEXT NOT NULL,
    replay_of       TEXT REFERENCES rule_decisions (id),
    requested_by    TEXT NOT NULL,
    requested_at    TIMESTAMP NOT NULL,
    input           TEXT NOT NULL,
    decision        TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('compliant', 'non_compliant')),
    fuel_used       BIGINT NOT NULL,
    duration_micros BIGINT NOT NULL,
    procurement_version BIGINT
);
INSERT INTO rule_decisions SELECT id, tenant_slug, procurement_id, plugin_id, plugin_version,
    plugin_sha256, replay_of, requested_by, requested_at, input, decision, outcome, fuel_used,
    duration_micros, procurement_version FROM rule_decisions_new;
DROP TABLE rule_decisions_new;
CREATE INDEX rule_decisions_procurement ON rule_decisions (tenant_slug, procurement_id, id);
DROP TABLE active_national_rule_plugin;
DROP TABLE national_rule_plugins;
