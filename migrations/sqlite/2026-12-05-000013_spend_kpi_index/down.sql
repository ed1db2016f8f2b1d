CREATE INDEX spend_lines_tenant_paid ON spend_lines (tenant_slug, paid_on);
DROP INDEX spend_lines_tenant_paid_kpi;
