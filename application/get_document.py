"""GetDocument: one document with all its versions."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import NotFound
from askdocs.application.ports import DocumentRepository
from askdocs.domain.documents import Document, DocumentVersion


@dataclasses.dataclass(frozen=True, slots=True)
class GetDocument:
    """Read a document, or one of its versions.

    Raises:
        NotFound: no such document, or no such version of it.
    """

    repository: DocumentRepository

    async def execute(self, document_id: str) -> Document:
        return await self.repository.get(document_id)

    async def version(self, document_id: str, number: int) -> DocumentVersion:
        version = (await self.repository.get(document_id)).version(number)
        if version is None:
            raise NotFound(f"document {document_id} has no version {number}")
        return version
