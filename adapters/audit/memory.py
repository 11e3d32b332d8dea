"""AuditLog in process memory, for the embedded mode and tests."""

from __future__ import annotations

from collections import deque

from askdocs.application.ports.audit import AuditPage, AuditQuery
from askdocs.domain.audit import AuditEvent

MAX_EVENTS = 100_000


class InMemoryAuditLog:
    """The newest MAX_EVENTS events; lost when the process ends."""

    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self._events: deque[AuditEvent] = deque(maxlen=max_events)

    async def record(self, event: AuditEvent) -> None:
        self._events.append(event)

    async def list(self, query: AuditQuery) -> AuditPage:
        matching = [
            e
            for e in reversed(self._events)
            if (query.subject is None or e.subject == query.subject)
            and (query.action is None or e.action == query.action)
            and (query.outcome is None or e.outcome == query.outcome)
        ]
        page = matching[query.offset : query.offset + query.limit]
        return AuditPage(items=tuple(page), total=len(matching))
