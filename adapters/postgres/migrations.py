"""PostgresMigrator: forward-only plain-SQL migrations, applied once each and in order.

Files are `NNNN_verb_noun.sql` shipped in `askdocs.migrations`. Each runs in its own
transaction and is recorded with its SHA-256 in `schema_migrations`; a recorded migration
whose file has since changed stops the run (an edited migration would silently diverge
databases). A session-level advisory lock makes concurrent runs wait for each other, so two
processes starting at once apply each migration exactly once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from importlib import resources

import asyncpg

from askdocs.adapters.postgres.database import Connection, PostgresDatabase

ADVISORY_LOCK_KEY = 0x61736B646F6373  # "askdocs" in ASCII, fits a bigint
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    """The migrations on disk and those recorded in the database disagree."""


@dataclasses.dataclass(frozen=True, slots=True)
class Migration:
    """One SQL file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def shipped_migrations() -> list[Migration]:
    """The migrations in the package, in order."""
    found: list[Migration] = []
    for entry in resources.files("askdocs.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number")
    return found


class PostgresMigrator:
    """Applies pending migrations under an advisory lock."""

    def __init__(
        self, database: PostgresDatabase, migrations: list[Migration] | None = None
    ) -> None:
        self._database = database
        self._migrations = migrations

    async def migrate(self) -> list[str]:
        """Apply what is pending; returns the names applied now (empty when up to date)."""
        migrations = self._migrations if self._migrations is not None else shipped_migrations()
        applied_now: list[str] = []
        async with self._database.connection() as connection:
            await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
            try:
                await connection.execute(_CREATE_LEDGER)
                rows = await connection.fetch(
                    "SELECT version, name, checksum FROM schema_migrations"
                )
                recorded = {row["version"]: row for row in rows}
                for migration in migrations:
                    row = recorded.get(migration.version)
                    if row is not None:
                        if row["checksum"] != migration.checksum:
                            raise MigrationError(
                                f"migration {migration.name} was edited after it was applied; "
                                "add a new migration instead"
                            )
                        continue
                    try:
                        await self._apply(connection, migration)
                    except asyncpg.PostgresError as exc:
                        raise MigrationError(f"{migration.name} failed: {exc}") from exc
                    applied_now.append(migration.name)
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
        if applied_now:
            # Connections opened before the vector type existed lack its codec.
            await (await self._database.pool()).expire_connections()
        return applied_now

    async def pending(self) -> list[str]:
        """The names of the migrations not applied yet (every one, on an empty database)."""
        migrations = self._migrations if self._migrations is not None else shipped_migrations()
        async with self._database.connection() as connection:
            if await connection.fetchval("SELECT to_regclass('schema_migrations')") is None:
                return [migration.name for migration in migrations]
            rows = await connection.fetch("SELECT version FROM schema_migrations")
        recorded = {row["version"] for row in rows}
        return [migration.name for migration in migrations if migration.version not in recorded]

    @staticmethod
    async def _apply(connection: Connection, migration: Migration) -> None:
        async with connection.transaction():
            await connection.execute(migration.sql)
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
