"""GET /api/v1/audit: the audit trail, for admins."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter

from askdocs.application.audit import ListAuditEvents
from askdocs.application.ports.audit import AuditQuery
from askdocs.domain.audit import AuditEvent, Outcome
from askdocs.domain.principals import Role
from askdocs.entrypoints.http.openapi import documented
from askdocs.entrypoints.http.schemas import Out
from askdocs.entrypoints.http.security import requires


class AuditEventOut(Out, frozen=True):
    id: str
    at: datetime
    subject: str
    role: str
    action: str
    target: str
    client_ip: str
    outcome: str
    status: int
    request_id: str

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventOut:
        fields = {f: getattr(event, f) for f in cls.__struct_fields__}
        return cls(**fields | {"outcome": event.outcome.value})


class AuditPageOut(Out, frozen=True):
    items: list[AuditEventOut] = msgspec.field(default_factory=list)
    total: int = 0
    offset: int = 0
    limit: int = 50


@get("/api/v1/audit", tags=["audit"], guards=[requires(Role.ADMIN)], **documented(403, 422))
async def audit_trail(
    list_audit_events: NamedDependency[ListAuditEvents],
    subject: str | None = Parameter(default=None, max_length=300),
    action: str | None = Parameter(default=None, max_length=64),
    outcome: FromQuery[Outcome | None] = None,
    offset: int = Parameter(default=0, ge=0, le=1_000_000),
    limit: int = Parameter(default=50, ge=1, le=200),
) -> AuditPageOut:
    """Who wrote what, when, from where, and how it ended; newest first, filtered by
    `subject`, `action` (e.g. `document.delete`) and `outcome` (succeeded, refused, failed)."""
    page = await list_audit_events.execute(
        AuditQuery(subject=subject, action=action, outcome=outcome, offset=offset, limit=limit)
    )
    return AuditPageOut(
        items=[AuditEventOut.of(e) for e in page.items],
        total=page.total,
        offset=offset,
        limit=limit,
    )
