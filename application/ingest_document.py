"""IngestDocument: submit and ingest at once, without a worker, for callers that wait."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import RetryLater, UnprocessableDocument
from askdocs.application.ports import IngestionJob, JobAttempt
from askdocs.application.process_ingestion import ProcessIngestion
from askdocs.application.submit_document import SubmitDocument, Upload
from askdocs.domain.documents import Document, DocumentVersion, VersionStatus

__all__ = ["IngestDocument", "IngestReport", "Upload"]


@dataclasses.dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingestion did: `created` is false when the bytes were already there."""

    document: Document
    version: DocumentVersion
    created: bool
    pages_reused: int
    pages_embedded: int
    chunks_embedded: int


@dataclasses.dataclass(frozen=True, slots=True)
class IngestDocument:
    """The upload path and the worker's job back to back, in the caller's task.

    For programs that embed askdocs and want a document searchable when the call returns,
    and for loading evaluation corpora. The job is queued too, as on every upload; a worker
    that takes it up later finds the version settled and leaves it alone. Re-sending bytes
    whose version is still queued (an earlier call met an upstream failure, and no worker
    has taken it since) runs that version's job now, as its next attempt.

    Raises:
        what SubmitDocument raises; UnprocessableDocument or UnsupportedMediaType when the
        version ended failed (it stays recorded as failed); the upstream error behind a
        failure that a worker would have retried.
    """

    submit: SubmitDocument
    process: ProcessIngestion

    async def execute(self, upload: Upload) -> IngestReport:
        submission = await self.submit.execute(upload)
        version = submission.version
        if not submission.created and version.status is not VersionStatus.QUEUED:
            return IngestReport(submission.document, version, False, version.page_count, 0, 0)
        job = IngestionJob(submission.document.id, version.number)
        try:
            outcome = await self.process.execute(JobAttempt(job, version.attempts + 1))
        except RetryLater as exc:
            raise (exc.__cause__ or exc) from None
        if outcome is None:  # a worker took the job first and settled it
            document = await self.process.repository.get(job.document_id)
            settled = document.version(job.version) or version
            return IngestReport(document, settled, submission.created, 0, 0, 0)
        if outcome.version.status is VersionStatus.FAILED:
            raise UnprocessableDocument(outcome.version.error or "ingestion failed")
        return IngestReport(
            document=outcome.document,
            version=outcome.version,
            created=submission.created,
            pages_reused=outcome.pages_reused,
            pages_embedded=outcome.pages_embedded,
            chunks_embedded=outcome.chunks_embedded,
        )
