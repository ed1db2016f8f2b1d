-- National catalogue: tenants, categories, suppliers, frameworks, lots, awards, audit.
-- Money is whole pence (BIGINT); lists of values are JSON text; timestamps are UTC.

CREATE TABLE tenants (
    slug        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('police', 'fire', 'national')),
    region      TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    slug            TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    parent_slug     TEXT REFERENCES categories (slug),
    description     TEXT NOT NULL,
    cpv_codes       TEXT NOT NULL,
    joint_with_fire BOOLEAN NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX categories_parent ON categories (parent_slug);

CREATE TABLE suppliers (
    id                     TEXT PRIMARY KEY NOT NULL,
    name                   TEXT NOT NULL UNIQUE,
    companies_house_number TEXT UNIQUE,
    sme                    BOOLEAN NOT NULL,
    vcse                   BOOLEAN NOT NULL,
    regions                TEXT NOT NULL,
    strategic              BOOLEAN NOT NULL,
    contacts               TEXT NOT NULL,
    evidence               TEXT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);

-- What BlueLight Commercial manages about a strategic supplier; one row per strategic supplier.
CREATE TABLE strategic_profiles (
    supplier_id                  TEXT PRIMARY KEY NOT NULL REFERENCES suppliers (id),
    risk_rating                  TEXT CHECK (risk_rating IN ('red', 'amber', 'green')),
    modern_slavery_statement_url TEXT,
    modern_slavery_risk_tier     TEXT CHECK (modern_slavery_risk_tier IN ('low', 'medium', 'high')),
    code_of_ethics_signed_on     DATE,
    contingency_plan_summary     TEXT,
    exit_plan_summary            TEXT,
    social_value_commitments     TEXT NOT NULL
);

CREATE TABLE supplier_risk_changes (
    id              TEXT PRIMARY KEY NOT NULL,
    supplier_id     TEXT NOT NULL REFERENCES suppliers (id),
    rating          TEXT NOT NULL CHECK (rating IN ('red', 'amber', 'green')),
    previous_rating TEXT CHECK (previous_rating IN ('red', 'amber', 'green')),
    reason          TEXT NOT NULL,
    changed_by      TEXT NOT NULL,
    changed_at      TIMESTAMP NOT NULL
);
CREATE INDEX supplier_risk_changes_supplier ON supplier_risk_changes (supplier_id, changed_at);

CREATE TABLE supplier_kpi_scores (
    id          TEXT PRIMARY KEY NOT NULL,
    supplier_id TEXT NOT NULL REFERENCES suppliers (id),
    period      TEXT NOT NULL,
    name        TEXT NOT NULL,
    score       INTEGER NOT NULL,
    target      INTEGER,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (supplier_id, period, name)
);

CREATE TABLE frameworks (
    id                TEXT PRIMARY KEY NOT NULL,
    reference         TEXT NOT NULL UNIQUE,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    owning_body       TEXT NOT NULL,
    category_slug     TEXT NOT NULL REFERENCES categories (slug),
    start_date        DATE,
    end_date          DATE,
    max_end_date      DATE,
    extension_options TEXT,
    max_value_pence   BIGINT,
    eligibility       TEXT NOT NULL CHECK (eligibility IN ('police', 'fire', 'both')),
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX frameworks_category ON frameworks (category_slug);
CREATE INDEX frameworks_end_date ON frameworks (end_date);

CREATE TABLE lots (
    id                  TEXT PRIMARY KEY NOT NULL,
    framework_id        TEXT NOT NULL REFERENCES frameworks (id),
    number              INTEGER NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    direct_award        BOOLEAN NOT NULL,
    further_competition BOOLEAN NOT NULL,
    min_value_pence     BIGINT,
    max_value_pence     BIGINT,
    UNIQUE (framework_id, number)
);

CREATE TABLE lot_suppliers (
    lot_id      TEXT NOT NULL REFERENCES lots (id),
    supplier_id TEXT NOT NULL REFERENCES suppliers (id),
    status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'excluded')),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (lot_id, supplier_id)
);
CREATE INDEX lot_suppliers_supplier ON lot_suppliers (supplier_id);

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
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id);
