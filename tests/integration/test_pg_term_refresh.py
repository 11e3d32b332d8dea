"""Chunks whose terms an earlier lexicon made are made again, and found by today's terms."""

from __future__ import annotations

from askdocs.adapters.index.pg_lexemes import tsvector_literal
from askdocs.adapters.index.pg_term_refresh import refresh_terms
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.domain.lexicon import LEXICON_VERSION
from tests.integration.test_pg_full_text import found, text_index

TEXTS = ["Temporary files are deleted automatically", "Compression levels", "pear tart"]


async def test_rows_an_earlier_lexicon_made_are_remade_and_found_again(
    postgres: PostgresDatabase,
) -> None:
    index = await text_index(postgres, TEXTS)
    async with postgres.connection() as connection:
        # As a row stored by version 1 was: its words only lower-cased, not stemmed.
        await connection.execute("UPDATE chunks SET lexicon = 1, tsv = to_tsvector('simple', text)")
    assert await found(index, "automatic deletion") == []

    remade = await refresh_terms(postgres, batch=2)  # more rows than a batch

    assert remade == len(TEXTS)
    assert await found(index, "automatic deletion") == [TEXTS[0]]
    assert await found(index, "compressed") == [TEXTS[1]]
    async with postgres.connection() as connection:
        rows = await connection.fetch("SELECT text, section, tsv::text, lexicon FROM chunks")
        expected = {r["text"]: await connection.fetchval(
            "SELECT $1::tsvector::text", tsvector_literal(r["text"], r["section"])
        ) for r in rows}  # fmt: skip
    assert {r["text"]: r["tsv"] for r in rows} == expected
    assert {r["lexicon"] for r in rows} == {LEXICON_VERSION}
    assert await refresh_terms(postgres) == 0  # nothing left to remake


async def test_new_rows_record_the_current_lexicon(postgres: PostgresDatabase) -> None:
    await text_index(postgres, TEXTS)

    async with postgres.connection() as connection:
        versions = await connection.fetch("SELECT DISTINCT lexicon FROM chunks")

    assert [row["lexicon"] for row in versions] == [LEXICON_VERSION]
