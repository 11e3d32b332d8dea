"""SubmitDocument: take an upload, keep its bytes and queue it; the worker does the rest."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import Conflict, PayloadTooLarge
from askdocs.application.ports import (
    BlobStore,
    Clock,
    DocumentParser,
    DocumentRepository,
    IdGenerator,
    IngestionJob,
    Metrics,
)
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.documents import (
    Document,
    DocumentVersion,
    VersionStatus,
    content_digest,
    normalise_tags,
)
from askdocs.domain.principals import Principal


@dataclasses.dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file; `document_id` set means a new version of that document."""

    data: bytes
    filename: str
    principal: Principal
    tags: tuple[str, ...] = ()
    document_id: str | None = None
    source_url: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Submission:
    """The version an upload became; `created` is false when the same bytes were there."""

    document: Document
    version: DocumentVersion
    created: bool


@dataclasses.dataclass(frozen=True, slots=True)
class SubmitDocument:
    """Refuse what can be refused at once, store the bytes, record a queued version and its
    job in one atomic save.

    Only the cheap checks run here (size, and the type sniffed from the bytes): parsing may
    take long or go wrong, so it belongs to the worker, which ends the version `ready` or
    `failed` with a reason.

    Raises:
        PayloadTooLarge, UnsupportedMediaType, UnprocessableDocument (empty file): refused.
        NotFound: `document_id` names no document. Conflict: that document is deleted.
        UpstreamError: a store failed; nothing was recorded.
    """

    repository: DocumentRepository
    parser: DocumentParser
    blobs: BlobStore
    metrics: Metrics
    clock: Clock
    ids: IdGenerator
    max_bytes: int
    tracer: Tracer
    """Names the upload's trace in the job, for the worker's span to link to."""

    async def execute(self, upload: Upload) -> Submission:
        if len(upload.data) > self.max_bytes:
            raise PayloadTooLarge(
                f"the file is {len(upload.data)} bytes; the limit is {self.max_bytes}",
                limit_bytes=self.max_bytes,
            )
        media_type = self.parser.sniff(upload.data, filename=upload.filename)
        digest = content_digest(upload.data)
        document = await self._target(upload, digest)
        existing = document.same_bytes(digest) if document is not None else None
        if document is not None and existing is not None:
            return Submission(document, existing, created=False)
        # Bytes first: a version is only ever recorded once the worker can read its file.
        await self.blobs.put(digest, upload.data)
        if document is None:
            document = Document(
                id=self.ids.new_id(),
                name=upload.filename,
                created_at=self.clock.now(),
                author=upload.principal.subject,
                tags=normalise_tags(upload.tags),
            )
        version = DocumentVersion(
            number=document.next_version_number(),
            content_hash=digest,
            media_type=media_type,
            file_size=len(upload.data),
            uploaded_at=self.clock.now(),
            author=upload.principal.subject,
            status=VersionStatus.QUEUED,
            source_url=upload.source_url,
            file_name=upload.filename,
        )
        document = document.with_version(version)
        job = IngestionJob(document.id, version.number, traceparent=self.tracer.traceparent())
        await self.repository.save(document, jobs=[job])
        self.metrics.increment("documents_submitted", tags={"media_type": media_type})
        return Submission(document, version, created=True)

    async def _target(self, upload: Upload, digest: str) -> Document | None:
        if upload.document_id is None:
            return await self.repository.find_live_by_content(digest)
        document = await self.repository.get(upload.document_id)
        if document.is_deleted:
            raise Conflict(f"document {document.id} is deleted; restore it first")
        return document
