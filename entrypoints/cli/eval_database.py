"""The PostgreSQL side of `askdocs eval --database-url`: a schema of its own for each run.

An evaluation ingests a whole corpus under fixed ids, so it must not share tables with anything
else: each run creates `eval_<hex>` in the given database, migrates it, hands out a URL whose
search_path names it, and drops it at the end whatever happened. Between ingestion and the
questions, `settle` does what autovacuum would do after a bulk load, so the questions run on the
plans a live database would choose.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.postgres.migrations import PostgresMigrator
from askdocs.entrypoints.cli.startup import one_connection

SCHEMA_PREFIX = "eval_"


def scoped_url(url: str, schema: str) -> str:
    """`url` with `schema` first on its search_path (public after it, for pgvector's types).

    asyncpg sends unknown URL parameters as server settings, and the last of a repeated one
    wins, so this overrides a search_path the URL already carries.
    """
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}search_path={schema},public"


@contextlib.asynccontextmanager
async def evaluation_schema(url: str) -> AsyncIterator[str]:
    """A new migrated schema in `url`'s database, as a URL selecting it; dropped on exit.

    Raises:
        UpstreamUnavailable, UpstreamTimeout: the database cannot be reached.
        MigrationError: the migrations failed in the new schema.
    """
    schema = f"{SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"  # hex only: safe as an identifier
    admin = one_connection(url)
    try:
        async with admin.connection() as connection:
            await connection.execute(f"CREATE SCHEMA {schema}")
        try:
            database = one_connection(scoped_url(url, schema))
            try:
                await PostgresMigrator(database).migrate()
            finally:
                await database.close()
            yield database.url
        finally:
            async with admin.connection() as connection:
                await connection.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


async def settle(database: PostgresDatabase) -> None:
    """VACUUM ANALYZE the tables searches read (in the database's search_path).

    Without statistics the planner takes freshly loaded tables for tiny ones and sorts every
    chunk rather than walk the HNSW or GIN index, which changes both results and timings;
    the vacuum also merges the GIN index's pending list. Autovacuum may be off or not yet
    have run, so this does not wait for it.
    """
    async with database.connection() as connection:
        await connection.execute("VACUUM (ANALYZE) chunks, live_pages, live_documents")
