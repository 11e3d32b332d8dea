"""ListDocuments: one page of documents, filtered."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import InvalidInput
from askdocs.application.ports import DocumentListing, DocumentQuery, DocumentRepository

MAX_PAGE_SIZE = 200


@dataclasses.dataclass(frozen=True, slots=True)
class ListDocuments:
    """List documents by tags and status, newest first.

    Raises:
        InvalidInput: a negative offset or a page size outside 1..200.
    """

    repository: DocumentRepository

    async def execute(self, query: DocumentQuery) -> DocumentListing:
        if query.offset < 0 or not 1 <= query.limit <= MAX_PAGE_SIZE:
            raise InvalidInput(f"offset must be >= 0 and limit between 1 and {MAX_PAGE_SIZE}")
        return await self.repository.list(query)
