"""RecordWrite and ListAuditEvents: the audit trail of authenticated writes."""

from __future__ import annotations

import dataclasses
import logging

from askdocs.application.errors import UpstreamError
from askdocs.application.ports import Clock, IdGenerator
from askdocs.application.ports.audit import AuditLog, AuditPage, AuditQuery
from askdocs.domain.audit import AuditEvent, Outcome
from askdocs.domain.principals import Principal

log = logging.getLogger("askdocs.audit")


@dataclasses.dataclass(frozen=True, slots=True)
class WriteSeen:
    """A write as the entrypoint saw it answered."""

    principal: Principal
    action: str
    target: str
    client_ip: str
    status: int
    request_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class RecordWrite:
    """Put a write in the audit log and in the log.

    The write has happened (or been refused) whatever becomes of its record: a log that
    cannot be reached costs the record, said loudly in the log, never the answer.
    """

    audit_log: AuditLog
    clock: Clock
    ids: IdGenerator

    async def execute(self, seen: WriteSeen) -> AuditEvent:
        event = AuditEvent(
            id=self.ids.new_id(),
            at=self.clock.now(),
            subject=seen.principal.subject,
            role=seen.principal.role.value,
            action=seen.action,
            target=seen.target,
            client_ip=seen.client_ip,
            outcome=Outcome.of_status(seen.status),
            status=seen.status,
            request_id=seen.request_id,
        )
        fields = dataclasses.asdict(event) | {"at": event.at.isoformat()}
        log.info("audit %s", " ".join(f"{k}={v}" for k, v in fields.items()))
        try:
            await self.audit_log.record(event)
        except UpstreamError as exc:
            log.error("audit event %s not stored: %s", event.id, exc.detail or type(exc).__name__)
        return event


@dataclasses.dataclass(frozen=True, slots=True)
class ListAuditEvents:
    """Audit events, newest first, filtered and paged."""

    audit_log: AuditLog

    async def execute(self, query: AuditQuery) -> AuditPage:
        return await self.audit_log.list(query)
