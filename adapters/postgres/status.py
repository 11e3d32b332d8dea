"""What an operator asks of the database: migrations applied and pending, ingestion jobs by
status, documents by the status of their newest version (`askdocs db status`)."""

from __future__ import annotations

import dataclasses

from askdocs.adapters.postgres.database import Connection, PostgresDatabase
from askdocs.adapters.postgres.migrations import shipped_migrations

_APPLIED = "SELECT name FROM schema_migrations ORDER BY version"
_JOBS = "SELECT status::text AS status, count(*) AS n FROM pgqueuer GROUP BY 1 ORDER BY 1"
# A deleted document counts as `deleted` whatever its versions' states.
_DOCUMENTS = """
SELECT CASE WHEN d.deleted_at IS NOT NULL THEN 'deleted' ELSE newest.status END AS status,
       count(*) AS n
FROM documents d
CROSS JOIN LATERAL (
    SELECT v.status FROM document_versions v
    WHERE v.document_id = d.id ORDER BY v.version DESC LIMIT 1
) AS newest
GROUP BY 1 ORDER BY 1
"""


@dataclasses.dataclass(frozen=True, slots=True)
class DatabaseStatus:
    """A snapshot; a table that does not exist yet (migrations pending) counts nothing."""

    applied: list[str]
    pending: list[str]
    jobs: dict[str, int]
    documents: dict[str, int]


async def database_status(database: PostgresDatabase) -> DatabaseStatus:
    """Read the snapshot in one connection.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the database cannot be reached.
    """
    async with database.connection() as connection:
        applied = await _names(connection)
        recorded = set(applied)
        pending = [m.name for m in shipped_migrations() if m.name not in recorded]
        return DatabaseStatus(
            applied=applied,
            pending=pending,
            jobs=await _counts(connection, "pgqueuer", _JOBS),
            documents=await _counts(connection, "documents", _DOCUMENTS),
        )


async def _exists(connection: Connection, table: str) -> bool:
    return await connection.fetchval("SELECT to_regclass($1)", table) is not None


async def _names(connection: Connection) -> list[str]:
    if not await _exists(connection, "schema_migrations"):
        return []
    return [row["name"] for row in await connection.fetch(_APPLIED)]


async def _counts(connection: Connection, table: str, query: str) -> dict[str, int]:
    if not await _exists(connection, table):
        return {}
    return {row["status"]: row["n"] for row in await connection.fetch(query)}
