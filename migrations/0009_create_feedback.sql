-- What people thought of answers: a rating (up or down) and an optional comment per answer,
-- by the answer's trace id (the X-Request-ID of the chat that gave it). Rows are only added.

CREATE TABLE feedback (
    id         text        PRIMARY KEY,
    trace_id   text        NOT NULL,
    rating     text        NOT NULL CHECK (rating IN ('up', 'down')),
    comment    text        NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    subject    text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX feedback_newest ON feedback (created_at DESC, id DESC);
CREATE INDEX feedback_by_trace ON feedback (trace_id);
