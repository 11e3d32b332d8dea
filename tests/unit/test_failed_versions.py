"""RetryIngestion and DeleteVersion through the real container: what can be done with a version
whose ingestion failed, and what cannot be done with one that did not fail."""

from __future__ import annotations

import pytest

from askdocs.application.errors import Conflict, NotFound
from askdocs.application.submit_document import Upload
from askdocs.domain.documents import Document, DocumentVersion, VersionStatus
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from tests.support.pdf import make_pdf
from tests.unit.test_ingest_document import ZOO, FlakyEmbedder, Search, use_embedder

NEVER = 10**9


async def _run_queued_job(container: Container) -> None:
    await container.jobs().consume(container.process_ingestion().execute, concurrency=1, max_jobs=1)


async def _version(container: Container, document: Document, number: int = 1) -> DocumentVersion:
    version = (await container.get_document().execute(document.id)).version(number)
    assert version is not None
    return version


@pytest.fixture
async def failed(container: Container, editor: Principal) -> Document:
    """A document whose first version failed: its embedder broke on the only attempt."""
    use_embedder(container, FlakyEmbedder(fail_from=1))
    submission = await container.submit_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    await _run_queued_job(container)
    assert (await _version(container, submission.document)).status is VersionStatus.FAILED
    return submission.document


@pytest.mark.settings(jobs__retry_attempts=1)
async def test_a_retried_version_is_queued_afresh_and_its_job_makes_it_ready(
    container: Container, failed: Document, search: Search
) -> None:
    retried = await container.retry_ingestion().execute(failed.id, 1)

    assert (retried.status, retried.error, retried.attempts) == (VersionStatus.QUEUED, None, 0)
    assert await _version(container, failed) == retried
    assert container.jobs().pending == 1
    use_embedder(container, FlakyEmbedder(fail_from=NEVER))
    await _run_queued_job(container)
    version = await _version(container, failed)
    assert (version.status, version.attempts) == (VersionStatus.READY, 1)
    assert await search("The narwhal hunts cod under the arctic ice.")


@pytest.mark.settings(jobs__retry_attempts=1)
async def test_a_failed_version_is_deleted_for_good(container: Container, failed: Document) -> None:
    await container.delete_version().execute(failed.id, 1)

    assert (await container.get_document().execute(failed.id)).version(1) is None
    with pytest.raises(NotFound, match="has no version 1"):
        await container.retry_ingestion().execute(failed.id, 1)


async def test_a_version_that_did_not_fail_is_neither_retried_nor_deleted(
    container: Container, editor: Principal
) -> None:
    report = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))
    document = report.document

    with pytest.raises(Conflict):
        await container.retry_ingestion().execute(document.id, 1)
    with pytest.raises(Conflict, match="version 1 is ready; only failed versions can be deleted"):
        await container.delete_version().execute(document.id, 1)
    assert (await _version(container, document)).status is VersionStatus.READY


async def test_a_version_that_does_not_exist_is_not_found(
    container: Container, editor: Principal
) -> None:
    report = await container.ingest_document().execute(Upload(make_pdf(ZOO), "zoo.pdf", editor))

    with pytest.raises(NotFound, match=f"document {report.document.id} has no version 2"):
        await container.retry_ingestion().execute(report.document.id, 2)
    with pytest.raises(NotFound, match=f"document {report.document.id} has no version 2"):
        await container.delete_version().execute(report.document.id, 2)
