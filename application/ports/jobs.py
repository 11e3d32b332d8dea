"""Protocol: JobQueue, where ingestion jobs wait for a worker."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol


@dataclasses.dataclass(frozen=True, slots=True)
class IngestionJob:
    """Ingest one version of one document: ids only, never the file's bytes.

    `traceparent` names the request that queued it (W3C Trace Context), so the job's trace
    can link to the upload's; it does not tell jobs apart (`key`, equality)."""

    document_id: str
    version: int
    traceparent: str | None = dataclasses.field(default=None, compare=False)

    @property
    def key(self) -> str:
        """Names the job: a job with this key waiting or running is never queued twice."""
        return f"ingest:{self.document_id}:{self.version}"


@dataclasses.dataclass(frozen=True, slots=True)
class JobAttempt:
    """A job as a worker received it: which delivery this is, counting from 1."""

    job: IngestionJob
    attempt: int


@dataclasses.dataclass(frozen=True, slots=True)
class Backlog:
    """The jobs a worker could take now and has not, and how long the oldest has waited
    since it could have run (0 with none waiting)."""

    waiting: int
    oldest_age_s: float


JobHandler = Callable[[JobAttempt], Awaitable[None]]
"""Runs one job. Raising RetryLater puts the job back for later; returning ends it."""


class JobQueue(Protocol):
    """Protocol: at-least-once delivery of ingestion jobs to one worker at a time each.

    A job whose worker dies is delivered again once its lease runs out.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the queue cannot be reached, or is not set up
            (a database schema not migrated).
    """

    async def enqueue(self, jobs: Sequence[IngestionJob]) -> None:
        """Queue jobs; one already waiting or running under the same key is not added again."""
        ...

    async def consume(
        self, handle: JobHandler, *, concurrency: int, max_jobs: int | None = None
    ) -> None:
        """Run jobs through `handle`, `concurrency` at a time, until `stop` or `max_jobs`."""
        ...

    def stop(self) -> None:
        """Take no new jobs; `consume` returns once the running ones end."""
        ...

    async def requeue_stalled(self, older_than_s: float) -> int:
        """Queue again versions left queued or processing this long with no job; how many."""
        ...

    async def backlog(self) -> Backlog:
        """The jobs waiting for a worker now; a job waiting out a retry delay is not one yet,
        nor is one a worker holds."""
        ...
