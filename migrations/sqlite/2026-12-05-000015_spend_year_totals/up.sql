-- A tenant's spend per financial year (1 April to 31 March, named by the year of its April), by
-- contract, supplier and category: what the national reports sum. Kept as spend is imported, in
-- the import's transaction, so a national report over whole years reads these rows instead of
-- grouping every line of the period (1,000,000 lines: about a second on either database).
-- Derived data: it holds no key to contracts or suppliers; '' stands for "none" because a key
-- column cannot be NULL.
CREATE TABLE spend_year_totals (
    tenant_slug    TEXT NOT NULL REFERENCES tenants (slug),
    financial_year INTEGER NOT NULL,
    contract_id    TEXT NOT NULL,
    supplier_id    TEXT NOT NULL,
    supplier_name  TEXT NOT NULL,
    category_slug  TEXT NOT NULL,
    amount_pence   BIGINT NOT NULL,
    lines          BIGINT NOT NULL,
    PRIMARY KEY (tenant_slug, financial_year, contract_id, supplier_id, supplier_name, category_slug)
) WITHOUT ROWID;

INSERT INTO spend_year_totals
SELECT tenant_slug,
       CAST(strftime('%Y', paid_on) AS INTEGER) - (CAST(strftime('%m', paid_on) AS INTEGER) < 4),
       COALESCE(contract_id, ''), COALESCE(supplier_id, ''), supplier_name, COALESCE(category_slug, ''),
       SUM(amount_pence), COUNT(*)
FROM spend_lines
GROUP BY 1, 2, 3, 4, 5, 6;
