-- Ingestion runs in workers: each version records how far it got, how often it was tried and
-- when it last moved, so a stalled one can be found and queued again.

ALTER TABLE document_versions
    ADD COLUMN pages_done  integer     NOT NULL DEFAULT 0 CHECK (pages_done >= 0),
    ADD COLUMN pages_total integer              CHECK (pages_total >= 0),
    ADD COLUMN attempts    integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN updated_at  timestamptz NOT NULL DEFAULT now();

-- The sweeper's scan: only versions still on their way, which are few.
CREATE INDEX document_versions_unsettled ON document_versions (updated_at)
    WHERE status IN ('queued', 'processing');
