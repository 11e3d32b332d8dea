"""Lexical relevance: rare terms, sections and phrases decide the order of candidates."""

from __future__ import annotations

from askdocs.domain.evidence import Weights, corpus_weights, terms_coverage
from askdocs.domain.ranking import PassageTerms, lexical_relevance, question_pairs

QUESTION = "How do I remove the header rule?"
# In a corpus of 1,000 chunks, "remov" and "rule" are common, "header" rarer.
WEIGHTS = corpus_weights(QUESTION, {"remov": 400, "header": 20, "rule": 300}, 1000)


def relevance(text: str, section: str = "", rank: int = 0, weights: Weights = WEIGHTS) -> float:
    return lexical_relevance(
        weights, question_pairs(QUESTION), PassageTerms.of(text, section), rank
    )


def test_a_term_no_chunk_holds_weighs_more_than_a_rare_one_and_a_rare_more_than_a_common_one() -> (
    None
):
    weights = corpus_weights("zanzibar header rule", {"header": 20, "rule": 300}, 1000)

    assert weights.terms["zanzibar"] > weights.terms["header"] > weights.terms["rule"]


def test_a_passage_holding_the_rare_term_outranks_one_holding_the_common_ones() -> None:
    assert relevance("the header of each page") > relevance("remove a rule")


def test_the_section_counts_for_the_subject_of_a_passage() -> None:
    assert relevance("set it to zero", "Header rule") > relevance("set it to zero")


def test_the_question_s_words_side_by_side_count_more_than_apart() -> None:
    together = relevance("the header rule is removed by this")
    apart = relevance("the rule of the header is removed by this")

    assert together > apart


def test_the_search_s_order_only_breaks_near_ties() -> None:
    assert relevance("the header rule", rank=9) > relevance("unrelated text", rank=0)
    assert relevance("the header rule", rank=0) > relevance("the header rule", rank=9)


def test_coverage_is_the_weighted_share_of_the_question_held() -> None:
    held = PassageTerms.of("remove the header rule", "").all

    assert terms_coverage(WEIGHTS, held) == 1.0
    assert 0 < terms_coverage(WEIGHTS, PassageTerms.of("the rule", "").all) < 0.5


def test_a_passage_is_cut_into_terms_once_and_kept() -> None:
    text = "Remove the header rule; the rule stays removed."

    first = PassageTerms.of(text, "Headers")

    assert PassageTerms.of(text, "Headers") is first
    assert PassageTerms.of(text, "Footers") is not first
    assert first.counts["rule"] == 2
    assert ("header", "rule") in first.adjacent
    assert first.all == frozenset(first.text) | {"header"}
