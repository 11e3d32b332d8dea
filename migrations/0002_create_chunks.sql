-- Chunks are keyed by page content, never by version, and never updated after insert.
-- `embedding` has no fixed dimension so several embedding models can share the table; each
-- model gets its own partial HNSW expression index, created by the application on first use
-- (see PgVectorIndex), so changing the model needs no migration.

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE chunks (
    embedding_model text    NOT NULL,
    id              text    NOT NULL,
    document_id     text    NOT NULL,
    page_sha256     text    NOT NULL,
    ordinal         integer NOT NULL CHECK (ordinal >= 0),
    text            text    NOT NULL,
    token_count     integer NOT NULL CHECK (token_count >= 0),
    embedding       vector  NOT NULL,
    tsv             tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    PRIMARY KEY (embedding_model, id)
);
CREATE INDEX chunks_by_page ON chunks (document_id, page_sha256);
CREATE INDEX chunks_text ON chunks USING gin (tsv);

-- What retrieval may see: the pages of each live document's current version, replaced in
-- one transaction when a version becomes current, deleted on soft delete, restored on restore.
-- Kept apart from `chunks` so no HNSW-indexed row is ever updated.
CREATE TABLE live_documents (
    document_id text PRIMARY KEY,
    name        text    NOT NULL,
    version     integer NOT NULL,
    tags        text[]  NOT NULL DEFAULT '{}'
);
CREATE INDEX live_documents_tags ON live_documents USING gin (tags);

CREATE TABLE live_pages (
    document_id text    NOT NULL REFERENCES live_documents (document_id) ON DELETE CASCADE,
    page_sha256 text    NOT NULL,
    page_no     integer,
    PRIMARY KEY (document_id, page_sha256)
);
