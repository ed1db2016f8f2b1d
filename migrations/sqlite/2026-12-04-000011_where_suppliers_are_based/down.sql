ALTER TABLE suppliers DROP COLUMN based_in;
ALTER TABLE tenants DROP COLUMN area;
