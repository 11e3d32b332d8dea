"""Which of a question's terms select chunks in PostgreSQL's full-text leg."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from askdocs.adapters.index.pg_text_query import SELECTION_BUDGET, selecting_terms


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
