"""JobQueue for a process with no worker: whoever submits a document ingests it in the call."""

from __future__ import annotations

from collections.abc import Sequence

from askdocs.application.ports import Backlog, IngestionJob, JobHandler


class InlineJobQueue:
    """Keeps no job: the submitter runs each one itself (IngestDocument, as the library does),
    so nothing waits for a worker that will never come.

    `consume` returns at once, as there is never a job to take; `serve` and `askdocs worker`
    refuse this queue, since their uploads would then wait forever.
    """

    async def enqueue(self, jobs: Sequence[IngestionJob]) -> None:
        """Nothing to keep: the caller that submitted the job is running it."""

    async def consume(
        self, handle: JobHandler, *, concurrency: int, max_jobs: int | None = None
    ) -> None:
        """No job ever waits here."""

    def stop(self) -> None:
        """Nothing is running."""

    async def requeue_stalled(self, older_than_s: float) -> int:
        # A version this process was ingesting died with it; nothing here can stall.
        return 0

    async def backlog(self) -> Backlog:
        """No job ever waits here."""
        return Backlog(waiting=0, oldest_age_s=0.0)

    @property
    def pending(self) -> int:
        """Jobs waiting: never any."""
        return 0
