-- "Local" means where a supplier is based, not the regions it serves: a supplier records the
-- police force area it is based in (its region follows from the area), and a tenant the area it
-- serves. Both are optional; without them a supplier is local to no one.
ALTER TABLE tenants ADD COLUMN area TEXT;
ALTER TABLE suppliers ADD COLUMN based_in TEXT;
