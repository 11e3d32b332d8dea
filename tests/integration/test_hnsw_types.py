"""Each HNSW type (`index.hnsw_type`): its index is built on first add and walked by searches,
and the rows a walk yields are ranked by the full vectors, so every type returns the exact
order where the walk reaches the nearest rows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from askdocs.adapters.index.pg_sql import index_name
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import SearchQuery
from tests.contract.builders import MODEL, direction, make_chunk, make_indexed, make_liveness
from tests.support.postgres import migrated_schema
from tests.support.settings_wiring import from_settings

DIM = 384


@pytest_asyncio.fixture
async def database() -> AsyncIterator[PostgresDatabase]:
    async for migrated in migrated_schema():
        yield migrated


async def indexed_passages(index: PgVectorIndex, count: int = 20) -> None:
    """`count` passages at angles 0, 0.1, 0.2 ... radians in one plane, all live."""
    await index.add(
        [
            make_indexed(make_chunk("doc", "p", n, f"passage {n}"), direction(n / 10, DIM))
            for n in range(count)
        ]
    )
    await index.publish(make_liveness("doc", [("p", 1)]))


async def definition_of(database: PostgresDatabase, name: str) -> str | None:
    async with database.connection() as connection:
        found: str | None = await connection.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = $1", name
        )
    return found


QUERY = SearchQuery(text="", embedding=direction(0.72, DIM), embedding_model=MODEL, k=3)


@pytest.mark.parametrize(
    ("hnsw_type", "operators"),
    [
        ("vector", "vector_cosine_ops"),
        ("halfvec", "halfvec_cosine_ops"),
        ("bit", "bit_hamming_ops"),
    ],
)
async def test_each_type_builds_its_index_walks_it_and_ranks_by_the_full_vectors(
    database: PostgresDatabase, hnsw_type: str, operators: str
) -> None:
    index = from_settings(PgVectorIndex, database=database, hnsw_type=hnsw_type)
    await indexed_passages(index)

    hits = await index.search(QUERY)

    assert [h.chunk.text for h in hits] == ["passage 7", "passage 8", "passage 6"]
    definition = await definition_of(database, index_name(MODEL))
    assert definition is not None
    assert operators in definition
    assert index_name(MODEL) in await index.explain(QUERY)
