"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from askdocs.adapters.postgres.database import PostgresDatabase
from tests.support.postgres import migrated_schema


@pytest.fixture
async def postgres() -> AsyncIterator[PostgresDatabase]:
    """A migrated, empty PostgreSQL schema of its own (skips or fails without a server)."""
    async for database in migrated_schema():
        yield database
