"""JobQueue on PostgreSQL with PgQueuer: jobs are rows, taken with SKIP LOCKED, kept alive by
heartbeats, and queued in the same transaction as the version they are about."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import asyncpg
import msgspec
from pgqueuer import AsyncpgDriver, Job, Queries, QueueManager, RetryRequested
from pgqueuer.errors import PgqException

from askdocs.adapters.postgres.database import Connection, PostgresDatabase
from askdocs.adapters.postgres.errors import NOT_MIGRATED, translate_errors
from askdocs.application.errors import RetryLater, UpstreamUnavailable
from askdocs.application.ports import Backlog, IngestionJob, JobAttempt, JobHandler

log = logging.getLogger(__name__)

ENTRYPOINT = "ingest"

# Versions on their way that have not moved for a while and have no job waiting or running:
# queued again under the same dedupe key, so a job that does exist is never doubled.
_STALLED = """
SELECT v.document_id, v.version
FROM document_versions v
WHERE v.status IN ('queued', 'processing')
  AND v.updated_at < now() - make_interval(secs => $1)
  AND NOT EXISTS (
    SELECT 1 FROM pgqueuer q
    WHERE q.dedupe_key = 'ingest:' || v.document_id || ':' || v.version
      AND q.status IN ('queued', 'picked')
  )
ORDER BY v.updated_at
LIMIT 1000
"""

# Jobs a worker could take (as PgQueuer's dequeue picks them: queued and due), and the age of
# the oldest since it fell due; PgQueuer's own `queue_size` counts by status only.
_BACKLOG = """
SELECT count(*) AS waiting,
       coalesce(extract(epoch FROM now() - min(execute_after)), 0)::float8 AS oldest_age_s
FROM pgqueuer
WHERE entrypoint = $1 AND status = 'queued' AND execute_after <= now()
"""


class _Payload(msgspec.Struct, frozen=True, omit_defaults=True):
    document_id: str
    version: int
    traceparent: str | None = None
    """The queuing request's trace (W3C), which the worker's job span links to."""


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(_Payload).decode


@contextlib.asynccontextmanager
async def _queue_errors() -> AsyncIterator[None]:
    """The database's errors as everywhere else, and PgQueuer's own as the queue failing."""
    try:
        async with translate_errors():
            yield
    except PgqException as exc:  # a listener that stopped answering, a refused dedupe key
        raise UpstreamUnavailable("the job queue failed") from exc


async def _verify_schema(manager: QueueManager) -> None:
    """PgQueuer's check of its tables, in askdocs' words: it says to run `pgq install`, but
    askdocs' own migrations create them."""
    try:
        await manager.verify_structure()
    except RuntimeError as exc:  # PgQueuer's way of naming a missing table, column or index
        raise UpstreamUnavailable(NOT_MIGRATED) from exc


class PgQueuerJobQueue:
    """Ingestion jobs in PgQueuer's table, shared by every worker on every machine.

    A worker holds a job while its heartbeat is fresh; a worker killed mid-job stops beating
    and, `heartbeat_timeout_s` later, another worker takes the job up. Jobs carry a dedupe key
    per version, so at most one job per version waits or runs at a time.
    """

    def __init__(
        self,
        database: PostgresDatabase,
        *,
        heartbeat_timeout_s: float,
        poll_s: float = 5.0,
    ) -> None:
        self._database = database
        self._heartbeat_timeout = timedelta(seconds=heartbeat_timeout_s)
        self._poll = timedelta(seconds=poll_s)
        self._manager: QueueManager | None = None
        self._stop_requested = False

    async def enqueue(self, jobs: Sequence[IngestionJob]) -> None:
        if jobs:
            async with self._database.transaction() as connection:
                await self.enqueue_within(connection, jobs)

    async def enqueue_within(self, connection: Connection, jobs: Sequence[IngestionJob]) -> None:
        """Queue jobs on a connection the caller holds, inside the caller's transaction."""
        if not jobs:
            return
        # The driver only calls fetch/execute, which the pool's proxy forwards.
        queries = Queries(AsyncpgDriver(connection))  # type: ignore[arg-type]
        async with _queue_errors():
            await queries.enqueue(
                [ENTRYPOINT] * len(jobs),
                [_encode(_Payload(j.document_id, j.version, j.traceparent)) for j in jobs],
                [0] * len(jobs),
                dedupe_key=[j.key for j in jobs],
                on_conflict="skip",
            )

    async def consume(
        self, handle: JobHandler, *, concurrency: int, max_jobs: int | None = None
    ) -> None:
        # LISTEN needs a connection of its own for as long as the worker runs.
        async with _queue_errors():
            connection = await asyncpg.connect(
                self._database.url, server_settings=dict(self._database.server_settings)
            )
        try:
            manager = QueueManager(Queries(AsyncpgDriver(connection)))
            self._manager = manager
            if self._stop_requested:
                manager.shutdown.set()
            taken = 0

            @manager.entrypoint(ENTRYPOINT)
            async def ingest(job: Job) -> None:
                nonlocal taken
                taken += 1
                if max_jobs is not None and taken >= max_jobs:
                    manager.shutdown.set()  # finish this one, take no more
                payload = _decode(job.payload or b"{}")
                job_id = IngestionJob(payload.document_id, payload.version, payload.traceparent)
                attempt = JobAttempt(job_id, job.attempts + 1)
                try:
                    await handle(attempt)
                except RetryLater as retry:
                    raise RetryRequested(
                        delay=timedelta(seconds=retry.delay_s), reason=retry.detail
                    ) from retry

            # PgQueuer wants room for two batches; one job per batch keeps jobs spread over
            # workers instead of one worker hoarding a batch while others idle.
            async with _queue_errors():
                await _verify_schema(manager)
                await manager.run(
                    dequeue_timeout=self._poll,
                    batch_size=1,
                    max_concurrent_tasks=max(concurrency, 2),
                    heartbeat_timeout=self._heartbeat_timeout,
                )
        finally:
            self._manager = None
            with contextlib.suppress(Exception):
                await asyncio.shield(connection.close(timeout=5))

    def stop(self) -> None:
        self._stop_requested = True
        if self._manager is not None:
            self._manager.shutdown.set()

    async def requeue_stalled(self, older_than_s: float) -> int:
        async with self._database.transaction() as connection:
            rows = await connection.fetch(_STALLED, older_than_s)
            await self.enqueue_within(
                connection, [IngestionJob(r["document_id"], r["version"]) for r in rows]
            )
        if rows:
            log.warning("queued %d stalled ingestion versions again", len(rows))
        return len(rows)

    async def backlog(self) -> Backlog:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(_BACKLOG, ENTRYPOINT)
        if row is None:  # an aggregate always has its row; this satisfies the type
            return Backlog(waiting=0, oldest_age_s=0.0)
        return Backlog(waiting=row["waiting"], oldest_age_s=max(row["oldest_age_s"], 0.0))
