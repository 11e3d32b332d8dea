"""IngestionWorker over the in-process queue: what happens to a job when things fail."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest

from askdocs.adapters.jobs.memory import InProcessJobQueue
from askdocs.adapters.metrics.noop import NoopMetrics
from askdocs.adapters.tracing.noop import NoopTracer
from askdocs.application import ingestion_worker
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ingestion_worker import IngestionWorker
from askdocs.application.ports import IngestionJob, JobAttempt
from askdocs.entrypoints.logging import configure_logging

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
        backlog_every_s=0,
        metrics=NoopMetrics(),
        tracer=NoopTracer(),
    )


async def run_until_done(worker: IngestionWorker, process: ScriptedProcess) -> None:
    """Start the worker, let it run until a job succeeds, stop it."""
    worker.start()
    async with asyncio.timeout(10):
        await process.done.wait()
    await worker.stop()


async def test_a_job_whose_store_failed_comes_back_after_a_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingestion_worker, "STORE_RETRY_S", 0.05)
    queue = InProcessJobQueue()
    process = ScriptedProcess(UpstreamUnavailable("the database is unavailable"))
    worker = _worker(queue, process)
    await queue.enqueue([JOB])

    await run_until_done(worker, process)

    assert [a.attempt for a in process.attempts] == [1, 2]


async def test_a_bug_in_a_job_is_logged_and_the_worker_takes_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = InProcessJobQueue()
    process = ScriptedProcess(RuntimeError("boom"))
    worker = _worker(queue, process)
    await queue.enqueue([JOB, IngestionJob("doc-2", 1)])

    await run_until_done(worker, process)

    assert [a.job for a in process.attempts] == [JOB, IngestionJob("doc-2", 1)]
    assert queue.pending == 0


@pytest.fixture
def json_log_lines() -> Iterator[Callable[[], list[dict]]]:
    """The JSON lines the service's own logging set-up writes (to a buffer, not stderr)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(level="INFO", json="true")
    written = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)

    def lines() -> list[dict]:
        return [json.loads(line) for line in written.getvalue().splitlines() if line]

    yield lines
    root.handlers[:], root.level = handlers, level


async def test_each_job_is_logged_as_a_named_event_with_its_fields(
    json_log_lines: Callable[[], list[dict]],
) -> None:
    queue = InProcessJobQueue()
    process = ScriptedProcess()
    worker = _worker(queue, process)
    await queue.enqueue([JOB])

    await run_until_done(worker, process)

    skipped = [line for line in json_log_lines() if line["event"] == "ingestion_skipped"]
    assert len(skipped) == 1
    assert skipped[0]["logger"] == "askdocs.worker"
    assert (skipped[0]["document_id"], skipped[0]["version"], skipped[0]["attempt"]) == (
        "doc-1", 1, 1,
    )  # fmt: skip
