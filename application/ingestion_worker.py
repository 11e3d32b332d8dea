"""The ingestion worker: jobs from the queue through ProcessIngestion, plus the sweeper.

The same loop runs inside `serve` (unless `worker.in_serve=false`) and in `askdocs worker`
processes. It decides what a failure means for a job: a later retry, or the next job. Beside
it, the worker publishes the queue's backlog as gauges every `backlog_every_s`.
Log events are named (`ingestion_finished`) and carry their fields as the record's extras.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from askdocs.application.backfill_embeddings import KeepEmbeddingsComplete
from askdocs.application.errors import RetryLater, UpstreamError
from askdocs.application.ports import JobAttempt, JobQueue, Metrics
from askdocs.application.ports.tracing import Tracer
from askdocs.application.process_ingestion import ProcessIngestion

log = logging.getLogger("askdocs.worker")
RECONNECT_FIRST_PAUSE_S = 0.5
RECONNECT_MAX_PAUSE_S = 30.0
STORE_RETRY_S = 5.0


async def publish_backlog(queue: JobQueue, metrics: Metrics) -> None:
    """Set the gauges `queue_depth` and `queue_oldest_age_seconds` from the queue's backlog;
    a queue that cannot be read leaves them as they were (logged)."""
    try:
        backlog = await queue.backlog()
    except UpstreamError as exc:
        log.warning("backlog_unknown", extra={"reason": exc.detail})
        return
    metrics.gauge("queue_depth", backlog.waiting)
    metrics.gauge("queue_oldest_age_seconds", backlog.oldest_age_s)


class IngestionWorker:
    """Takes jobs until stopped, or until `max_jobs` when it is to be recycled.

    Every `backlog_every_s` (none when 0) it publishes the queue's backlog (publish_backlog):
    every worker reads the one shared queue, so several report the same values. With
    `embeddings` (several embedding models), it backfills the models that miss live chunks.
    """

    def __init__(
        self,
        queue: JobQueue,
        process: ProcessIngestion,
        *,
        concurrency: int,
        stalled_after_s: float,
        sweep_every_s: float,
        grace_s: float,
        backlog_every_s: float,
        metrics: Metrics,
        tracer: Tracer,
        embeddings: KeepEmbeddingsComplete | None = None,
    ) -> None:
        self._queue = queue
        self._embeddings = embeddings
        self._tracer = tracer
        self._process = process
        self._concurrency = concurrency
        self._stalled_after_s = stalled_after_s
        self._sweep_every_s = sweep_every_s
        self._grace_s = grace_s
        self._backlog_every_s = backlog_every_s
        self._metrics = metrics
        self._running: asyncio.Task[None] | None = None
        self._stopping = False

    async def run(self, *, max_jobs: int | None = None) -> None:
        """Consume jobs, sweeping for stalled versions meanwhile."""
        beside = [asyncio.create_task(self._sweep_forever())]
        if self._backlog_every_s > 0:
            beside.append(asyncio.create_task(self._publish_backlog_forever()))
        if self._embeddings is not None:
            beside.append(asyncio.create_task(self._embeddings.run_forever()))
        log.info("worker_started", extra={"concurrency": self._concurrency, "max_jobs": max_jobs})
        try:
            await self._consume_until_stopped(max_jobs)
        finally:
            for task in beside:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            log.info("worker_stopped")

    async def _consume_until_stopped(self, max_jobs: int | None) -> None:
        """Consume; when the queue's backend goes away, wait and connect again."""
        pause_s = RECONNECT_FIRST_PAUSE_S
        while True:
            try:
                await self._queue.consume(
                    self._handle, concurrency=self._concurrency, max_jobs=max_jobs
                )
                return  # stopped, or the job budget is spent
            except UpstreamError as exc:
                if self._stopping:
                    return
                log.warning(
                    "job_queue_unavailable", extra={"reason": exc.detail, "retry_in_s": pause_s}
                )
            await asyncio.sleep(pause_s)
            pause_s = min(pause_s * 2, RECONNECT_MAX_PAUSE_S)

    def start(self) -> None:
        """Run in the background of the current loop (inside `serve`)."""
        self._running = asyncio.create_task(self.run())

    async def stop(self) -> None:
        """Stop the worker `start` began."""
        if self._running is not None:
            await self.stop_task(self._running)

    async def stop_task(self, running: asyncio.Task[None]) -> None:
        """Take no more jobs; give running ones the grace period, then cancel them (their
        jobs come back to the queue once their lease runs out)."""
        self._stopping = True
        self._queue.stop()
        done, _ = await asyncio.wait({running}, timeout=self._grace_s)
        if not done:
            log.warning("worker_grace_expired", extra={"grace_s": self._grace_s})
            running.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await running

    async def _handle(self, attempt: JobAttempt) -> None:
        """One job in a trace of its own, linked to the request that queued it: a job may
        run long after that request ended, and be tried again several times."""
        job = attempt.job
        attributes: dict[str, str | int] = {
            "askdocs.document_id": job.document_id,
            "askdocs.document_version": job.version,
            "askdocs.job.attempt": attempt.attempt,
        }
        links = [job.traceparent] if job.traceparent else []
        with self._tracer.span("ingest_job", attributes=attributes, links=links, kind="consumer"):
            await self._run(attempt)

    async def _run(self, attempt: JobAttempt) -> None:
        job = attempt.job
        about = {"document_id": job.document_id, "version": job.version, "attempt": attempt.attempt}
        try:
            outcome = await self._process.execute(attempt)
        except RetryLater as retry:
            log.warning(
                "ingestion_retry_scheduled",
                extra={**about, "reason": retry.detail, "delay_s": retry.delay_s},
            )
            raise
        except UpstreamError as exc:
            # The document store itself failed: the version could not even be put back, so
            # the job comes back after a pause (the lease would bring it back too, later).
            log.warning(
                "ingestion_interrupted",
                extra={**about, "reason": exc.detail, "retry_in_s": STORE_RETRY_S},
            )
            raise RetryLater(exc.detail, delay_s=STORE_RETRY_S) from exc
        except Exception as exc:
            log.error(
                "ingestion_crashed", extra={**about, "error": type(exc).__name__}, exc_info=True
            )
            return
        if outcome is None:
            log.info(
                "ingestion_skipped", extra={**about, "reason": "version already settled or removed"}
            )
            return
        version = outcome.version
        log.info(
            "ingestion_finished",
            extra={
                **about,
                "status": version.status.value,
                "error": version.error,
                "pages": version.page_count,
                "pages_reused": outcome.pages_reused,
                "chunks_embedded": outcome.chunks_embedded,
            },
        )

    async def _publish_backlog_forever(self) -> None:
        while True:
            await publish_backlog(self._queue, self._metrics)
            await asyncio.sleep(self._backlog_every_s)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self._queue.requeue_stalled(self._stalled_after_s)
            except UpstreamError as exc:
                log.warning("sweep_failed", extra={"reason": exc.detail})
            await asyncio.sleep(self._sweep_every_s)
