"""The arithmetic of retrieval evaluation: ranks, recall@k, MRR and the answer check."""

from __future__ import annotations

import pytest

from askdocs.domain.evaluation import (
    CaseOutcome,
    GoldenCase,
    contains_answer,
    first_relevant_rank,
    mean_reciprocal_rank,
    recall_at,
    summarise,
)

HTML_CASE = GoldenCase("How do I parse JSON?", "library/json.html", None, "loads")
PDF_CASE = GoldenCase("What is on page 3?", "manual.pdf", 3, "answer")


def outcome(rank: int | None, answer: str = "", case: GoldenCase = HTML_CASE) -> CaseOutcome:
    return CaseOutcome(case=case, rank=rank, answer=answer, retrieved=())


def test_an_unpaginated_case_is_found_on_any_passage_of_its_document() -> None:
    retrieved = [("library/csv.html", None), ("library/json.html", None)]
    assert first_relevant_rank(HTML_CASE, retrieved) == 2


def test_a_paginated_case_is_found_only_on_its_page() -> None:
    retrieved = [("manual.pdf", 2), ("other.pdf", 3), ("manual.pdf", 3)]
    assert first_relevant_rank(PDF_CASE, retrieved) == 3


def test_a_document_name_must_match_exactly() -> None:
    retrieved = [("json.html", None), ("library/json.html.bak", None)]
    assert first_relevant_rank(HTML_CASE, retrieved) is None


def test_recall_at_k_counts_the_sources_ranked_within_k() -> None:
    ranks = [1, 3, 5, 6, None]
    assert recall_at(ranks, 1) == pytest.approx(1 / 5)
    assert recall_at(ranks, 5) == pytest.approx(3 / 5)
    assert recall_at(ranks, 10) == pytest.approx(4 / 5)


def test_recall_of_no_cases_is_zero_and_k_must_be_positive() -> None:
    assert recall_at([], 5) == 0.0
    with pytest.raises(ValueError, match="at least 1"):
        recall_at([1], 0)


def test_mrr_averages_reciprocal_ranks_counting_a_miss_as_zero() -> None:
    assert mean_reciprocal_rank([1, 2, 4, None]) == pytest.approx((1 + 0.5 + 0.25 + 0) / 4)
    assert mean_reciprocal_rank([]) == 0.0


def test_the_answer_check_ignores_case_and_white_space_runs() -> None:
    assert contains_answer("Use JSON.Loads(s) [1]", "json.loads")
    assert contains_answer("the  default value is\nevaluated   only once", "evaluated only once")
    assert not contains_answer("use json.load", "json.loads")


def test_a_blank_expected_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="blank"):
        contains_answer("anything", "  ")


def test_a_summary_reports_each_k_mrr_answers_and_misses() -> None:
    outcomes = [outcome(1, "json.loads parses"), outcome(4, "nothing"), outcome(None, "LOADS")]
    report = summarise(outcomes, (10, 1, 5))
    assert report.count == 3
    assert report.recall == pytest.approx({1: 1 / 3, 5: 2 / 3, 10: 2 / 3})
    assert list(report.recall) == [1, 5, 10]
    assert report.mrr == pytest.approx((1 + 0.25) / 3)
    assert report.answer_contains == pytest.approx(2 / 3)
    assert report.misses == (outcomes[2],)


def test_unanswerable_cases_count_only_in_the_abstention_rate() -> None:
    answerable = GoldenCase("q", "a.pdf", 2, "fact")
    unanswerable = GoldenCase("off topic?", None, None, None)
    outcomes = [
        CaseOutcome(answerable, 1, "the fact", ("a.pdf",), answered=True),
        CaseOutcome(answerable, None, "declined", (), answered=False),
        CaseOutcome(unanswerable, None, "declined", ("a.pdf",), answered=False),
        CaseOutcome(unanswerable, None, "a guess", ("a.pdf",), answered=True),
        CaseOutcome(unanswerable, None, "declined", (), answered=False),
    ]

    report = summarise(outcomes, [1])

    assert report.count == 2
    assert report.recall[1] == 0.5
    assert report.answer_contains == 0.5
    assert report.answered == 0.5
    assert report.unanswerable == 3
    assert report.abstention == pytest.approx(2 / 3)
    assert [o.case for o in report.misses] == [answerable]
    assert not outcomes[2].answer_contains
