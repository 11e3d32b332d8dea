"""RetryIngestion and DeleteVersion: what can be done with a version that failed."""

from __future__ import annotations

import dataclasses

from askdocs.application.errors import Conflict, NotFound
from askdocs.application.ports import DocumentRepository, IngestionJob
from askdocs.application.ports.tracing import Tracer
from askdocs.domain.documents import Document, DocumentVersion, VersionStatus
from askdocs.domain.errors import InvalidTransition
from askdocs.domain.ingestion import requeued


async def _version(
    repository: DocumentRepository, document_id: str, number: int
) -> tuple[Document, DocumentVersion]:
    document = await repository.get(document_id)
    version = document.version(number)
    if version is None:
        raise NotFound(f"document {document_id} has no version {number}")
    return document, version


@dataclasses.dataclass(frozen=True, slots=True)
class RetryIngestion:
    """Queue a failed version again, from the stored bytes; attempts start over.

    Raises:
        NotFound: no such document or version. Conflict: the version has not failed.
    """

    repository: DocumentRepository
    tracer: Tracer

    async def execute(self, document_id: str, number: int) -> DocumentVersion:
        document, version = await _version(self.repository, document_id, number)
        try:
            again = requeued(version)
        except InvalidTransition as exc:
            raise Conflict(str(exc)) from exc
        await self.repository.save_version(
            document.id,
            again,
            jobs=[IngestionJob(document.id, number, traceparent=self.tracer.traceparent())],
        )
        return again


@dataclasses.dataclass(frozen=True, slots=True)
class DeleteVersion:
    """Remove a failed version for good; versions that were ever ready stay as history.

    Raises:
        NotFound: no such document or version. Conflict: the version has not failed.
    """

    repository: DocumentRepository

    async def execute(self, document_id: str, number: int) -> None:
        _, version = await _version(self.repository, document_id, number)
        if version.status is not VersionStatus.FAILED:
            raise Conflict(
                f"version {number} is {version.status.value}; only failed versions can be deleted"
            )
        await self.repository.delete_version(document_id, number)
