"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import Phase, settings

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.redis.client import RedisClient
from tests.support.postgres import migrated_schema, unmigrated_schema
from tests.support.redis import isolated_client

# `nox -s mutation` runs the tests once per mutant. There a failure is all that counts, so no
# shrinking; the same examples every run and no example database, so a mutant's fate never
# depends on the mutants before it; and no deadline, so a slow example on a busy machine is
# never taken for a kill.
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
)


@pytest.fixture
async def postgres() -> AsyncIterator[PostgresDatabase]:
    """A migrated, empty PostgreSQL schema of its own (skips or fails without a server)."""
    async for database in migrated_schema():
        yield database


@pytest.fixture
async def unmigrated_postgres() -> AsyncIterator[PostgresDatabase]:
    """A PostgreSQL schema of its own that `askdocs migrate` never ran on (skips or fails
    without a server)."""
    async for database in unmigrated_schema():
        yield database


@pytest.fixture
async def redis_client() -> AsyncIterator[RedisClient]:
    """A RedisClient with a key prefix of its own, keys deleted after (skips or fails without
    a server)."""
    async for client in isolated_client():
        yield client
