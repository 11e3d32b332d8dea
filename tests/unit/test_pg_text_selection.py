"""Which of a question's terms select chunks in PostgreSQL's full-text leg."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from askdocs.adapters.index.pg_text_query import (
    SELECTION_BUDGET,
    HeldBy,
    selecting_query,
    selecting_terms,
)
from askdocs.domain.evidence import TERM_COUNT_CAP


def test_the_rarest_terms_select_while_they_hold_no_more_than_the_budget() -> None:
    counts = {"object": 1900, "recursion": 40, "limit": 300, "python": 2000}

    assert selecting_terms(["object", "recursion", "limit", "python"], counts) == [
        "recursion",
        "limit",
    ]


def test_a_term_no_chunk_holds_selects_and_costs_nothing() -> None:
    assert selecting_terms(["zanzibar", "limit"], {"limit": 300}) == ["zanzibar", "limit"]


def test_the_rarest_term_selects_even_past_the_budget() -> None:
    assert selecting_terms(["the", "object"], {"the": 2000, "object": 2000}) == ["object"]


def test_no_term_selects_nothing() -> None:
    assert selecting_terms([], {}) == []


@given(
    st.dictionaries(
        st.text(alphabet="abcdef", min_size=1, max_size=4), st.integers(0, 2000), min_size=1
    )
)
def test_the_selection_is_a_rarest_first_prefix_within_the_budget(counts: dict[str, int]) -> None:
    chosen = selecting_terms(list(counts), counts)
    ordered = sorted(counts, key=lambda t: (counts[t], t))

    assert chosen == ordered[: len(chosen)]
    assert len(chosen) >= 1
    assert len(chosen) == 1 or sum(counts[t] for t in chosen) <= SELECTION_BUDGET
    if len(chosen) < len(ordered):  # the next term would have gone over
        assert sum(counts[t] for t in ordered[: len(chosen) + 1]) > SELECTION_BUDGET


def test_past_the_cap_the_statistics_say_which_common_term_is_rarer() -> None:
    cap = TERM_COUNT_CAP
    table, data = HeldBy(cap, 35_000.0), HeldBy(cap, 2_500.0)
    weights = {"tabl": table.selection_weight, "data": data.selection_weight}

    assert selecting_terms(["tabl", "data"], weights) == ["data"]


def test_under_the_cap_the_count_holds_whatever_the_statistics_say() -> None:
    assert HeldBy(12, 0.0).selection_weight == 12  # not listed: no estimate
    assert HeldBy(12, 900.0).selection_weight == 12  # a stale estimate
    assert HeldBy(TERM_COUNT_CAP, 0.0).selection_weight == TERM_COUNT_CAP


def test_a_question_of_common_words_selects_the_rarest_with_one_of_the_next() -> None:
    counts = {"tabl": 9000.0, "data": 2500.0, "type": 4000.0, "use": 20000.0, "row": 3000.0}

    query = selecting_query(["tabl", "data", "type", "use", "row"], counts)

    assert query == "'data' & ( 'row' | 'type' | 'tabl' )"


def test_within_the_budget_any_selecting_word_selects() -> None:
    assert selecting_query(["limit", "zanzibar"], {"limit": 300.0}) == "'zanzibar' | 'limit'"
    assert selecting_query(["tabl"], {"tabl": 9000.0}) == "'tabl'"  # one word: itself
