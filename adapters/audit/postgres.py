"""AuditLog on PostgreSQL: the `audit_events` table (migration 0011)."""

from __future__ import annotations

from typing import Any

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.audit import AuditPage, AuditQuery
from askdocs.domain.audit import AuditEvent, Outcome

_INSERT = """
INSERT INTO audit_events
    (id, at, subject, role, action, target, client_ip, outcome, status, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
"""
# NULL filters match everything; the window count gives the total with the page.
_MATCHING = """
FROM audit_events
WHERE ($1::text IS NULL OR subject = $1) AND ($2::text IS NULL OR action = $2)
  AND ($3::text IS NULL OR outcome = $3)
"""
_PAGE = (
    "SELECT id, at, subject, role, action, target, client_ip, outcome, status, request_id,"
    " count(*) OVER () AS total" + _MATCHING + "ORDER BY at DESC, id DESC OFFSET $4 LIMIT $5"
)
_COUNT = "SELECT count(*)" + _MATCHING


class PostgresAuditLog:
    """Audit events as rows, newest first by time."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database

    async def record(self, event: AuditEvent) -> None:
        async with self._database.connection() as connection:
            await connection.execute(
                _INSERT, event.id, event.at, event.subject, event.role, event.action,
                event.target, event.client_ip, event.outcome.value, event.status,
                event.request_id,
            )  # fmt: skip

    async def list(self, query: AuditQuery) -> AuditPage:
        filters = (query.subject, query.action, query.outcome.value if query.outcome else None)
        async with self._database.connection() as connection:
            rows = await connection.fetch(_PAGE, *filters, query.offset, query.limit)
            # A page past the end has no row to carry the total: count alone.
            total = rows[0]["total"] if rows else await connection.fetchval(_COUNT, *filters)
        return AuditPage(items=tuple(_event(row) for row in rows), total=int(total))


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row["id"],
        at=row["at"],
        subject=row["subject"],
        role=row["role"],
        action=row["action"],
        target=row["target"],
        client_ip=row["client_ip"],
        outcome=Outcome(row["outcome"]),
        status=row["status"],
        request_id=row["request_id"],
    )
