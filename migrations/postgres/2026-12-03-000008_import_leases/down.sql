ALTER TABLE imports DROP COLUMN lease_expires_at;
ALTER TABLE imports DROP COLUMN owner;
