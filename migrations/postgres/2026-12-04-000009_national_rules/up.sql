-- The national rules layer: plugins a national_admin uploads and activates, run beside every
-- tenant's own plugin. National data, so no tenant column (a reference table when distributed).
CREATE TABLE national_rule_plugins (
    id                TEXT PRIMARY KEY NOT NULL,
    version           BIGINT NOT NULL UNIQUE,
    sha256            TEXT NOT NULL UNIQUE,
    wasm              BYTEA NOT NULL,
    size_bytes        BIGINT NOT NULL,
    name              TEXT NOT NULL,
    plugin_version    TEXT NOT NULL,
    interface_version TEXT NOT NULL,
    rules             TEXT NOT NULL,
    fixtures_total    INTEGER NOT NULL,
    fixtures_passed   INTEGER NOT NULL,
    fixture_report    TEXT NOT NULL,
    uploaded_by       TEXT NOT NULL,
    uploaded_at       TIMESTAMP NOT NULL
);

-- At most one row: the national version in force.
CREATE TABLE active_national_rule_plugin (
    layer        TEXT PRIMARY KEY NOT NULL CHECK (layer = 'national'),
    plugin_id    TEXT NOT NULL REFERENCES national_rule_plugins (id),
    activated_by TEXT NOT NULL,
    activated_at TIMESTAMP NOT NULL
);

-- A decision now records each layer that decided: the tenant's plugin (absent for a tenant with
-- none of its own, e.g. a fire service that has just joined) and the national one (absent for
-- decisions recorded before the layer existed).
ALTER TABLE rule_decisions
    ALTER COLUMN plugin_id DROP NOT NULL,
    ALTER COLUMN plugin_version DROP NOT NULL,
    ALTER COLUMN plugin_sha256 DROP NOT NULL,
    ALTER COLUMN decision DROP NOT NULL,
    ADD COLUMN national_plugin_id TEXT REFERENCES national_rule_plugins (id),
    ADD COLUMN national_plugin_version BIGINT,
    ADD COLUMN national_plugin_sha256 TEXT,
    ADD COLUMN national_decision TEXT,
    ADD CONSTRAINT rule_decisions_tenant_layer CHECK ((plugin_id IS NULL) = (decision IS NULL)),
    ADD CONSTRAINT rule_decisions_national_layer CHECK ((national_plugin_id IS NULL) = (national_decision IS NULL)),
    ADD CONSTRAINT rule_decisions_some_layer CHECK (plugin_id IS NOT NULL OR national_plugin_id IS NOT NULL);
