-- The national rules layer: plugins a national_admin uploads and activates, run beside every
-- tenant's own plugin. National data, so no tenant column (a reference table when distributed).
CREATE TABLE national_rule_plugins (
    id                TEXT PRIMARY KEY NOT NULL,
    version           BIGINT NOT NULL UNIQUE,
    sha256            TEXT NOT NULL UNIQUE,
    wasm              BLOB NOT NULL,
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
-- decisions recorded before the layer existed). SQLite cannot drop NOT NULL in place, so the
-- table is rebuilt with the same rows. The old table is renamed out of the way first (which
-- carries its own replay_of reference with it), so the new one is created under its final name
-- and its replay_of refers to itself: dropping the old table then breaks no reference, with
-- foreign keys enforced, inside the migration's transaction.
ALTER TABLE rule_decisions RENAME TO rule_decisions_old;
DROP INDEX rule_decisions_procurement;
CREATE TABLE rule_decisions (
    id                      TEXT PRIMARY KEY NOT NULL,
    tenant_slug             TEXT NOT NULL REFERENCES tenants (slug),
    procurement_id          TEXT NOT NULL REFERENCES procurements (id),
    plugin_id               TEXT REFERENCES rule_plugins (id),
    plugin_version          BIGINT,
    plugin_sha256           TEXT,
    replay_of               TEXT REFERENCES rule_decisions (id),
    requested_by            TEXT NOT NULL,
    requested_at            TIMESTAMP NOT NULL,
    input                   TEXT NOT NULL,
    decision                TEXT,
    outcome                 TEXT NOT NULL CHECK (outcome IN ('compliant', 'non_compliant')),
    fuel_used               BIGINT NOT NULL,
    duration_micros         BIGINT NOT NULL,
    procurement_version     BIGINT,
    national_plugin_id      TEXT REFERENCES national_rule_plugins (id),
    national_plugin_version BIGINT,
    national_plugin_sha256  TEXT,
    national_decision       TEXT,
    CHECK ((plugin_id IS NULL) = (decision IS NULL)),
    CHECK ((national_plugin_id IS NULL) = (national_decision IS NULL)),
    CHECK (plugin_id IS NOT NULL OR national_plugin_id IS NOT NULL)
);
INSERT INTO rule_decisions (id, tenant_slug, procurement_id, plugin_id, plugin_version, plugin_sha256,
    replay_of, requested_by, requested_at, input, decision, outcome, fuel_used, duration_micros,
    procurement_version)
SELECT id, tenant_slug, procurement_id, plugin_id, plugin_version, plugin_sha256, replay_of,
    requested_by, requested_at, input, decision, outcome, fuel_used, duration_micros, procurement_version
FROM rule_decisions_old;
DROP TABLE rule_decisions_old;
CREATE INDEX rule_decisions_procurement ON rule_decisions (tenant_slug, procurement_id, id);
