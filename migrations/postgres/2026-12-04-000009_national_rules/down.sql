-- Decisions made by the national layer alone cannot be kept in the old shape.
DELETE FROM rule_decisions WHERE plugin_id IS NULL;
ALTER TABLE rule_decisions
    DROP CONSTRAINT rule_decisions_some_layer,
    DROP CONSTRAINT rule_decisions_national_layer,
    DROP CONSTRAINT rule_decisions_tenant_layer,
    DROP COLUMN national_decision,
    DROP COLUMN national_plugin_sha256,
    DROP COLUMN national_plugin_version,
    DROP COLUMN national_plugin_id,
    ALTER COLUMN decision SET NOT NULL,
    ALTER COLUMN plugin_sha256 SET NOT NULL,
    ALTER COLUMN plugin_version SET NOT NULL,
    ALTER COLUMN plugin_id SET NOT NULL;
DROP TABLE active_national_rule_plugin;
DROP TABLE national_rule_plugins;
