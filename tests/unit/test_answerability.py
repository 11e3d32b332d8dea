"""Whether passages answer at all: a word no document uses weighs more in a large index."""

from __future__ import annotations

import pytest

from askdocs.domain.evidence import (
    UNKNOWN_WORD_EVIDENCE_CHUNKS,
    UNKNOWN_WORD_FACTOR,
    answerability_weights,
    corpus_weights,
    is_small_talk,
    terms_coverage,
)

LARGE = UNKNOWN_WORD_EVIDENCE_CHUNKS * 10


def test_a_word_a_large_index_never_uses_weighs_more() -> None:
    counts = {"compress": 40, "data": 900}

    plain = corpus_weights("compress data with zstandard", counts, LARGE).terms
    weighed = answerability_weights("compress data with zstandard", counts, LARGE).terms

    assert weighed["zstandard"] == pytest.approx(plain["zstandard"] * UNKNOWN_WORD_FACTOR)
    assert {t: weighed[t] for t in counts} == {t: plain[t] for t in counts}


def test_in_a_small_index_an_unused_word_says_little() -> None:
    plain = corpus_weights("how much does parking cost", {"park": 2, "cost": 1}, 4).terms
    weighed = answerability_weights("how much does parking cost", {"park": 2, "cost": 1}, 4)

    assert weighed.terms["much"] < plain["much"] * 1.01


@pytest.mark.parametrize(
    ("question", "counts"),
    [
        ("is there a ready-made constant", {"ready": 5, "made": 9, "constant": 30}),
        ("what changed in 1.39", {"chang": 50}),
    ],
)
def test_numbers_and_compounds_of_known_words_weigh_as_usual(
    question: str, counts: dict[str, int]
) -> None:
    plain = corpus_weights(question, counts, LARGE)
    weighed = answerability_weights(question, counts, LARGE)

    assert weighed == plain


@pytest.mark.parametrize("message", ["hi", "Hello there!", "thanks", "Good morning", "bye :)"])
def test_a_greeting_or_thanks_is_covered_by_no_passage(message: str) -> None:
    counts = {"hello": 30, "thank": 12, "good": 200, "morning": 3, "bye": 1}
    weights = answerability_weights(message, counts, LARGE)

    assert is_small_talk(message)
    assert terms_coverage(weights, frozenset(counts) | {"hi"}) == 0.0


@pytest.mark.parametrize("message", ["hello world example", "thanks to which option?", "hi-res"])
def test_a_question_with_words_beyond_small_talk_is_weighed(message: str) -> None:
    assert not is_small_talk(message)
    assert answerability_weights(message, {}, LARGE).total > 0
