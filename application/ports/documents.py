"""Protocol: DocumentRepository, where documents and their versions are kept."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from askdocs.domain.documents import Document, VersionStatus


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentQuery:
    """Which documents to list, and which page of them."""

    tags: tuple[str, ...] = ()
    status: VersionStatus | None = None
    include_deleted: bool = False
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
        NotFound: `get` of an id that does not exist.
        UpstreamUnavailable, UpstreamTimeout: the store cannot be reached.
    """

    async def get(self, document_id: str) -> Document:
        """The document with every version, deleted or not."""
        ...

    async def save(self, document: Document) -> None:
        """Insert or replace the document and its versions, atomically."""
        ...

    async def find_live_by_content(self, content_hash: str) -> Document | None:
        """A live document whose current version has exactly these bytes."""
        ...

    async def list(self, query: DocumentQuery) -> DocumentListing:
        """Documents matching every tag in `query` (and its status), newest first."""
        ...
