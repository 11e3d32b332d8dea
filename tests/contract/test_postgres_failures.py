"""Contract: every PostgreSQL adapter answers a database it cannot use with the application's
errors, never asyncpg's or PgQueuer's: UpstreamUnavailable that says to run `askdocs migrate`
on a schema nobody migrated, UpstreamUnavailable when the server cannot be reached."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from askdocs.adapters.audit.postgres import PostgresAuditLog
from askdocs.adapters.auth.postgres import PostgresApiKeyStore
from askdocs.adapters.documents.postgres import PostgresDocumentRepository
from askdocs.adapters.feedback.postgres import PostgresFeedbackStore
from askdocs.adapters.index.pg_term_refresh import refresh_terms
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.jobs.pgqueuer_queue import PgQueuerJobQueue
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports import IngestionJob, JobAttempt
from askdocs.application.ports.audit import AuditQuery
from askdocs.application.ports.documents import DocumentQuery
from askdocs.application.ports.feedback import FeedbackQuery
from askdocs.application.ports.index import SearchQuery
from askdocs.domain.audit import AuditEvent, Outcome
from askdocs.domain.feedback import Feedback, Rating
from tests.contract.builders import (
    MODEL,
    at,
    direction,
    make_api_key,
    make_chunk,
    make_document,
    make_indexed,
    make_liveness,
    make_version,
    sha,
)
from tests.support.private_postgres import free_port
from tests.support.settings_wiring import from_settings

WAIT_S = 20.0
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FEEDBACK = Feedback("f1", "t1", Rating.UP, "", "reader", NOW)
EVENT = AuditEvent(
    id="e1", at=NOW, subject="editor", role="editor", action="document.upload",
    target="/api/v1/docs", client_ip="203.0.113.7", outcome=Outcome.of_status(201),
    status=201, request_id="r1",
)  # fmt: skip
SEARCH = SearchQuery(text="relay", embedding=direction(0.0), embedding_model=MODEL, k=5)


async def _never_called(attempt: JobAttempt) -> None:
    raise AssertionError(f"no job can be delivered from a database it cannot use: {attempt}")


PortCall = Callable[[PostgresDatabase], Awaitable[object]]

PORT_CALLS: dict[str, PortCall] = {
    "DocumentRepository.get": lambda db: PostgresDocumentRepository(db).get("doc-1"),
    "DocumentRepository.save": lambda db: PostgresDocumentRepository(db).save(make_document()),
    "DocumentRepository.save_version": (
        lambda db: PostgresDocumentRepository(db).save_version("doc-1", make_version(1))
    ),
    "DocumentRepository.delete_version": (
        lambda db: PostgresDocumentRepository(db).delete_version("doc-1", 1)
    ),
    "DocumentRepository.find_live_by_content": (
        lambda db: PostgresDocumentRepository(db).find_live_by_content(sha("page"))
    ),
    "DocumentRepository.list": lambda db: PostgresDocumentRepository(db).list(DocumentQuery()),
    "VectorIndex.add": lambda db: from_settings(PgVectorIndex, database=db).add(
        [make_indexed(make_chunk("doc", "p"))]
    ),
    "VectorIndex.publish": lambda db: from_settings(PgVectorIndex, database=db).publish(
        make_liveness("doc", [("p", 1)])
    ),
    "VectorIndex.withdraw": lambda db: from_settings(PgVectorIndex, database=db).withdraw("doc"),
    "VectorIndex.search": lambda db: from_settings(PgVectorIndex, database=db).search(SEARCH),
    "VectorIndex.term_counts": lambda db: from_settings(PgVectorIndex, database=db).term_counts(
        MODEL, ["relay"]
    ),
    "VectorIndex.search by words alone": lambda db: from_settings(
        PgVectorIndex, database=db
    ).search(dataclasses.replace(SEARCH, embedding=None)),
    "VectorIndex.coverage": lambda db: from_settings(PgVectorIndex, database=db).coverage(),
    "VectorIndex.chunks_without": lambda db: from_settings(
        PgVectorIndex, database=db
    ).chunks_without(MODEL, after=None, limit=10),
    "VectorIndex.drop_model": lambda db: from_settings(PgVectorIndex, database=db).drop_model(
        MODEL
    ),
    "JobQueue.enqueue": lambda db: from_settings(PgQueuerJobQueue, database=db).enqueue(
        [IngestionJob("doc-1", 1)]
    ),
    "JobQueue.consume": (
        lambda db: from_settings(PgQueuerJobQueue, database=db, poll_s=0.2).consume(
            _never_called, concurrency=1
        )
    ),
    "JobQueue.requeue_stalled": lambda db: from_settings(
        PgQueuerJobQueue, database=db
    ).requeue_stalled(60),
    "FeedbackStore.add": lambda db: PostgresFeedbackStore(db).add(FEEDBACK),
    "FeedbackStore.list": lambda db: PostgresFeedbackStore(db).list(FeedbackQuery()),
    "AuditLog.record": lambda db: PostgresAuditLog(db).record(EVENT),
    "AuditLog.list": lambda db: PostgresAuditLog(db).list(AuditQuery()),
    "ApiKeyStore.find": lambda db: PostgresApiKeyStore(db).find(sha("token")),
    "ApiKeyStore.add": lambda db: PostgresApiKeyStore(db).add(make_api_key("token")),
    "ApiKeyStore.add_first": (
        lambda db: PostgresApiKeyStore(db).add(make_api_key("token"), only_if_none_usable=True)
    ),
    "ApiKeyStore.list": lambda db: PostgresApiKeyStore(db).list(),
    "ApiKeyStore.revoke": lambda db: PostgresApiKeyStore(db).revoke("k1", at(1)),
    "ApiKeyStore.record_use": lambda db: PostgresApiKeyStore(db).record_use(sha("token"), at(1)),
    "refresh_terms at start": refresh_terms,
}

every_port_call = pytest.mark.parametrize("call", PORT_CALLS.values(), ids=PORT_CALLS.keys())


@pytest.fixture
async def unreachable_postgres() -> AsyncIterator[PostgresDatabase]:
    """A database URL leading to a port nothing listens on."""
    database = from_settings(
        PostgresDatabase, url=f"postgresql://postgres@127.0.0.1:{free_port()}/askdocs"
    )
    yield database
    await database.close()


async def failure_of(call: PortCall, database: PostgresDatabase) -> UpstreamUnavailable:
    with pytest.raises(UpstreamUnavailable) as raised:
        async with asyncio.timeout(WAIT_S):
            await call(database)
    return raised.value


@every_port_call
async def test_a_schema_never_migrated_is_unavailable_until_askdocs_migrate_runs(
    unmigrated_postgres: PostgresDatabase, call: PortCall
) -> None:
    error = await failure_of(call, unmigrated_postgres)

    assert "askdocs migrate" in error.detail
    assert error.__cause__ is not None  # the original, for the log
    assert str(error.__cause__) not in error.detail  # PostgreSQL's own words stay out


@every_port_call
async def test_a_server_that_cannot_be_reached_is_unavailable(
    unreachable_postgres: PostgresDatabase, call: PortCall
) -> None:
    error = await failure_of(call, unreachable_postgres)

    assert isinstance(error.__cause__, OSError)
    assert "askdocs migrate" not in error.detail  # not mistaken for a missing schema
