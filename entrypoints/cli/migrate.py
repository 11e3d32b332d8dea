"""`askdocs migrate`: apply pending schema migrations to ASKDOCS_DATABASE__URL."""

from __future__ import annotations

import asyncio
import sys

from askdocs.adapters.index.pg_term_refresh import refresh_terms
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.postgres.migrations import MigrationError, PostgresMigrator
from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.settings import load_settings


async def _migrate(url: str) -> tuple[list[str], int]:
    """The migrations applied, and the chunks whose terms an older lexicon made, remade."""
    database = PostgresDatabase(url, min_size=1, max_size=1)
    try:
        applied = await PostgresMigrator(database).migrate()
        return applied, await refresh_terms(database)
    finally:
        await database.close()


def run() -> int:
    """Exit 0 when the schema is current, 1 when migrating failed, 2 without a database."""
    settings = load_settings()
    if not settings.database.url:
        print("askdocs migrate: set ASKDOCS_DATABASE__URL to a PostgreSQL URL", file=sys.stderr)
        return 2
    try:
        applied, remade = asyncio.run(_migrate(settings.database.url))
    except (MigrationError, UpstreamError) as exc:
        print(f"askdocs migrate: {exc}", file=sys.stderr)
        return 1
    for name in applied:
        print(f"applied {name}")
    print("schema is up to date" if not applied else f"{len(applied)} migration(s) applied")
    if remade:
        print(f"search terms of {remade} chunk(s) made again by the current lexicon")
    return 0
