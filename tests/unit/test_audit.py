"""RecordWrite: an audit log that cannot be reached costs the record, never the answer."""

from __future__ import annotations

import logging

import pytest

from askdocs.application.audit import RecordWrite, WriteSeen
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports.audit import AuditPage, AuditQuery
from askdocs.domain.audit import AuditEvent, Outcome
from askdocs.domain.principals import Principal, Role
from tests.unit.conftest import FixedClock


class DownAuditLog:
    async def record(self, event: AuditEvent) -> None:
        raise UpstreamUnavailable("the database refused the connection")

    async def list(self, query: AuditQuery) -> AuditPage:
        raise UpstreamUnavailable("the database refused the connection")


class Ids:
    def new_id(self) -> str:
        return "e1"


@pytest.mark.parametrize(("status", "outcome"), [(202, Outcome.SUCCEEDED), (409, Outcome.REFUSED),
                                                 (503, Outcome.FAILED)])  # fmt: skip
async def test_a_write_is_logged_even_when_its_record_cannot_be_stored(
    caplog: pytest.LogCaptureFixture, status: int, outcome: Outcome
) -> None:
    caplog.set_level(logging.INFO, logger="askdocs.audit")
    seen = WriteSeen(Principal("key:abc", Role.EDITOR), "document.delete", "/api/v1/docs/d1",
                     "203.0.113.7", status, "r1")  # fmt: skip

    event = await RecordWrite(DownAuditLog(), FixedClock(), Ids()).execute(seen)

    assert event.outcome is outcome
    messages = [r.getMessage() for r in caplog.records]
    assert any("action=document.delete" in m and "client_ip=203.0.113.7" in m for m in messages)
    assert any("audit event e1 not stored" in m for m in messages)
