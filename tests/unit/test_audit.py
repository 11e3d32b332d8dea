"""RecordWrite: an audit log that cannot be reached costs the record, never the answer."""

from __future__ import annotations

import logging

import pytest

from askdocs.application.audit import RecordWrite, WriteSeen
from askdocs.application.errors import UpstreamUnavailable
from askdocs.application.ports.audit import AuditPage, AuditQuery
from askdocs.domain.audit import AuditEvent, Outcome
from askdocs.domain.principals import Principal, Role
from askdocs.entrypoints.container import Container
from tests.unit.conftest import START, FixedClock


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


async def test_a_write_is_stored_and_logged_field_by_field(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="askdocs.audit")
    seen = WriteSeen(Principal("key:abc", Role.EDITOR), "document.delete", "/api/v1/docs/d1",
                     "203.0.113.7", 204, "r1")  # fmt: skip

    event = await container.record_write().execute(seen)

    assert event == AuditEvent(
        id=event.id,
        at=START,
        subject="key:abc",
        role="editor",
        action="document.delete",
        target="/api/v1/docs/d1",
        client_ip="203.0.113.7",
        outcome=Outcome.SUCCEEDED,
        status=204,
        request_id="r1",
    )
    assert (await container.list_audit_events().execute(AuditQuery())).items == (event,)
    assert [r.getMessage() for r in caplog.records] == [
        f"audit id={event.id} at=2025-03-01T12:00:30+00:00 subject=key:abc role=editor"
        " action=document.delete target=/api/v1/docs/d1 client_ip=203.0.113.7"
        " outcome=succeeded status=204 request_id=r1"
    ]


class SilentAuditLog(DownAuditLog):
    async def record(self, event: AuditEvent) -> None:
        raise UpstreamUnavailable()


@pytest.mark.parametrize(
    ("audit_log", "reason"),
    [
        (DownAuditLog(), "the database refused the connection"),
        (SilentAuditLog(), "UpstreamUnavailable"),
    ],
    ids=["with its detail", "without detail, by its kind"],
)
async def test_a_record_that_cannot_be_stored_is_logged_with_the_reason(
    caplog: pytest.LogCaptureFixture, audit_log: DownAuditLog, reason: str
) -> None:
    seen = WriteSeen(Principal("key:abc", Role.ADMIN), "key.revoke", "/api/v1/keys/k1",
                     "203.0.113.7", 204, "r2")  # fmt: skip

    await RecordWrite(audit_log, FixedClock(), Ids()).execute(seen)

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [f"audit event e1 not stored: {reason}"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (399, Outcome.SUCCEEDED),
        (400, Outcome.REFUSED),
        (499, Outcome.REFUSED),
        (500, Outcome.FAILED),
    ],
)
def test_the_outcome_turns_at_400_and_at_500(status: int, outcome: Outcome) -> None:
    assert Outcome.of_status(status) is outcome
