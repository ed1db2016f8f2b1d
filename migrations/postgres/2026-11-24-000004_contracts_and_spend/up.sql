-- Each force's contracts register and spend, and the CSV imports they came from.
-- Every row here belongs to one tenant and carries it.

CREATE TABLE imports (
    id            TEXT PRIMARY KEY NOT NULL,
    tenant_slug   TEXT NOT NULL REFERENCES tenants (slug),
    kind          TEXT NOT NULL CHECK (kind IN ('contracts', 'spend')),
    sha256        TEXT NOT NULL,
    filename      TEXT,
    status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    rows_total    BIGINT NOT NULL,
    rows_written  BIGINT NOT NULL,
    rows_skipped  BIGINT NOT NULL,
    failure       TEXT,
    started_by    TEXT NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP
);
CREATE INDEX imports_tenant ON imports (tenant_slug, id);
-- The same file is applied once: a second completed import of it cannot exist.
CREATE UNIQUE INDEX imports_completed_file ON imports (tenant_slug, kind, sha256) WHERE status = 'completed';

CREATE TABLE contracts (
    id                     TEXT PRIMARY KEY NOT NULL,
    tenant_slug            TEXT NOT NULL REFERENCES tenants (slug),
    reference              TEXT NOT NULL,
    title                  TEXT NOT NULL,
    supplier_id            TEXT REFERENCES suppliers (id),
    supplier_name          TEXT NOT NULL,
    supplier_locality      TEXT NOT NULL CHECK (supplier_locality IN ('area', 'region', 'outside')),
    supplier_sme           BOOLEAN NOT NULL,
    supplier_vcse          BOOLEAN NOT NULL,
    category_slug          TEXT NOT NULL REFERENCES categories (slug),
    value_pence            BIGINT NOT NULL CHECK (value_pence >= 0),
    start_date             DATE NOT NULL,
    end_date               DATE NOT NULL,
    extension_options      TEXT,
    max_end_date           DATE,
    arrangement            TEXT NOT NULL CHECK (arrangement IN ('national_framework', 'collaborative', 'local')),
    framework_id           TEXT REFERENCES frameworks (id),
    lot_number             INTEGER,
    collaborative_partners TEXT NOT NULL,
    procurement_id         TEXT UNIQUE REFERENCES procurements (id),
    contract_manager       TEXT,
    kpis                   TEXT NOT NULL,
    savings_pence          BIGINT NOT NULL CHECK (savings_pence >= 0),
    terminated_on          DATE,
    import_id              TEXT REFERENCES imports (id),
    version                BIGINT NOT NULL DEFAULT 1,
    created_by             TEXT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    UNIQUE (tenant_slug, reference)
);
CREATE INDEX contracts_tenant ON contracts (tenant_slug, id);
CREATE INDEX contracts_end_date ON contracts (end_date);
CREATE INDEX contracts_supplier ON contracts (supplier_id);
CREATE INDEX contracts_framework ON contracts (framework_id);

CREATE TABLE spend_lines (
    id                TEXT PRIMARY KEY NOT NULL,
    tenant_slug       TEXT NOT NULL REFERENCES tenants (slug),
    import_id         TEXT NOT NULL REFERENCES imports (id),
    line_number       BIGINT NOT NULL,
    transaction_id    TEXT,
    paid_on           DATE NOT NULL,
    supplier_id       TEXT REFERENCES suppliers (id),
    supplier_name     TEXT NOT NULL,
    supplier_locality TEXT NOT NULL CHECK (supplier_locality IN ('area', 'region', 'outside')),
    supplier_sme      BOOLEAN NOT NULL,
    supplier_vcse     BOOLEAN NOT NULL,
    category_slug     TEXT REFERENCES categories (slug),
    amount_pence      BIGINT NOT NULL,
    contract_id       TEXT REFERENCES contracts (id),
    expense_type      TEXT,
    UNIQUE (tenant_slug, transaction_id)
);
CREATE INDEX spend_lines_tenant_paid ON spend_lines (tenant_slug, paid_on);
CREATE INDEX spend_lines_contract ON spend_lines (contract_id);
CREATE INDEX spend_lines_supplier ON spend_lines (supplier_id);
