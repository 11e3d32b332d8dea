-- The audit trail: one row per authenticated write (upload, new version, change, delete,
-- restore, retry, key create and revoke, feedback), whatever its outcome. Rows are only added.

CREATE TABLE audit_events (
    id         text        PRIMARY KEY,
    at         timestamptz NOT NULL,
    subject    text        NOT NULL,
    role       text        NOT NULL,
    action     text        NOT NULL,
    target     text        NOT NULL,
    client_ip  text        NOT NULL,
    outcome    text        NOT NULL CHECK (outcome IN ('succeeded', 'refused', 'failed')),
    status     integer     NOT NULL,
    request_id text        NOT NULL
);
CREATE INDEX audit_events_newest ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_by_subject ON audit_events (subject, at DESC);
