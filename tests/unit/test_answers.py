"""Questions, citations and sources: the domain rules."""

from __future__ import annotations

import pytest

from askdocs.domain.answers import (
    MAX_QUESTION_CHARS,
    Completion,
    Passage,
    cited_passages,
    clean_question,
    normalise_question,
    with_sources,
)
from askdocs.domain.errors import InvalidQuestion


def passage(n: int) -> Passage:
    return Passage(
        chunk_id=f"c{n}",
        document_id="d",
        document="doc.pdf",
        version=1,
        page=n,
        text=f"passage {n}",
        score=1.0 / n,
    )


RETRIEVED = [passage(n) for n in range(1, 5)]


def completion(text: str, *cited: int) -> Completion:
    return Completion(text=text, cited=cited, model="m", provider="p")


def test_a_question_loses_its_surrounding_white_space() -> None:
    assert clean_question("  \n What is  it? \t") == "What is  it?"


@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n"])
def test_an_empty_question_is_refused(text: str) -> None:
    with pytest.raises(InvalidQuestion):
        clean_question(text)


def test_a_question_of_the_maximum_length_is_accepted_and_a_longer_one_refused() -> None:
    longest = "x" * MAX_QUESTION_CHARS

    assert clean_question(f"  {longest}  ") == longest
    with pytest.raises(InvalidQuestion):
        clean_question(longest + "x")


def test_the_length_limit_can_be_lowered() -> None:
    with pytest.raises(InvalidQuestion):
        clean_question("four", max_chars=3)


@pytest.mark.parametrize(
    ("question", "normal"),
    [
        ("What is RAG?", "what is rag"),
        ("  what   is\n\trag  ", "what is rag"),
        ("What is RAG?!. ?", "what is rag"),
        ("Straße", "strasse"),
        ("\uff37\uff28\uff21\uff34 \uff49\uff53 \ufb01le", "what is file"),  # full width, ligature
        ("What is 3.5", "what is 3.5"),
    ],
)
def test_questions_normalise_case_form_spaces_and_trailing_punctuation(
    question: str, normal: str
) -> None:
    assert normalise_question(question) == normal


def test_only_passages_actually_retrieved_are_cited_in_citation_order() -> None:
    cited = cited_passages(completion("", 3, 0, 1, 3, 5, -1), RETRIEVED)

    assert cited == (RETRIEVED[2], RETRIEVED[0])


def test_no_citations_means_no_sources() -> None:
    assert cited_passages(completion("text"), RETRIEVED) == ()
    assert cited_passages(completion("text [1]", 1), []) == ()


def test_citations_are_renumbered_by_the_order_of_the_sources() -> None:
    text, sources = with_sources(completion("Alpha [3]. Beta [1]. Again [3].", 3, 1), RETRIEVED)

    assert text == "Alpha [1]. Beta [2]. Again [1]."
    assert sources == (RETRIEVED[2], RETRIEVED[0])


def test_markers_pointing_at_nothing_retrieved_are_removed() -> None:
    text, sources = with_sources(
        completion("Alpha [2] [9]. Beta [0].[12] Gamma [2]", 2, 9, 0, 12), RETRIEVED
    )

    assert text == "Alpha [1]. Beta. Gamma [1]"
    assert sources == (RETRIEVED[1],)


def test_a_marker_the_model_did_not_declare_as_cited_is_removed() -> None:
    text, sources = with_sources(completion("Alpha [1] and [2].", 1), RETRIEVED)

    assert text == "Alpha [1] and."
    assert sources == (RETRIEVED[0],)


def test_a_marker_opening_the_text_leaves_no_leading_space() -> None:
    text, _ = with_sources(completion("[4] says so", 4), RETRIEVED)

    assert text == "[1] says so"


def test_text_without_markers_is_kept_as_written() -> None:
    text, sources = with_sources(completion("No citations (see [a]).", 1), RETRIEVED)

    assert text == "No citations (see [a])."
    assert sources == (RETRIEVED[0],)
