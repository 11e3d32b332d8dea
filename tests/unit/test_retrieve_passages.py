"""RetrievePassages: the rerank decides the order, and coverage says how much is answered."""

from __future__ import annotations

import pytest

from askdocs.application.ingest_document import Upload
from askdocs.application.ports import SearchQuery
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container

NOTES = {
    "rules.md": "# Header rule\n\nSet headrulewidth to zero to remove the rule.",
    "pages.md": "# Pages\n\nA page has a header and a footer, and a rule may sit below each.",
    "fonts.md": "# Fonts\n\nThe header font is set apart from the body font.",
}
QUESTION = "How do I remove the header rule?"


async def library(container: Container, editor: Principal) -> None:
    for name, text in NOTES.items():
        await container.ingest_document().execute(Upload(text.encode(), name, editor))


async def test_candidates_are_reranked_and_each_kept_passage_has_its_coverage(
    container: Container, editor: Principal
) -> None:
    await library(container, editor)

    retrieved = await container.retrieve_passages().execute(QUESTION, k=3)

    assert retrieved.hits[0].liveness.document_name == "rules.md"
    assert [h.score for h in retrieved.hits] == sorted(
        (h.score for h in retrieved.hits), reverse=True
    )
    assert retrieved.coverages[0] == pytest.approx(1.0)
    assert retrieved.coverage() == max(retrieved.coverages)
    assert retrieved.coverage(1) == retrieved.coverages[0]


@pytest.mark.settings(index__rerank_depth=0)
async def test_with_no_depth_the_index_s_own_order_is_kept(
    container: Container, editor: Principal
) -> None:
    await library(container, editor)
    embedder = container.embedder()
    searched = await container.index().search(
        SearchQuery(QUESTION, await embedder.embed_query(QUESTION), embedder.model_id, k=3)
    )

    retrieved = await container.retrieve_passages().execute(QUESTION, k=3)

    assert [h.chunk.id for h in retrieved.hits] == [h.chunk.id for h in searched]


async def test_a_question_about_something_no_document_mentions_is_barely_covered(
    container: Container, editor: Principal
) -> None:
    await library(container, editor)

    retrieved = await container.retrieve_passages().execute(
        "How do I tune the carburettor of a motorbike?", k=3
    )

    assert retrieved.coverage() < 0.5
