"""Mapping between asyncpg rows or column arrays and the document domain types."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import asyncpg

from askdocs.domain.documents import Document, DocumentVersion, PageRef, VersionStatus

Row: TypeAlias = asyncpg.Record


def document_params(document: Document) -> tuple[object, ...]:
    """The `documents` row, in the order of its columns."""
    return (
        document.id,
        document.name,
        document.author,
        list(document.tags),
        document.created_at,
        document.deleted_at,
    )


def version_arrays(versions: Sequence[DocumentVersion]) -> tuple[list[Any], ...]:
    """One array per `document_versions` column (after document_id), for a single unnest."""
    return (
        [v.number for v in versions],
        [v.content_hash for v in versions],
        [v.media_type for v in versions],
        [v.file_size for v in versions],
        [v.paginated for v in versions],
        [v.uploaded_at for v in versions],
        [v.author for v in versions],
        [v.source_url for v in versions],
        [v.status.value for v in versions],
        [v.error for v in versions],
        [v.pages_done for v in versions],
        [v.pages_total for v in versions],
        [v.attempts for v in versions],
        [v.file_name for v in versions],
    )


def page_arrays(versions: Iterable[DocumentVersion]) -> tuple[list[int], list[int], list[str]]:
    """The `version_pages` rows of these versions as three parallel arrays."""
    numbers: list[int] = []
    page_nos: list[int] = []
    digests: list[str] = []
    for version in versions:
        for ref in version.pages:
            numbers.append(version.number)
            page_nos.append(ref.number)
            digests.append(ref.sha256)
    return numbers, page_nos, digests


def version_from_row(row: Row) -> DocumentVersion:
    """A version from a row of the versions query, its pages aggregated into two arrays."""
    page_nos: list[int] = row["page_nos"] or []
    digests: list[str] = row["digests"] or []
    return DocumentVersion(
        number=row["version"],
        content_hash=row["content_hash"],
        media_type=row["media_type"],
        file_size=row["file_size"],
        uploaded_at=row["uploaded_at"],
        author=row["author"],
        pages=tuple(PageRef(number=n, sha256=s) for n, s in zip(page_nos, digests, strict=True)),
        paginated=row["paginated"],
        status=VersionStatus(row["status"]),
        error=row["error"],
        source_url=row["source_url"],
        pages_done=row["pages_done"],
        pages_total=row["pages_total"],
        attempts=row["attempts"],
        file_name=row["file_name"],
    )


def document_from_row(row: Row, versions: Sequence[DocumentVersion]) -> Document:
    """A document from its `documents` row and its versions, oldest first."""
    return Document(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        author=row["author"],
        tags=tuple(row["tags"]),
        versions=tuple(versions),
        deleted_at=row["deleted_at"],
    )
