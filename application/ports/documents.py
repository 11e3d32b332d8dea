"""Protocol: DocumentRepository, where documents and their versions are kept."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from askdocs.application.ports.jobs import IngestionJob
from askdocs.domain.documents import Document, DocumentVersion, VersionStatus


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentQuery:
    """Which documents to list, and which page of them."""

    tags: tuple[str, ...] = ()
    status: VersionStatus | None = None
    include_deleted: bool = False
    text: str | None = None
    offset: int = 0
    limit: int = 50


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentListing:
    """One page of documents, newest first, and how many match in all."""

    items: tuple[Document, ...]
    total: int


class DocumentRepository(Protocol):
    """Protocol: documents with their versions, tags and deletion state.

    Raises:
        NotFound: `get` of an id that does not exist; `save_version` or `delete_version` of a
            version that does not exist.
        UpstreamUnavailable, UpstreamTimeout: the store cannot be reached, or is not set up
            (a database schema not migrated).
    """

    async def get(self, document_id: str) -> Document:
        """The document with every version, deleted or not."""
        ...

    async def save(self, document: Document, *, jobs: Sequence[IngestionJob] = ()) -> None:
        """Insert or replace the document's own fields, add its versions not stored yet, and
        queue `jobs`, atomically.

        Versions already stored are left as they are (workers move them on through
        `save_version`), so saving a document read a while ago never turns back a version's
        status. Either the new versions are stored and their jobs queued, or neither: a
        version is never left queued with no job to take it up.
        """
        ...

    async def save_version(
        self, document_id: str, version: DocumentVersion, *, jobs: Sequence[IngestionJob] = ()
    ) -> None:
        """Replace one stored version's status, progress, error and pages, leaving the rest of
        the document alone, and queue `jobs` in the same transaction."""
        ...

    async def delete_version(self, document_id: str, number: int) -> None:
        """Remove one version and its page list for good."""
        ...

    async def find_live_by_content(self, content_hash: str) -> Document | None:
        """A live document whose current version has exactly these bytes."""
        ...

    async def list(self, query: DocumentQuery) -> DocumentListing:
        """Documents matching every tag, the status of the newest version and the text in the
        name (case-insensitive), newest first."""
        ...
