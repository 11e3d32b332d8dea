"""How chunk rows are stored: a 384-dimension chunk stays whole in the heap (migration 0003)."""

from __future__ import annotations

import pytest

from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from tests.contract.builders import direction, make_chunk, make_indexed
from tests.support.settings_wiring import from_settings

TOAST_PAGES = """
SELECT pg_relation_size(reltoastrelid) / current_setting('block_size')::integer
FROM pg_class WHERE oid = 'chunks'::regclass
"""


async def test_a_384_dimension_chunk_with_its_text_is_not_toasted(
    postgres: PostgresDatabase,
) -> None:
    text = " ".join(f"word{n}" for n in range(60))  # ~420 bytes of text, a longer tsvector
    chunks = [make_indexed(make_chunk("doc", "p", n, text), direction(n, 384)) for n in range(50)]
    await from_settings(PgVectorIndex, database=postgres).add(chunks)
    async with postgres.connection() as connection:
        row_bytes = await connection.fetchval("SELECT max(pg_column_size(c.*)) FROM chunks c")
        toast_pages = await connection.fetchval(TOAST_PAGES)
    assert row_bytes > 2032  # past the default threshold, which moved the vector out of line
    assert toast_pages == 0


@pytest.mark.parametrize("dim", [2048])
async def test_a_vector_too_long_for_a_page_is_still_stored(
    postgres: PostgresDatabase, dim: int
) -> None:
    chunk = make_chunk("doc", "p", 0, "long")
    await from_settings(PgVectorIndex, database=postgres).add(
        [make_indexed(chunk, direction(0.5, dim), model="long")]
    )
    async with postgres.connection() as connection:
        toast_pages = await connection.fetchval(TOAST_PAGES)
    assert toast_pages > 0  # 8 kB of vector: out of line, as before
