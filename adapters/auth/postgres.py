"""ApiKeyStore on PostgreSQL: the `api_keys` table (migrations 0001 and 0010)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.domain.principals import ApiKey, Role

_FIND = """
SELECT id, token_sha256, role, name, created_at, expires_at, last_used_at, revoked_at
FROM api_keys WHERE token_sha256 = $1 AND revoked_at IS NULL
"""
_INSERT = """
INSERT INTO api_keys (id, token_sha256, role, name, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)
"""
# One transaction-scoped lock serialises first starts: NOT EXISTS alone would let two
# concurrent inserts both see an empty table.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('askdocs.api_keys.first'))"
_ANY_USABLE = """
SELECT EXISTS (
    SELECT 1 FROM api_keys
    WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
)
"""
_LIST = """
SELECT id, token_sha256, role, name, created_at, expires_at, last_used_at, revoked_at
FROM api_keys ORDER BY created_at DESC, id
"""
_REVOKE = """
UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1
RETURNING id, token_sha256, role, name, created_at, expires_at, last_used_at, revoked_at
"""
_RECORD_USE = "UPDATE api_keys SET last_used_at = $2 WHERE token_sha256 = $1"


class PostgresApiKeyStore:
    """Hashed keys in PostgreSQL, shared by every process."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database

    async def find(self, token_sha256: str) -> ApiKey | None:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(_FIND, token_sha256)
        return _key(row) if row is not None else None

    async def add(self, key: ApiKey, *, only_if_none_usable: bool = False) -> bool:
        values = (key.id, key.token_sha256, key.role.value, key.name, key.created_at,
                  key.expires_at)  # fmt: skip
        async with self._database.connection() as connection, connection.transaction():
            if only_if_none_usable:
                await connection.execute(_LOCK)
                if await connection.fetchval(_ANY_USABLE, key.created_at):
                    return False
            await connection.execute(_INSERT, *values)
        return True

    async def list(self) -> list[ApiKey]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(_LIST)
        return [_key(row) for row in rows]

    async def revoke(self, key_id: str, at: datetime) -> ApiKey | None:
        async with self._database.connection() as connection:
            row = await connection.fetchrow(_REVOKE, key_id, at)
        return _key(row) if row is not None else None

    async def record_use(self, token_sha256: str, at: datetime) -> None:
        async with self._database.connection() as connection:
            await connection.execute(_RECORD_USE, token_sha256, at)


def _key(row: Any) -> ApiKey:
    return ApiKey(
        token_sha256=row["token_sha256"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        id=row["id"],
        name=row["name"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
    )
