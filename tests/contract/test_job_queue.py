"""Contract: JobQueue, in process and on PostgreSQL (PgQueuer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from askdocs.adapters.documents.postgres import PostgresDocumentRepository
from askdocs.adapters.jobs.memory import InProcessJobQueue
from askdocs.adapters.jobs.pgqueuer_queue import PgQueuerJobQueue
from askdocs.adapters.metrics.prometheus import PrometheusMetrics
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.errors import RetryLater
from askdocs.application.ingestion_worker import publish_backlog
from askdocs.application.ports import Backlog, IngestionJob, JobAttempt, JobQueue
from askdocs.domain.documents import VersionStatus
from tests.contract.builders import make_document, make_version
from tests.contract.test_metrics import PrometheusReadings
from tests.support.settings_wiring import from_settings
from tests.support.timers import FakeTimer

JOB = IngestionJob("doc-1", 1)
WAIT_S = 20.0


class Recorder:
    """A handler that records what it ran and can be told to ask for retries."""

    def __init__(self, *, retries: int = 0) -> None:
        self.seen: list[JobAttempt] = []
        self._retries = retries
        self.changed = asyncio.Event()

    async def __call__(self, attempt: JobAttempt) -> None:
        self.seen.append(attempt)
        self.changed.set()
        if len(self.seen) <= self._retries:
            raise RetryLater("provider down", delay_s=0.05)

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(WAIT_S):
            while len(self.seen) < count:
                self.changed.clear()
                await self.changed.wait()


@contextlib.asynccontextmanager
async def consuming(
    queue: JobQueue, handler: Recorder, *, concurrency: int = 2
) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(queue.consume(handler, concurrency=concurrency))
    try:
        yield task
    finally:
        queue.stop()
        async with asyncio.timeout(WAIT_S):
            await task


class JobQueueContract:
    @pytest.fixture
    def queue(self) -> JobQueue:
        raise NotImplementedError

    async def test_a_queued_job_is_run_once_with_its_ids(self, queue: JobQueue) -> None:
        handler = Recorder()
        await queue.enqueue([JOB])
        await queue.enqueue([JOB])  # the same key while waiting: not added again
        async with consuming(queue, handler):
            await handler.wait_for(1)
            await asyncio.sleep(0.3)
        assert handler.seen == [JobAttempt(JOB, attempt=1)]

    async def test_a_job_arrives_with_the_traceparent_of_the_request_that_queued_it(
        self, queue: JobQueue
    ) -> None:
        traced = IngestionJob("doc-9", 1, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        handler = Recorder()
        await queue.enqueue([traced])
        async with consuming(queue, handler):
            await handler.wait_for(1)
        assert [a.job.traceparent for a in handler.seen] == [traced.traceparent]

    async def test_retry_later_delivers_the_job_again_counting_attempts(
        self, queue: JobQueue
    ) -> None:
        handler = Recorder(retries=2)
        await queue.enqueue([JOB])
        async with consuming(queue, handler):
            await handler.wait_for(3)
        assert [a.attempt for a in handler.seen] == [1, 2, 3]
        assert {a.job for a in handler.seen} == {JOB}

    async def test_a_job_budget_ends_consuming(self, queue: JobQueue) -> None:
        handler = Recorder()
        await queue.enqueue([IngestionJob("doc-1", n) for n in (1, 2, 3)])
        async with asyncio.timeout(WAIT_S):
            await queue.consume(handler, concurrency=2, max_jobs=1)
        assert len(handler.seen) in (1, 2)  # a second may already be in hand when it ends

    async def test_the_backlog_counts_the_jobs_waiting_until_they_are_taken(
        self, queue: JobQueue
    ) -> None:
        assert await queue.backlog() == Backlog(waiting=0, oldest_age_s=0.0)
        await queue.enqueue([IngestionJob("doc-1", n) for n in (1, 2)])
        waiting = await queue.backlog()
        assert waiting.waiting == 2
        assert waiting.oldest_age_s >= 0
        handler = Recorder()
        async with consuming(queue, handler):
            await handler.wait_for(2)
        assert (await queue.backlog()).waiting == 0

    async def test_the_backlog_is_published_as_gauges(self, queue: JobQueue) -> None:
        metrics = PrometheusMetrics()
        await queue.enqueue([IngestionJob("doc-1", n) for n in (1, 2, 3)])

        await publish_backlog(queue, metrics)

        readings = PrometheusReadings(metrics)
        assert readings.gauge("queue_depth") == 3
        assert (readings.gauge("queue_oldest_age_seconds") or -1) >= 0

    async def test_stop_ends_an_idle_consumer(self, queue: JobQueue) -> None:
        task = asyncio.create_task(queue.consume(Recorder(), concurrency=2))
        await asyncio.sleep(0.2)
        queue.stop()
        async with asyncio.timeout(WAIT_S):
            await task


class TestInProcessJobQueue(JobQueueContract):
    @pytest.fixture
    def queue(self) -> JobQueue:
        return InProcessJobQueue()

    async def test_the_oldest_age_is_the_time_since_the_first_waiting_job_was_queued(
        self,
    ) -> None:
        timer = FakeTimer(1000.0)
        queue = InProcessJobQueue(timer=timer)
        await queue.enqueue([IngestionJob("doc-1", 1)])
        timer.now = 1030.0
        await queue.enqueue([IngestionJob("doc-1", 2)])
        timer.now = 1042.0

        assert await queue.backlog() == Backlog(waiting=2, oldest_age_s=42.0)


class TestPgQueuerJobQueue(JobQueueContract):
    @pytest.fixture
    def queue(self, postgres: PostgresDatabase) -> JobQueue:
        return from_settings(PgQueuerJobQueue, database=postgres, poll_s=0.2)

    async def test_a_job_is_queued_with_its_version_or_not_at_all(
        self, postgres: PostgresDatabase
    ) -> None:
        queue = from_settings(PgQueuerJobQueue, database=postgres, poll_s=0.2)
        repository = PostgresDocumentRepository(postgres, jobs=queue)
        queued = make_version(1, status=VersionStatus.QUEUED)
        await repository.save(make_document(versions=(queued,)), jobs=[JOB])
        # A version that cannot be stored (a NUL in its text) takes its job down with it.
        broken = make_document("doc-2", name="bad\x00name", versions=(queued,))
        with pytest.raises(Exception):  # noqa: B017,PT011 - the point is what is left after
            await repository.save(broken, jobs=[IngestionJob("doc-2", 1)])
        async with postgres.connection() as connection:
            keys = await connection.fetch("SELECT dedupe_key FROM pgqueuer ORDER BY id")
        assert [row["dedupe_key"] for row in keys] == [JOB.key]

    async def test_the_oldest_age_counts_from_when_a_job_fell_due(
        self, postgres: PostgresDatabase
    ) -> None:
        queue = from_settings(PgQueuerJobQueue, database=postgres, poll_s=0.2)
        await queue.enqueue([IngestionJob("doc-1", n) for n in (1, 2, 3)])
        async with postgres.connection() as connection:
            await connection.execute(
                "UPDATE pgqueuer SET execute_after = now() - interval '1 hour' "
                "WHERE dedupe_key = $1",
                IngestionJob("doc-1", 1).key,
            )
            await connection.execute(  # waiting out a retry delay: not waiting for a worker
                "UPDATE pgqueuer SET execute_after = now() + interval '1 hour' "
                "WHERE dedupe_key = $1",
                IngestionJob("doc-1", 3).key,
            )

        backlog = await queue.backlog()

        assert backlog.waiting == 2
        assert 3600 <= backlog.oldest_age_s < 7200

    async def test_a_stalled_version_without_a_job_is_queued_again(
        self, postgres: PostgresDatabase
    ) -> None:
        queue = from_settings(PgQueuerJobQueue, database=postgres, poll_s=0.2)
        repository = PostgresDocumentRepository(postgres)  # no queue: the job is lost
        await repository.save(
            make_document(versions=(make_version(1, status=VersionStatus.QUEUED),))
        )
        assert await queue.requeue_stalled(3600) == 0  # not stalled yet
        async with postgres.connection() as connection:
            await connection.execute(
                "UPDATE document_versions SET updated_at = now() - interval '2 hours'"
            )
        assert await queue.requeue_stalled(3600) == 1
        assert await queue.requeue_stalled(3600) == 0  # its job now exists
        handler = Recorder()
        async with consuming(queue, handler):
            await handler.wait_for(1)
        assert handler.seen[0].job == JOB
