"""PgVectorIndex's full-text leg: any word of the question, with websearch syntax kept.

The vector leg is weighted 0 here, so a hit with a positive score is one the text leg found.
"""

from __future__ import annotations

import pytest

from askdocs.adapters.index.pg_text_query import SELECTION_BUDGET, any_word_query
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import SearchQuery
from tests.contract.builders import MODEL, direction, make_chunk, make_indexed, make_liveness


async def text_index(postgres: PostgresDatabase, texts: list[str]) -> PgVectorIndex:
    index = PgVectorIndex(postgres, vector_weight=0.0)
    chunks = [make_chunk("doc", "page", n, text) for n, text in enumerate(texts)]
    for start in range(0, len(chunks), 1000):
        await index.add([make_indexed(c, direction(0.3)) for c in chunks[start : start + 1000]])
    await index.publish(make_liveness("doc", [("page", 1)]))
    return index


async def found(index: PgVectorIndex, question: str) -> list[str]:
    """Texts of the chunks the full-text leg found for `question`, best first."""
    hits = await index.search(
        SearchQuery(text=question, embedding=direction(0.0), embedding_model=MODEL, k=50)
    )
    return [hit.chunk.text for hit in hits if hit.score > 0]


async def test_a_negated_word_excludes_the_chunks_holding_it(postgres: PostgresDatabase) -> None:
    index = await text_index(postgres, ["apple pie recipe", "apple cake recipe", "pear tart"])

    assert await found(index, "apple recipe -pie") == ["apple cake recipe"]
    assert await found(index, 'recipe -"apple pie"') == ["apple cake recipe"]


async def test_a_quoted_phrase_matches_only_its_words_side_by_side(
    postgres: PostgresDatabase,
) -> None:
    index = await text_index(postgres, ["volcanic archipelago", "archipelago with a volcanic peak"])

    assert await found(index, '"volcanic archipelago"') == ["volcanic archipelago"]
    assert sorted(await found(index, '"volcanic archipelago" peak')) == [
        "archipelago with a volcanic peak",
        "volcanic archipelago",
    ]


@pytest.mark.parametrize("question", ["the of and", "-apple", "- ! ?", ""])
async def test_a_question_without_a_word_to_look_for_finds_nothing_by_text(
    postgres: PostgresDatabase, question: str
) -> None:
    index = await text_index(postgres, ["apple pie", "pear tart"])

    assert await found(index, question) == []


async def test_a_common_word_ranks_the_chunks_rarer_words_select_but_selects_none(
    postgres: PostgresDatabase,
) -> None:
    filler = [f"common filler {n}" for n in range(SELECTION_BUDGET + 200)]
    index = await text_index(postgres, [*filler, "rare alone", "rare and common"])
    async with postgres.connection() as connection:
        await connection.execute("ANALYZE chunks")  # the estimates come from the statistics
        queries = await connection.fetchrow(
            f"SELECT ranking::text, selecting::text FROM {any_word_query('$1')} AS q",
            "rare common",
        )

    assert queries is not None
    assert tuple(queries) == ("'rare' | 'common'", "'rare'")
    assert await found(index, "rare common") == ["rare and common", "rare alone"]


async def test_without_statistics_every_word_selects(postgres: PostgresDatabase) -> None:
    async with postgres.connection() as connection:
        queries = await connection.fetchrow(
            f"SELECT ranking::text, selecting::text FROM {any_word_query('$1')} AS q",
            'volcanic "zanzibar archipelago" -tour',
        )

    assert queries is not None
    assert tuple(queries) == (
        "'volcan' | 'zanzibar' <-> 'archipelago'",
        "( 'volcan' | 'zanzibar' <-> 'archipelago' ) & !'tour'",
    )
