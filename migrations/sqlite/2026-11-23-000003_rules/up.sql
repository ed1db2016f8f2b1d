-- Force rules: plugin versions (content-addressed WebAssembly), each tenant's active version,
-- procurements, and the decision log. Every row here belongs to one tenant and carries it.

CREATE TABLE rule_plugins (
    id                TEXT PRIMARY KEY NOT NULL,
    tenant_slug       TEXT NOT NULL REFERENCES tenants (slug),
    version           BIGINT NOT NULL,
    sha256            TEXT NOT NULL,
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
    uploaded_at       TIMESTAMP NOT NULL,
    UNIQUE (tenant_slug, version),
    UNIQUE (tenant_slug, sha256)
);

CREATE TABLE active_rule_plugins (
    tenant_slug  TEXT PRIMARY KEY NOT NULL REFERENCES tenants (slug),
    plugin_id    TEXT NOT NULL REFERENCES rule_plugins (id),
    activated_by TEXT NOT NULL,
    activated_at TIMESTAMP NOT NULL
);

CREATE TABLE procurements (
    id                         TEXT PRIMARY KEY NOT NULL,
    tenant_slug                TEXT NOT NULL REFERENCES tenants (slug),
    reference                  TEXT NOT NULL,
    title                      TEXT NOT NULL,
    value_pence                BIGINT NOT NULL CHECK (value_pence >= 0),
    vat                        TEXT NOT NULL CHECK (vat IN ('exclusive', 'inclusive', 'exempt')),
    contract_type              TEXT NOT NULL CHECK (contract_type IN ('goods', 'services', 'works')),
    category_slug              TEXT NOT NULL REFERENCES categories (slug),
    route                      TEXT NOT NULL,
    quotes                     TEXT NOT NULL,
    weight_price_bp            INTEGER,
    weight_quality_bp          INTEGER,
    weight_social_value_bp     INTEGER,
    social_value_relevant      BOOLEAN NOT NULL,
    framework_id               TEXT REFERENCES frameworks (id),
    lot_number                 INTEGER,
    published                  BOOLEAN NOT NULL,
    market_engagement_evidence TEXT,
    last_outcome               TEXT,
    version                    BIGINT NOT NULL DEFAULT 1,
    created_by                 TEXT NOT NULL,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL,
    UNIQUE (tenant_slug, reference)
);
CREATE INDEX procurements_tenant ON procurements (tenant_slug, id);

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
    duration_micros BIGINT NOT NULL
);
CREATE INDEX rule_decisions_procurement ON rule_decisions (tenant_slug, procurement_id, id);
