"""DocumentRepository on PostgreSQL: documents, document_versions and version_pages.

A save is one transaction of at most three statements, whatever the page count: the document
row, every version row through one `unnest`, and the pages of versions that have none stored
yet through another. Reads run in one read-only REPEATABLE READ transaction so a document and
its versions come from the same snapshot, and load every version with its pages in one query.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence

from askdocs.adapters.documents._rows import (
    Row,
    document_from_row,
    document_params,
    page_arrays,
    version_arrays,
    version_from_row,
)
from askdocs.adapters.jobs.pgqueuer_queue import PgQueuerJobQueue
from askdocs.adapters.postgres.database import Connection, PostgresDatabase
from askdocs.application.errors import NotFound
from askdocs.application.ports import IngestionJob, JobQueue
from askdocs.application.ports.documents import DocumentListing, DocumentQuery
from askdocs.domain.documents import Document, DocumentVersion

_UPSERT_DOCUMENT = """
INSERT INTO documents (id, name, author, tags, created_at, deleted_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name, author = EXCLUDED.author, tags = EXCLUDED.tags,
    created_at = EXCLUDED.created_at, deleted_at = EXCLUDED.deleted_at
"""
# Versions already stored are left alone: their status moves only through `save_version`, so a
# document read a while ago never turns a version back. The new ones come back, to store pages.
_INSERT_VERSIONS = """
INSERT INTO document_versions AS v (document_id, version, content_hash, media_type, file_size,
    paginated, uploaded_at, author, source_url, status, error, pages_done, pages_total, attempts,
    file_name)
SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::bigint[], $6::boolean[],
    $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[], $12::integer[],
    $13::integer[], $14::integer[], $15::text[])
ON CONFLICT (document_id, version) DO NOTHING
RETURNING v.version
"""
_UPDATE_VERSION = """
UPDATE document_versions SET
    status = $3, error = $4, media_type = $5, paginated = $6, pages_done = $7,
    pages_total = $8, attempts = $9, updated_at = now()
WHERE document_id = $1 AND version = $2
RETURNING EXISTS (
    SELECT 1 FROM version_pages p WHERE p.document_id = $1 AND p.version = $2
) AS has_pages
"""
_DELETE_VERSION = "DELETE FROM document_versions WHERE document_id = $1 AND version = $2"
# A version's pages never change once stored, so existing rows are left alone.
_INSERT_PAGES = """
INSERT INTO version_pages (document_id, version, page_no, page_sha256)
SELECT $1, * FROM unnest($2::integer[], $3::integer[], $4::text[])
ON CONFLICT DO NOTHING
"""
_SELECT_DOCUMENT = """
SELECT id, name, author, tags, created_at, deleted_at FROM documents WHERE id = $1
"""
_SELECT_VERSIONS = """
SELECT v.*, p.page_nos, p.digests
FROM document_versions v
CROSS JOIN LATERAL (
    SELECT array_agg(page_no ORDER BY page_no) AS page_nos,
           array_agg(page_sha256 ORDER BY page_no) AS digests
    FROM version_pages vp WHERE vp.document_id = v.document_id AND vp.version = v.version
) p
WHERE v.document_id = ANY($1::text[])
ORDER BY v.document_id, v.version
"""
# What a re-upload of these bytes amounts to: a live document whose current version (the newest
# ready one) has them, or a newer version of it still queued or processing.
_SELECT_LIVE_BY_CONTENT = """
SELECT d.id, d.name, d.author, d.tags, d.created_at, d.deleted_at
FROM document_versions v JOIN documents d ON d.id = v.document_id
WHERE v.content_hash = $1 AND v.status IN ('ready', 'queued', 'processing')
  AND d.deleted_at IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM document_versions newer
    WHERE newer.document_id = v.document_id AND newer.status = 'ready' AND newer.version > v.version
  )
ORDER BY d.created_at, d.id COLLATE "C"
LIMIT 1
"""
# The count comes from a one-row subquery joined to the page, so it arrives even when the page
# is empty. COLLATE "C" orders ids by code point, as Python's sort does, whatever the database.
_SELECT_PAGE = """
WITH matching AS (
    SELECT d.id, d.name, d.author, d.tags, d.created_at, d.deleted_at
    FROM documents d
    WHERE ($1::boolean OR d.deleted_at IS NULL)
      AND d.tags @> $2::text[]
      AND ($3::text IS NULL OR $3::text = (
        SELECT v.status FROM document_versions v
        WHERE v.document_id = d.id ORDER BY v.version DESC LIMIT 1
      ))
      AND ($6::text IS NULL OR lower(d.name) LIKE '%' || $6::text || '%' ESCAPE '\\')
)
SELECT page.*, total.n AS total
FROM (SELECT count(*) AS n FROM matching) total
LEFT JOIN LATERAL (
    SELECT * FROM matching ORDER BY created_at DESC, id COLLATE "C" OFFSET $4 LIMIT $5
) page ON true
ORDER BY page.created_at DESC, page.id COLLATE "C"
"""


class PostgresDocumentRepository:
    """Documents in PostgreSQL; an unreachable, slow or unmigrated database raises UpstreamError."""

    def __init__(self, database: PostgresDatabase, jobs: JobQueue | None = None) -> None:
        self._database = database
        self._jobs = jobs

    async def get(self, document_id: str) -> Document:
        async with self._snapshot() as connection:
            row = await connection.fetchrow(_SELECT_DOCUMENT, document_id)
            if row is None:
                raise NotFound(f"document {document_id} not found")
            (document,) = await _with_versions(connection, [row])
        return document

    async def save(self, document: Document, *, jobs: Sequence[IngestionJob] = ()) -> None:
        async with self._database.transaction() as connection:
            await connection.execute(_UPSERT_DOCUMENT, *document_params(document))
            if document.versions:
                stored = await connection.fetch(
                    _INSERT_VERSIONS, document.id, *version_arrays(document.versions)
                )
                added = {row["version"] for row in stored}
                paged = [v for v in document.versions if v.pages and v.number in added]
                if paged:
                    await connection.execute(_INSERT_PAGES, document.id, *page_arrays(paged))
            await self._enqueue_within(connection, jobs)
        await self._enqueue_after(jobs)

    async def save_version(
        self, document_id: str, version: DocumentVersion, *, jobs: Sequence[IngestionJob] = ()
    ) -> None:
        async with self._database.transaction() as connection:
            has_pages = await connection.fetchval(
                _UPDATE_VERSION,
                document_id,
                version.number,
                version.status.value,
                version.error,
                version.media_type,
                version.paginated,
                version.pages_done,
                version.pages_total,
                version.attempts,
            )
            if has_pages is None:
                raise NotFound(f"document {document_id} has no version {version.number}")
            if version.pages and not has_pages:
                await connection.execute(_INSERT_PAGES, document_id, *page_arrays([version]))
            await self._enqueue_within(connection, jobs)
        await self._enqueue_after(jobs)

    async def delete_version(self, document_id: str, number: int) -> None:
        async with self._database.connection() as connection:
            deleted = await connection.execute(_DELETE_VERSION, document_id, number)
        if deleted == "DELETE 0":
            raise NotFound(f"document {document_id} has no version {number}")

    async def _enqueue_within(self, connection: Connection, jobs: Sequence[IngestionJob]) -> None:
        if jobs and isinstance(self._jobs, PgQueuerJobQueue):
            await self._jobs.enqueue_within(connection, jobs)

    async def _enqueue_after(self, jobs: Sequence[IngestionJob]) -> None:
        # A queue elsewhere cannot join the transaction; the sweeper covers a crash between.
        if jobs and self._jobs is not None and not isinstance(self._jobs, PgQueuerJobQueue):
            await self._jobs.enqueue(jobs)

    async def find_live_by_content(self, content_hash: str) -> Document | None:
        async with self._snapshot() as connection:
            row = await connection.fetchrow(_SELECT_LIVE_BY_CONTENT, content_hash)
            if row is None:
                return None
            (document,) = await _with_versions(connection, [row])
        return document

    async def list(self, query: DocumentQuery) -> DocumentListing:
        status = query.status.value if query.status is not None else None
        offset, limit = max(query.offset, 0), max(query.limit, 0)
        async with self._snapshot() as connection:
            rows = await connection.fetch(
                _SELECT_PAGE,
                query.include_deleted,
                list(query.tags),
                status,
                offset,
                limit,
                _like_pattern(query.text),
            )
            found = [row for row in rows if row["id"] is not None]
            items = await _with_versions(connection, found)
        return DocumentListing(items=tuple(items), total=rows[0]["total"])

    @contextlib.asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[Connection]:
        async with (
            self._database.connection() as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield connection


async def _with_versions(connection: Connection, rows: Sequence[Row]) -> list[Document]:
    """Documents for these rows, in their order, with versions loaded in one query."""
    if not rows:
        return []
    versions: defaultdict[str, list[DocumentVersion]] = defaultdict(list)
    for row in await connection.fetch(_SELECT_VERSIONS, [row["id"] for row in rows]):
        versions[row["document_id"]].append(version_from_row(row))
    return [document_from_row(row, versions[row["id"]]) for row in rows]


def _like_pattern(text: str | None) -> str | None:
    """`text` lower-cased with LIKE's wildcards escaped, so they match themselves."""
    if not text:
        return None
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
