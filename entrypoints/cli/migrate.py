"""`askdocs migrate`: apply pending schema migrations to ASKDOCS_DATABASE__URL."""

from __future__ import annotations

import asyncio

from askdocs.adapters.index.pg_term_refresh import refresh_terms
from askdocs.adapters.postgres.migrations import MigrationError, PostgresMigrator
from askdocs.application.errors import UpstreamError
from askdocs.entrypoints.cli.startup import StartupFailure, check_database, database_failure
from askdocs.entrypoints.container import build_container
from askdocs.entrypoints.infrastructure import services_closed_after
from askdocs.entrypoints.settings import Settings, load_settings


async def _migrate(settings: Settings) -> tuple[list[str], int]:
    """The migrations applied, and the chunks whose terms an older lexicon made, remade."""
    async with services_closed_after(build_container(settings), "database") as container:
        database = container.database()
        applied = await PostgresMigrator(database).migrate()
        return applied, await refresh_terms(database)


def run(*, wait_s: float = 0.0) -> int:
    """Exit 0 when the schema is current; `wait_s`: how long to wait for a database that is
    still coming up.

    Raises:
        SettingsError: a setting that cannot work. StartupFailure: no database (status 2), or
            it cannot be used or a migration failed (status 1).
    """
    settings = load_settings()
    url = settings.database.url
    check_database(url, migrated=False, wait_s=wait_s)
    try:
        applied, remade = asyncio.run(_migrate(settings))
    except MigrationError as exc:
        raise StartupFailure(str(exc)) from exc
    except UpstreamError as exc:
        raise database_failure(url, exc) from exc
    for name in applied:
        print(f"applied {name}")
    print("schema is up to date" if not applied else f"{len(applied)} migration(s) applied")
    if remade:
        print(f"search terms of {remade} chunk(s) made again by the current lexicon")
    return 0
