"""DocumentRepository kept in a dict, for the embedded mode and tests."""

from __future__ import annotations

from askdocs.application.errors import NotFound
from askdocs.application.ports.documents import DocumentListing, DocumentQuery
from askdocs.domain.documents import Document


class InMemoryDocumentRepository:
    """Documents by id in process memory; lost when the process ends.

    Documents are immutable values, so storing the object itself is an atomic save and no
    reader can observe a half-written document.
    """

    def __init__(self) -> None:
        self._documents: dict[str, Document] = {}

    async def get(self, document_id: str) -> Document:
        try:
            return self._documents[document_id]
        except KeyError:
            raise NotFound(f"document {document_id} not found") from None

    async def save(self, document: Document) -> None:
        self._documents[document.id] = document

    async def find_live_by_content(self, content_hash: str) -> Document | None:
        for document in self._documents.values():
            current = document.current
            if not document.is_deleted and current and current.content_hash == content_hash:
                return document
        return None

    async def list(self, query: DocumentQuery) -> DocumentListing:
        wanted = set(query.tags)
        matching = [
            document
            for document in self._documents.values()
            if (query.include_deleted or not document.is_deleted)
            and wanted.issubset(document.tags)
            and (query.status is None or _newest_status(document) == query.status)
        ]
        # Two stable sorts: id ascending breaks ties between equal creation times.
        matching.sort(key=lambda d: d.id)
        matching.sort(key=lambda d: d.created_at, reverse=True)
        start = max(query.offset, 0)
        page = matching[start : start + max(query.limit, 0)]
        return DocumentListing(items=tuple(page), total=len(matching))


def _newest_status(document: Document) -> str | None:
    newest = document.newest
    return newest.status if newest else None
