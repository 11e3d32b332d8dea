"""ProcessIngestion as the worker runs it: redelivery, retries and giving up, progress."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from askdocs.application import process_ingestion
from askdocs.application.errors import RetryLater
from askdocs.application.ports import DocumentQuery, IngestionJob, JobAttempt
from askdocs.application.submit_document import Upload
from askdocs.domain.documents import DocumentVersion, VersionStatus
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.contract.test_metrics import PrometheusReadings
from tests.support.pdf import make_pdf
from tests.unit.test_ingest_document import ZOO, FlakyEmbedder, Search, use_embedder


async def _submitted(container: Container, editor: Principal) -> IngestionJob:
    submission = await container.submit_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    assert submission.version.status is VersionStatus.QUEUED
    return IngestionJob(submission.document.id, submission.version.number)


def _readings(container: Container) -> PrometheusReadings:
    return PrometheusReadings(container.metrics())


def _runs(container: Container, outcome: str) -> float:
    """How many runs `ingest_seconds` timed with `outcome`."""
    timed = _readings(container).histogram("ingest_seconds", {"outcome": outcome})
    return 0 if timed is None else timed[0]


async def _version(container: Container, job: IngestionJob) -> DocumentVersion:
    document = await container.get_document().execute(job.document_id)
    version = document.version(job.version)
    assert version is not None
    return version


async def test_a_job_makes_its_version_ready_with_every_page_counted(
    container: Container, editor: Principal
) -> None:
    job = await _submitted(container, editor)

    outcome = await container.process_ingestion().execute(JobAttempt(job, 1))

    assert outcome is not None
    version = await _version(container, job)
    assert (version.status, version.attempts) == (VersionStatus.READY, 1)
    assert (version.pages_done, version.pages_total, version.page_count) == (5, 5, 5)
    pdf = {"media_type": "application/pdf"}
    assert _readings(container).counter("ingest_pages", pdf) == 5
    assert _readings(container).counter("ingest_outcomes", {**pdf, "outcome": "ready"}) == 1
    assert _runs(container, "ready") == 1


async def test_a_second_delivery_of_a_finished_job_changes_nothing(
    container: Container, editor: Principal
) -> None:
    job = await _submitted(container, editor)
    process = container.process_ingestion()
    await process.execute(JobAttempt(job, 1))
    before = await container.get_document().execute(job.document_id)
    generation = await container.cache().generation()

    again = await process.execute(JobAttempt(job, 2))

    assert again is None
    assert await container.get_document().execute(job.document_id) == before
    assert await container.cache().generation() == generation


async def test_a_version_left_processing_by_a_dead_worker_is_finished_without_duplicates(
    container: Container, editor: Principal, search: Search
) -> None:
    job = await _submitted(container, editor)
    repository = container.documents()
    stuck = dataclasses.replace(
        await _version(container, job), status=VersionStatus.PROCESSING, attempts=1
    )
    await repository.save_version(job.document_id, stuck)
    process = container.process_ingestion()

    await process.execute(JobAttempt(job, 2))

    version = await _version(container, job)
    assert (version.status, version.attempts) == (VersionStatus.READY, 2)
    hits = await search("aardvark flamingo narwhal pangolin quokka")
    assert len({h.chunk.id for h in hits}) == len(hits) == 5


@pytest.mark.settings(jobs__retry_attempts=2, jobs__retry_first_delay_s=7)
async def test_upstream_failures_are_retried_with_backoff_then_the_version_fails(
    container: Container, editor: Principal
) -> None:
    use_embedder(container, FlakyEmbedder(fail_from=1))
    job = await _submitted(container, editor)
    process = container.process_ingestion()

    with pytest.raises(RetryLater) as first:
        await process.execute(JobAttempt(job, 1))
    assert first.value.delay_s == 7
    waiting = await _version(container, job)
    assert (waiting.status, waiting.attempts) == (VersionStatus.QUEUED, 1)
    assert first.value.detail == waiting.error

    outcome = await process.execute(JobAttempt(job, 2))

    assert outcome is not None
    assert (outcome.document.id, outcome.version) == (
        job.document_id,
        await _version(container, job),
    )
    failed = {"media_type": "application/pdf", "outcome": "failed"}
    assert _readings(container).counter("ingest_outcomes", failed) == 1
    assert _readings(container).counter("ingest_pages", {"media_type": "application/pdf"}) is None
    assert (_runs(container, "retrying"), _runs(container, "failed")) == (1, 1)
    version = await _version(container, job)
    assert (version.status, version.attempts) == (VersionStatus.FAILED, 2)
    assert version.error is not None
    assert version.error.startswith("gave up after 2 attempts")
    listing = await container.list_documents().execute(DocumentQuery(status=VersionStatus.FAILED))
    assert listing.total == 1


async def test_a_file_that_cannot_be_parsed_fails_at_once_without_retries(
    container: Container, editor: Principal
) -> None:
    submission = await container.submit_document().execute(
        Upload(b"%PDF-1.4\n1 0 obj\n<< /Type /Cat", "broken.pdf", editor)
    )
    job = IngestionJob(submission.document.id, submission.version.number)

    outcome = await container.process_ingestion().execute(JobAttempt(job, 1))

    assert outcome is not None
    version = await _version(container, job)
    assert (version.status, version.attempts) == (VersionStatus.FAILED, 1)
    assert version.error is not None
    assert "PDF" in version.error


@pytest.mark.settings(documents__chunk_tokens=8, documents__chunk_overlap=0)
async def test_progress_is_saved_page_by_page_as_batches_are_stored(
    container: Container, editor: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process_ingestion, "PROGRESS_EVERY_S", 0.0)
    pages = [" ".join(f"word{page}x{n}" for n in range(120)) for page in range(6)]
    submission = await container.submit_document().execute(
        Upload(make_pdf(pages), "long.pdf", editor)
    )
    job = IngestionJob(submission.document.id, submission.version.number)
    repository = container.documents()
    saved: list[tuple[str, int, int | None]] = []
    save_version = repository.save_version

    async def recording(document_id: str, version: DocumentVersion, **kwargs: Any) -> None:
        saved.append((version.status.value, version.pages_done, version.pages_total))
        await save_version(document_id, version, **kwargs)

    monkeypatch.setattr(repository, "save_version", recording)

    await container.process_ingestion().execute(JobAttempt(job, 1))

    progress = [done for status, done, total in saved if status == "processing" and total]
    assert progress == sorted(progress)
    assert any(0 < done < 6 for done in progress), saved
    assert saved[-1] == ("ready", 6, 6)
