"""Protocol: AuditLog, where the audit trail is kept."""

from __future__ import annotations

import dataclasses
from typing import Protocol

from askdocs.domain.audit import AuditEvent, Outcome


@dataclasses.dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which events to list (all filters must match), newest first, and which page."""

    subject: str | None = None
    action: str | None = None
    outcome: Outcome | None = None
    offset: int = 0
    limit: int = 50


@dataclasses.dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of events and how many matched in all."""

    items: tuple[AuditEvent, ...]
    total: int


class AuditLog(Protocol):
    """Protocol: keeps audit events (never changed once written) and lists them.

    Raises:
        UpstreamUnavailable: the log cannot be written or read (unreachable, or a database
            schema not migrated).
    """

    async def record(self, event: AuditEvent) -> None:
        """Keep `event`."""
        ...

    async def list(self, query: AuditQuery) -> AuditPage:
        """The events matching `query`, newest first."""
        ...
