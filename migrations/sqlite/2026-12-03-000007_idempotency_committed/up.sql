-- Set in the transaction of the request's own write, so a key whose response was never kept
-- (its instance stopped, or keeping it failed) is known to have done its work and is not run
-- a second time.
ALTER TABLE idempotency_records ADD COLUMN committed BOOLEAN NOT NULL DEFAULT FALSE;
