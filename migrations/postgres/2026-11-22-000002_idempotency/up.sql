-- Responses to creating POSTs sent with an Idempotency-Key, so a retried request is answered
-- with the first response instead of creating a second record. `status` is NULL while the first
-- request is still being processed.
CREATE TABLE idempotency_records (
    principal    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    location     TEXT,
    etag         TEXT,
    content_type TEXT,
    body         TEXT,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);
