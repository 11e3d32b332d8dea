"""Both AuditLogs keep events alike: newest first, filtered, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from askdocs.adapters.audit.memory import InMemoryAuditLog
from askdocs.adapters.audit.postgres import PostgresAuditLog
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.audit import AuditLog, AuditQuery
from askdocs.domain.audit import AuditEvent, Outcome

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def event(n: int, subject: str, action: str, status: int) -> AuditEvent:
    return AuditEvent(
        id=f"e{n}", at=START + timedelta(minutes=n), subject=subject, role="editor",
        action=action, target=f"/api/v1/docs/d{n}", client_ip="203.0.113.7",
        outcome=Outcome.of_status(status), status=status, request_id=f"r{n}",
    )  # fmt: skip


class AuditLogContract:
    @pytest.fixture
    def audit_log(self) -> AuditLog:
        raise NotImplementedError

    async def test_events_are_listed_newest_first_filtered_and_paged(self, audit_log: AuditLog):
        for item in (
            event(1, "key:a", "document.upload", 202),
            event(2, "key:b", "document.delete", 403),
            event(3, "key:a", "document.delete", 204),
            event(4, "key:a", "key.create", 500),
        ):
            await audit_log.record(item)

        everything = await audit_log.list(AuditQuery())
        by_a = await audit_log.list(AuditQuery(subject="key:a", limit=2, offset=1))
        deletes = await audit_log.list(AuditQuery(action="document.delete"))
        refused = await audit_log.list(AuditQuery(outcome=Outcome.REFUSED))
        failed = await audit_log.list(AuditQuery(outcome=Outcome.FAILED))
        past_the_end = await audit_log.list(AuditQuery(offset=10))

        assert [e.id for e in everything.items] == ["e4", "e3", "e2", "e1"]
        assert everything.items[3] == event(1, "key:a", "document.upload", 202)
        assert ([e.id for e in by_a.items], by_a.total) == (["e3", "e1"], 3)
        assert [e.id for e in deletes.items] == ["e3", "e2"]
        assert [e.id for e in refused.items] == ["e2"]
        assert [e.id for e in failed.items] == ["e4"]
        assert (past_the_end.items, past_the_end.total) == ((), 4)


class TestInMemoryAuditLog(AuditLogContract):
    @pytest.fixture
    def audit_log(self) -> AuditLog:
        return InMemoryAuditLog()


class TestPostgresAuditLog(AuditLogContract):
    @pytest.fixture
    def audit_log(self, postgres: PostgresDatabase) -> AuditLog:
        return PostgresAuditLog(postgres)
