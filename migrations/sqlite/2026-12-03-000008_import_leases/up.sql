-- A running import belongs to the instance writing it, which renews its lease while it runs.
-- Another instance marks it failed only once the lease has run out (its owner died), so many
-- instances can share one database without failing each other's imports.
ALTER TABLE imports ADD COLUMN owner TEXT;
ALTER TABLE imports ADD COLUMN lease_expires_at TIMESTAMP;
