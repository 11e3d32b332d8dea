"""A throwaway PostgreSQL schema per test, migrated or not, on the server the suite is pointed at.

The server comes from ASKDOCS_TEST_DATABASE_URL (default: the local server's askdocs_test
database). When it cannot be reached the tests skip with the reason, or fail when
ASKDOCS_REQUIRE_SERVICES=1 (as in CI), so a missing service can never pass silently.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.postgres.migrations import PostgresMigrator
from tests.support.settings_wiring import from_settings

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/askdocs_test"


def postgres_url() -> str:
    return os.environ.get("ASKDOCS_TEST_DATABASE_URL", DEFAULT_URL)


def services_required() -> bool:
    return os.environ.get("ASKDOCS_REQUIRE_SERVICES", "") not in ("", "0", "false")


def unavailable(reason: str) -> None:
    """Skip, or fail when services are required."""
    if services_required():
        pytest.fail(f"PostgreSQL is required (ASKDOCS_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


async def ensure_test_database(url: str) -> None:
    """Create the test database and the vector extension in it when missing."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = await asyncpg.connect(admin_url, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"cannot connect to {parts.hostname}:{parts.port}: {exc}")
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
    except asyncpg.PostgresError as exc:
        unavailable(
            f"the pgvector extension is not installed ({exc}); run scripts/install-pgvector.sh"
        )
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def _throwaway_schema() -> AsyncIterator[tuple[str, str]]:
    """(the server's URL, the name of a new empty schema in it); the schema is dropped after."""
    url = postgres_url()
    await ensure_test_database(url)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
    finally:
        await admin.close()
    try:
        yield url, schema
    finally:
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        finally:
            await admin.close()


async def migrated_schema(
    server_settings: dict[str, str] | None = None,
) -> AsyncIterator[PostgresDatabase]:
    """A PostgresDatabase whose search_path is a fresh, migrated schema; dropped afterwards.

    `server_settings` are what its connections start with.
    """
    async with _throwaway_schema() as (url, schema):
        # asyncpg sends unknown URL parameters as server settings, so the URL alone carries
        # the schema: the same string works for PostgresDatabase, subprocesses and
        # ASKDOCS_DATABASE__URL.
        database = from_settings(
            PostgresDatabase,
            url=f"{url}?search_path={schema},public",
            min_size=1,
            max_size=4,
            server_settings=server_settings,
        )
        try:
            await PostgresMigrator(database).migrate()
            yield database
        finally:
            await database.close()


async def unmigrated_schema() -> AsyncIterator[PostgresDatabase]:
    """A PostgresDatabase on a fresh schema nobody migrated: no table, and nothing else on its
    search_path (not even `public`, where the test database keeps the vector type)."""
    async with _throwaway_schema() as (url, schema):
        database = from_settings(
            PostgresDatabase, url=f"{url}?search_path={schema}", min_size=1, max_size=4
        )
        try:
            yield database
        finally:
            await database.close()
