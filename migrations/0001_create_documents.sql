-- Documents, their versions and the pages each version has.
-- Page numbers are 1-based positions in the file; a page is identified by the SHA-256 of its text.

CREATE TABLE documents (
    id          text PRIMARY KEY,
    name        text        NOT NULL,
    author      text        NOT NULL,
    tags        text[]      NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL,
    deleted_at  timestamptz
);
CREATE INDEX documents_newest_first ON documents (created_at DESC, id);
CREATE INDEX documents_tags ON documents USING gin (tags);

CREATE TABLE document_versions (
    document_id  text        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    version      integer     NOT NULL CHECK (version > 0),
    content_hash text        NOT NULL,
    media_type   text        NOT NULL,
    file_size    bigint      NOT NULL CHECK (file_size >= 0),
    paginated    boolean     NOT NULL,
    uploaded_at  timestamptz NOT NULL,
    author       text        NOT NULL,
    source_url   text,
    status       text        NOT NULL CHECK (status IN ('queued', 'processing', 'ready', 'failed')),
    error        text,
    PRIMARY KEY (document_id, version)
);
CREATE INDEX document_versions_content ON document_versions (content_hash);

CREATE TABLE version_pages (
    document_id text    NOT NULL,
    version     integer NOT NULL,
    page_no     integer NOT NULL CHECK (page_no > 0),
    page_sha256 text    NOT NULL,
    PRIMARY KEY (document_id, version, page_no),
    FOREIGN KEY (document_id, version)
        REFERENCES document_versions (document_id, version) ON DELETE CASCADE
);

CREATE TABLE api_keys (
    token_sha256 text PRIMARY KEY,
    role         text        NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
