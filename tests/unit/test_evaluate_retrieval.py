"""EvaluateRetrieval through the real container: where each golden source ranks, and answers."""

from __future__ import annotations

import pytest

from askdocs.application.errors import InvalidInput
from askdocs.application.evaluate_retrieval import EvaluateRetrieval
from askdocs.application.ingest_document import Upload
from askdocs.domain.answers import declined
from askdocs.domain.evaluation import GoldenCase
from askdocs.domain.principals import Principal
from askdocs.entrypoints.container import Container
from askdocs.entrypoints.settings import Settings
from tests.support.failing import Unreachable
from tests.support.pdf import make_pdf

KITCHEN = [
    "Cast iron pans must be dried immediately after washing to prevent rust.",
    "Sourdough starter needs feeding with flour and water every day.",
    "Espresso is brewed by forcing hot water through finely ground coffee.",
]
GARDEN = "Tomato seedlings should be hardened off outdoors for a week before planting."


def evaluation(container: Container) -> EvaluateRetrieval:
    # Scored as `askdocs evaluate` scores: the first `top_k` answer, as in a chat.
    index = container.settings().index
    return EvaluateRetrieval(
        retrieve=container.retrieve_passages(),
        chat_model=container.chat_model(),
        answer_k=index.top_k,
        min_coverage=index.min_coverage,
    )


@pytest.fixture
async def library(container: Container, editor: Principal) -> Container:
    ingest = container.ingest_document()
    await ingest.execute(Upload(make_pdf(KITCHEN), "kitchen.pdf", editor))
    await ingest.execute(Upload(GARDEN.encode(), "garden.txt", editor))
    return container


async def test_a_paginated_source_counts_only_on_its_page(library: Container) -> None:
    right = GoldenCase("What does sourdough starter need every day?", "kitchen.pdf", 2, "flour")
    wrong_page = GoldenCase("What does sourdough starter need every day?", "kitchen.pdf", 3, "x")

    report = await evaluation(library).execute([right, wrong_page], k_values=(1,))

    ranks = [outcome.rank for outcome in report.outcomes]
    assert ranks == [1, None]
    assert report.recall == {1: 0.5}
    assert report.misses == (report.outcomes[1],)


async def test_an_unpaginated_source_counts_anywhere_in_its_document(library: Container) -> None:
    case = GoldenCase("How long should seedlings be hardened off?", "garden.txt", None, "a week")

    report = await evaluation(library).execute([case])

    assert report.outcomes[0].rank == 1
    assert report.recall == {1: 1.0, 5: 1.0, 10: 1.0}
    assert report.mrr == 1.0


async def test_the_answer_is_checked_for_the_expected_string(library: Container) -> None:
    found = GoldenCase("How is espresso brewed?", "kitchen.pdf", 3, "FINELY GROUND coffee")
    absent = GoldenCase("How is espresso brewed?", "kitchen.pdf", 3, "French press")

    report = await evaluation(library).execute([found, absent])

    assert [outcome.answer_contains for outcome in report.outcomes] == [True, False]
    assert report.answer_contains == 0.5


async def test_a_source_missing_from_the_index_is_a_miss_for_every_k(library: Container) -> None:
    case = GoldenCase("How is espresso brewed?", "coffee-book.pdf", None, "coffee")

    report = await evaluation(library).execute([case])

    assert report.recall == {1: 0.0, 5: 0.0, 10: 0.0}
    assert report.mrr == 0.0
    assert report.outcomes[0].retrieved[0] == "kitchen.pdf"


@pytest.mark.parametrize("k_values", [(), (0, 5)])
async def test_k_values_must_be_positive(library: Container, k_values: tuple[int, ...]) -> None:
    case = GoldenCase("How is espresso brewed?", "kitchen.pdf", 3, "coffee")
    with pytest.raises(InvalidInput, match=r"^every k must be at least 1$"):
        await evaluation(library).execute([case], k_values=k_values)


async def test_an_empty_golden_set_is_refused(library: Container) -> None:
    with pytest.raises(InvalidInput, match=r"^the golden set holds no cases$"):
        await evaluation(library).execute([])


async def test_each_outcome_names_the_first_page_retrieved_and_whether_it_was_answered(
    library: Container,
) -> None:
    case = GoldenCase("What does sourdough starter need every day?", "kitchen.pdf", 2, "flour")

    (outcome,) = (await evaluation(library).execute([case])).outcomes

    assert outcome.top == ("kitchen.pdf", 2)
    assert outcome.answered is True


async def test_with_nothing_indexed_a_case_has_no_answer_and_no_first_page(
    container: Container,
) -> None:
    case = GoldenCase("How is espresso brewed?", "kitchen.pdf", 3, "coffee")

    (outcome,) = (await evaluation(container).execute([case])).outcomes

    assert (outcome.answer, outcome.answered, outcome.top, outcome.rank) == ("", False, None, None)


async def test_passages_below_the_coverage_gate_are_declined_without_the_model(
    library: Container,
) -> None:
    case = GoldenCase("How do I tune the carburettor of a motorbike?", "kitchen.pdf", 1, "x")
    gated = EvaluateRetrieval(
        retrieve=library.retrieve_passages(),
        chat_model=Unreachable(),
        answer_k=Settings().index.top_k,
        min_coverage=0.99,
    )

    (outcome,) = (await gated.execute([case])).outcomes

    closest = await library.retrieve_passages().execute(case.question, k=5)
    expected = declined(tuple(h.passage() for h in closest.hits), model="-", provider="-")
    assert (outcome.answer, outcome.answered) == (expected.text, False)
