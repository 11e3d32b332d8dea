"""ReadOriginal: the bytes a version was uploaded as, to open where an answer cites it."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import NotFound
from askdocs.application.ports import BlobStore, DocumentRepository


@dataclasses.dataclass(frozen=True, slots=True)
class Original:
    """A version's stored file: its bytes, media type and the name it was uploaded under."""

    data: bytes
    media_type: str
    file_name: str


@dataclasses.dataclass(frozen=True, slots=True)
class ReadOriginal:
    """The stored original of one version of a live document.

    A deleted document's files are not served: its answers are withdrawn, and so are the
    links to them (restoring it serves them again).

    Raises:
        NotFound: no such document or version, the document is deleted, or its bytes are gone.
        UpstreamUnavailable: the blob store cannot be read.
    """

    repository: DocumentRepository
    blobs: BlobStore

    async def execute(self, document_id: str, number: int) -> Original:
        document = await self.repository.get(document_id)
        version = document.version(number)
        if version is None or document.is_deleted:
            raise NotFound(f"document {document_id} has no version {number} to read")
        data = await self.blobs.get(version.content_hash)
        return Original(data, version.media_type, version.file_name or document.name)
