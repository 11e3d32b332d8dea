"""PostgresDatabase's pool: what a connection starts with, and what it returns in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from askdocs.adapters.postgres.database import PostgresDatabase
from tests.support.postgres import migrated_schema
from tests.support.settings_wiring import from_settings


@pytest.fixture
async def one_connection() -> AsyncIterator[PostgresDatabase]:
    """A pool of exactly one connection, so every acquire gets the one released before."""
    async for schema in migrated_schema():  # skips or fails without a server
        database = from_settings(
            PostgresDatabase,
            url=schema.url,
            min_size=1,
            max_size=1,
            server_settings={"work_mem": "7MB"},
        )
        yield database
        await database.close()


async def test_a_transaction_left_open_is_rolled_back_on_release(
    one_connection: PostgresDatabase,
) -> None:
    async with one_connection.connection() as connection:
        await connection.execute("BEGIN; CREATE TABLE half_written (n integer)")
    async with one_connection.connection() as connection:
        assert not connection.is_in_transaction()
        exists = await connection.fetchval("SELECT to_regclass('half_written') IS NOT NULL")
    assert exists is False


async def test_the_settings_a_connection_starts_with_hold_for_every_user(
    one_connection: PostgresDatabase,
) -> None:
    async with one_connection.connection() as connection:
        await connection.execute("BEGIN; SET LOCAL work_mem = '9MB'; COMMIT")
    async with one_connection.connection() as connection:
        assert await connection.fetchval("SHOW work_mem") == "7MB"
    assert one_connection.server_settings == {"work_mem": "7MB"}
