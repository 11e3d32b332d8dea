"""JobQueue in process: an asyncio queue feeding worker tasks of the serving process."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from askdocs.application.errors import RetryLater
from askdocs.application.ports import Backlog, IngestionJob, JobAttempt, JobHandler

log = logging.getLogger(__name__)


class InProcessJobQueue:
    """Jobs in process memory, for the embedded mode: lost with the process, like the
    documents they are about.

    A job is known by its key from the moment it is queued until its handler returns, so a
    second enqueue meanwhile adds nothing. A RetryLater puts the job back after its delay.

    Args:
        timer: monotonic seconds, for the age of the oldest waiting job.
    """

    def __init__(self, *, timer: Callable[[], float] = time.monotonic) -> None:
        self._waiting: asyncio.Queue[JobAttempt] | None = None
        self._known: set[str] = set()
        self._stopping = asyncio.Event()
        self._timer = timer
        self._waiting_since: dict[str, float] = {}  # job key -> when it could first run

    async def enqueue(self, jobs: Sequence[IngestionJob]) -> None:
        for job in jobs:
            if job.key not in self._known:
                self._known.add(job.key)
                self._put(JobAttempt(job, attempt=1))

    async def consume(
        self, handle: JobHandler, *, concurrency: int, max_jobs: int | None = None
    ) -> None:
        self._stopping.clear()
        budget = [max_jobs]
        async with asyncio.TaskGroup() as group:
            for _ in range(max(concurrency, 1)):
                group.create_task(self._work(handle, budget))

    def stop(self) -> None:
        self._stopping.set()

    async def requeue_stalled(self, older_than_s: float) -> int:
        # Nothing outlives this process, and only this process takes jobs: none can stall.
        return 0

    async def backlog(self) -> Backlog:
        since = self._waiting_since.values()
        oldest = self._timer() - min(since) if since else 0.0
        return Backlog(waiting=len(self._waiting_since), oldest_age_s=max(oldest, 0.0))

    @property
    def pending(self) -> int:
        """Jobs queued or running."""
        return len(self._known)

    async def _work(self, handle: JobHandler, budget: list[int | None]) -> None:
        queue = self._queue()
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            while not self._stopping.is_set() and budget[0] != 0:
                taking = asyncio.ensure_future(queue.get())
                await asyncio.wait((taking, stopping), return_when=asyncio.FIRST_COMPLETED)
                if not taking.done():
                    taking.cancel()
                    break
                attempt = taking.result()
                if budget[0] is not None:
                    if budget[0] <= 0:  # another worker used the last of the budget
                        queue.put_nowait(attempt)
                        break
                    budget[0] -= 1
                    if budget[0] == 0:
                        self._stopping.set()  # idle workers leave; this job still runs
                self._waiting_since.pop(attempt.job.key, None)
                await self._run(handle, attempt)
        finally:
            stopping.cancel()

    async def _run(self, handle: JobHandler, attempt: JobAttempt) -> None:
        try:
            await handle(attempt)
        except RetryLater as retry:
            self._later(attempt, retry.delay_s)
            return
        except Exception as exc:  # noqa: BLE001 - the handler logs its own; this keeps the worker
            log.error("ingestion job %s failed: %s", attempt.job.key, type(exc).__name__)
        self._known.discard(attempt.job.key)

    def _later(self, attempt: JobAttempt, delay_s: float) -> None:
        again = JobAttempt(attempt.job, attempt.attempt + 1)
        asyncio.get_running_loop().call_later(delay_s, self._put, again)

    def _put(self, attempt: JobAttempt) -> None:
        self._waiting_since[attempt.job.key] = self._timer()
        self._queue().put_nowait(attempt)

    def _queue(self) -> asyncio.Queue[JobAttempt]:
        # Made on first use, inside the loop that will run the workers.
        if self._waiting is None:
            self._waiting = asyncio.Queue()
        return self._waiting
