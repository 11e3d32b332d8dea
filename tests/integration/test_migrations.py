"""Migrations against a real PostgreSQL: fresh, repeated, concurrent, edited, failing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from askdocs.adapters.index.pg_sql import index_name
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.adapters.postgres.migrations import (
    Migration,
    MigrationError,
    PostgresMigrator,
    shipped_migrations,
)
from askdocs.application.ports.index import SearchQuery
from tests.contract.builders import MODEL, direction, make_chunk, make_indexed, make_liveness
from tests.support.postgres import ensure_test_database, postgres_url
from tests.support.settings_wiring import from_settings


@pytest.fixture
async def empty_schema() -> AsyncIterator[str]:
    """The name of a new, empty schema (dropped afterwards)."""
    url = postgres_url()
    await ensure_test_database(url)
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


def database_in(schema: str) -> PostgresDatabase:
    return from_settings(
        PostgresDatabase,
        url=postgres_url(),
        max_size=2,
        server_settings={"search_path": f"{schema},public"},
    )


async def ledger(schema: str) -> list[tuple[int, str]]:
    connection = await asyncpg.connect(postgres_url())
    try:
        rows = await connection.fetch(
            f"SELECT version, checksum FROM {schema}.schema_migrations ORDER BY version"
        )
    finally:
        await connection.close()
    return [(row["version"], row["checksum"]) for row in rows]


async def test_a_fresh_database_gets_every_migration_once_with_its_checksum(empty_schema):
    database = database_in(empty_schema)
    try:
        applied = await PostgresMigrator(database).migrate()
        async with database.connection() as connection:
            tables = {
                row["tablename"]
                for row in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = $1", empty_schema
                )
            }
    finally:
        await database.close()
    shipped = shipped_migrations()
    assert applied == [m.name for m in shipped]
    assert await ledger(empty_schema) == [(m.version, m.checksum) for m in shipped]
    assert {"documents", "document_versions", "chunks", "live_pages", "api_keys"} <= tables


async def test_migrating_again_applies_nothing(empty_schema):
    database = database_in(empty_schema)
    try:
        await PostgresMigrator(database).migrate()
        before = await ledger(empty_schema)
        assert await PostgresMigrator(database).migrate() == []
    finally:
        await database.close()
    assert await ledger(empty_schema) == before


async def test_concurrent_migrators_apply_each_migration_exactly_once(empty_schema):
    databases = [database_in(empty_schema) for _ in range(4)]
    try:
        results = await asyncio.gather(*(PostgresMigrator(d).migrate() for d in databases))
    finally:
        for database in databases:
            await database.close()
    applied = [name for result in results for name in result]
    assert sorted(applied) == sorted(m.name for m in shipped_migrations())
    assert len(await ledger(empty_schema)) == len(shipped_migrations())


def test_concurrent_migrate_commands_in_separate_processes_agree(empty_schema):
    url = f"{postgres_url()}?search_path={empty_schema},public"
    env = {**os.environ, "ASKDOCS_DATABASE__URL": url}
    command = [sys.executable, "-m", "askdocs.entrypoints.cli.main", "migrate"]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    applied_lines = [
        line for out, _ in outputs for line in out.splitlines() if line.startswith("applied")
    ]
    assert len(applied_lines) == len(shipped_migrations())
    assert len(asyncio.run(ledger(empty_schema))) == len(shipped_migrations())


async def test_an_edited_migration_is_refused(empty_schema):
    database = database_in(empty_schema)
    try:
        await PostgresMigrator(database).migrate()
        edited = [
            Migration(m.version, m.name, m.sql + "\n-- edited\n") if m.version == 1 else m
            for m in shipped_migrations()
        ]
        with pytest.raises(MigrationError, match="edited"):
            await PostgresMigrator(database, edited).migrate()
    finally:
        await database.close()


async def test_a_failing_migration_leaves_nothing_half_applied(empty_schema):
    database = database_in(empty_schema)
    broken = [
        *shipped_migrations(),
        Migration(999, "0999_break_things.sql", "CREATE TABLE half (id int); SELECT 1/0;"),
    ]
    try:
        with pytest.raises(MigrationError, match=r"0999_break_things\.sql failed: division"):
            await PostgresMigrator(database, broken).migrate()
        async with database.connection() as connection:
            half = await connection.fetchval("SELECT to_regclass('half')")
        assert await PostgresMigrator(database).migrate() == []
    finally:
        await database.close()
    assert half is None
    assert 999 not in [version for version, _ in await ledger(empty_schema)]


def test_migrate_without_a_database_url_explains_itself():
    env = {k: v for k, v in os.environ.items() if k != "ASKDOCS_DATABASE__URL"}
    result = subprocess.run(
        [sys.executable, "-m", "askdocs.entrypoints.cli.main", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "ASKDOCS_DATABASE__URL" in result.stderr


async def test_pending_names_every_migration_on_an_empty_schema_and_none_once_migrated(
    empty_schema,
):
    database = database_in(empty_schema)
    try:
        before = await PostgresMigrator(database).pending()
        await PostgresMigrator(database).migrate()
        after = await PostgresMigrator(database).pending()
    finally:
        await database.close()

    assert before == [m.name for m in shipped_migrations()]
    assert after == []


def test_serve_on_a_schema_not_migrated_says_to_migrate_and_exits_1(empty_schema):
    url = f"{postgres_url()}?search_path={empty_schema},public"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASKDOCS_")}
    result = subprocess.run(
        [sys.executable, "-m", "askdocs.entrypoints.cli.main", "serve"],
        env={**env, "ASKDOCS_DATABASE__URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1
    assert f"lacks {len(shipped_migrations())} migration(s)" in result.stderr
    assert "run `askdocs migrate`" in result.stderr


async def test_vector_indexes_are_rebuilt_as_halfvec_under_their_name_and_options(empty_schema):
    """Migration 0012: a `vector` index made before it becomes a `halfvec` one, with the same
    name, graph options and predicate, and searches of the `halfvec` type walk it."""
    database = database_in(empty_schema)
    try:
        earlier = [m for m in shipped_migrations() if m.version < 12]
        await PostgresMigrator(database, earlier).migrate()
        before = from_settings(
            PgVectorIndex, database=database, hnsw_type="vector", hnsw_m=8, hnsw_ef_construction=32
        )
        await before.add(
            [make_indexed(make_chunk("doc", "p", n), direction(n / 10, 384)) for n in range(20)]
        )
        await before.publish(make_liveness("doc", [("p", 1)]))

        assert await PostgresMigrator(database).migrate() == ["0012_index_vectors_as_halfvec.sql"]

        after = from_settings(PgVectorIndex, database=database, hnsw_type="halfvec")
        query = SearchQuery(text="", embedding=direction(0.72, 384), embedding_model=MODEL, k=3)
        hits = await after.search(query)
        plan = await after.explain(query)
        async with database.connection() as connection:
            definitions = await connection.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 "
                "AND indexdef LIKE '%USING hnsw%'",
                empty_schema,
            )
    finally:
        await database.close()
    assert [h.chunk.ordinal for h in hits] == [7, 8, 6]
    assert [row["indexname"] for row in definitions] == [index_name(MODEL)]
    definition = definitions[0]["indexdef"]
    assert "halfvec(384)) halfvec_cosine_ops" in definition
    assert "m='8', ef_construction='32'" in definition
    assert f"embedding_model = '{MODEL}'" in definition
    assert index_name(MODEL) in plan
