"""PgVectorIndex's full-text leg: any term of the question, from askdocs' own lexicon.

The vector leg is weighted 0 here, so a hit with a positive score is one the text leg found.
"""

from __future__ import annotations

import pytest

from askdocs.adapters.index.pg_text_query import SELECTION_BUDGET
from askdocs.adapters.index.pgvector import PgVectorIndex
from askdocs.adapters.postgres.database import PostgresDatabase
from askdocs.application.ports.index import SearchQuery
from tests.contract.builders import MODEL, direction, make_chunk, make_indexed, make_liveness
from tests.support.settings_wiring import from_settings


async def text_index(postgres: PostgresDatabase, texts: list[str]) -> PgVectorIndex:
    index = from_settings(PgVectorIndex, database=postgres, vector_weight=0.0)
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


async def test_every_term_of_the_question_may_match_and_identifiers_match_by_their_parts(
    postgres: PostgresDatabase,
) -> None:
    index = await text_index(
        postgres, ["run(args, capture_output=True)", "the output files", "pear tart"]
    )

    assert await found(index, "capture_output") == [
        "run(args, capture_output=True)",
        "the output files",
    ]
    assert await found(index, "how is output captured?") == [
        "run(args, capture_output=True)",
        "the output files",
    ]


@pytest.mark.parametrize("question", ["the of and", "- ! ?", ""])
async def test_a_question_without_a_word_to_look_for_finds_nothing_by_text(
    postgres: PostgresDatabase, question: str
) -> None:
    index = await text_index(postgres, ["apple pie", "pear tart"])

    assert await found(index, question) == []


async def test_a_common_word_ranks_the_chunks_rarer_words_select_but_selects_none(
    postgres: PostgresDatabase,
) -> None:
    # No ANALYZE: the selection counts the chunks holding each word, so a word the planner's
    # statistics do not list (here, none are collected) is not taken for a rare one.
    filler = [f"common filler {n}" for n in range(SELECTION_BUDGET + 200)]
    index = await text_index(postgres, [*filler, "rare alone", "rare and common"])

    assert await found(index, "rare common") == ["rare and common", "rare alone"]
    assert len(await found(index, "common")) == 50  # alone, the rarest word always selects


async def test_term_counts_are_kept_for_a_minute_and_new_terms_counted_at_once(
    postgres: PostgresDatabase,
) -> None:
    index = await text_index(postgres, ["apple pie", "apple tart"])
    assert (await index.term_counts(MODEL, ["appl"])).counts == {"appl": 2}
    more = [make_chunk("doc", "page", n, "apple crumble pear") for n in range(2, 5)]
    await index.add([make_indexed(c, direction(0.3)) for c in more])

    counted = await index.term_counts(MODEL, ["appl", "pear"])

    assert counted.counts == {"appl": 2, "pear": 3}  # apple's count is the kept one
    assert counted.chunks == 2  # so is the chunk total (CHUNK_TOTAL_TTL_S)
    fresh = from_settings(PgVectorIndex, database=postgres, vector_weight=0.0)
    assert (await fresh.term_counts(MODEL, ["appl", "pear"])).counts == {"appl": 5, "pear": 3}
