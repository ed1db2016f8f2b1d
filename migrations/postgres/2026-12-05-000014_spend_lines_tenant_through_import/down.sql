ALTER TABLE spend_lines ADD CONSTRAINT spend_lines_tenant_slug_fkey FOREIGN KEY (tenant_slug) REFERENCES tenants (slug);
