"""IngestionWorker over the in-process queue: what happens to a job when things fail."""

from __future__ import annotations

import asyncio

import pytest

from askdocs.adapters.jobs.memory import InProcessJobQueue
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports import IngestionJob, JobAttempt
from askdocs.entrypoints import ingestion_worker
from askdocs.entrypoints.ingestion_worker import IngestionWorker

JOB = IngestionJob("doc-1", 1)


class ScriptedProcess:
    """Stands in for ProcessIngestion: raises the scripted errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.attempts: list[JobAttempt] = []
        self.done = asyncio.Event()

    async def execute(self, attempt: JobAttempt) -> None:
        self.attempts.append(attempt)
        if self.errors:
            raise self.errors.pop(0)
        self.done.set()


def _worker(queue: InProcessJobQueue, process: ScriptedProcess) -> IngestionWorker:
    return IngestionWorker(
        queue,
        process,  # type: ignore[arg-type]
        concurrency=1,
        stalled_after_s=600,
        sweep_every_s=600,
        grace_s=1,
    )


async def test_a_job_whose_store_failed_comes_back_after_a_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingestion_worker, "STORE_RETRY_S", 0.05)
    queue = InProcessJobQueue()
    process = ScriptedProcess(UpstreamUnavailable("the database is unavailable"))
    worker = _worker(queue, process)
    await queue.enqueue([JOB])

    worker.start()
    async with asyncio.timeout(10):
        await process.done.wait()
    await worker.stop()

    assert [a.attempt for a in process.attempts] == [1, 2]


async def test_a_bug_in_a_job_is_logged_and_the_worker_takes_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = InProcessJobQueue()
    process = ScriptedProcess(RuntimeError("boom"))
    worker = _worker(queue, process)
    await queue.enqueue([JOB, IngestionJob("doc-2", 1)])

    worker.start()
    async with asyncio.timeout(10):
        await process.done.wait()
    await worker.stop()

    assert [a.job for a in process.attempts] == [JOB, IngestionJob("doc-2", 1)]
    assert queue.pending == 0
