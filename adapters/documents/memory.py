"""DocumentRepository kept in a dict, for the embedded mode and tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from askdocs.application.errors import NotFound
from askdocs.application.ports import IngestionJob, JobQueue
from askdocs.application.ports.documents import DocumentListing, DocumentQuery
from askdocs.domain.documents import Document, DocumentVersion


class InMemoryDocumentRepository:
    """Documents by id in process memory; lost when the process ends.

    Documents are immutable values, so storing the object itself is an atomic save and no
    reader can observe a half-written document. Jobs go to the in-process queue right after
    the save, with no await in between, so nothing can fail between the two.
    """

    def __init__(self, jobs: JobQueue | None = None) -> None:
        self._documents: dict[str, Document] = {}
        self._jobs = jobs

    async def get(self, document_id: str) -> Document:
        try:
            return self._documents[document_id]
        except KeyError:
            raise NotFound(f"document {document_id} not found") from None

    async def save(self, document: Document, *, jobs: Sequence[IngestionJob] = ()) -> None:
        stored = self._documents.get(document.id)
        if stored is not None:
            kept = {v.number for v in stored.versions}
            added = tuple(v for v in document.versions if v.number not in kept)
            versions = tuple(sorted((*stored.versions, *added), key=lambda v: v.number))
            document = dataclasses.replace(document, versions=versions)
        self._documents[document.id] = document
        await self._enqueue(jobs)

    async def save_version(
        self, document_id: str, version: DocumentVersion, *, jobs: Sequence[IngestionJob] = ()
    ) -> None:
        document = await self.get(document_id)
        if document.version(version.number) is None:
            raise NotFound(f"document {document_id} has no version {version.number}")
        self._documents[document_id] = document.with_version_replaced(version)
        await self._enqueue(jobs)

    async def delete_version(self, document_id: str, number: int) -> None:
        document = await self.get(document_id)
        if document.version(number) is None:
            raise NotFound(f"document {document_id} has no version {number}")
        self._documents[document_id] = document.without_version(number)

    async def find_live_by_content(self, content_hash: str) -> Document | None:
        for document in self._documents.values():
            if not document.is_deleted and document.same_bytes(content_hash) is not None:
                return document
        return None

    async def list(self, query: DocumentQuery) -> DocumentListing:
        wanted = set(query.tags)
        text = query.text.casefold() if query.text else None
        matching = [
            document
            for document in self._documents.values()
            if (query.include_deleted or not document.is_deleted)
            and wanted.issubset(document.tags)
            and (query.status is None or _newest_status(document) == query.status)
            and (text is None or text in document.name.casefold())
        ]
        # Two stable sorts: id ascending breaks ties between equal creation times.
        matching.sort(key=lambda d: d.id)
        matching.sort(key=lambda d: d.created_at, reverse=True)
        start = max(query.offset, 0)
        page = matching[start : start + max(query.limit, 0)]
        return DocumentListing(items=tuple(page), total=len(matching))

    async def _enqueue(self, jobs: Sequence[IngestionJob]) -> None:
        if jobs and self._jobs is not None:
            await self._jobs.enqueue(jobs)


def _newest_status(document: Document) -> str | None:
    newest = document.newest
    return newest.status if newest else None
