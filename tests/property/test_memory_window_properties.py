"""Properties of the memory window: the longest newest suffix of turns that fits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from askdocs.domain.conversations import MAX_REMEMBERED_TURNS, MemoryWindow, Turn
from tests.support.settings_wiring import from_settings

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
words = st.lists(st.sampled_from(["a", "bb", "ccc", "word"]), max_size=8).map(" ".join)
conversations = st.lists(st.tuples(words, words), max_size=40).map(
    lambda pairs: [
        Turn(question=q, answer=a, at=EPOCH + timedelta(minutes=i))
        for i, (q, a) in enumerate(pairs)
    ]
)
memory_windows = st.builds(
    MemoryWindow,
    max_turns=st.integers(min_value=0, max_value=MAX_REMEMBERED_TURNS),
    token_budget=st.integers(min_value=0, max_value=120),
)


def word_count(text: str) -> int:
    return len(text.split())


def cost(turns: list[Turn]) -> int:
    return sum(word_count(t.question) + word_count(t.answer) for t in turns)


def fits(window: MemoryWindow, suffix: list[Turn]) -> bool:
    return len(suffix) <= window.max_turns and cost(suffix) <= window.token_budget


@given(memory_windows, conversations)
def test_the_selection_is_the_newest_turns_in_their_order(
    window: MemoryWindow, turns: list[Turn]
) -> None:
    chosen = window.select(turns, word_count)

    assert chosen == turns[len(turns) - len(chosen) :]


@given(memory_windows, conversations)
def test_the_selection_respects_the_turn_limit_and_the_budget(
    window: MemoryWindow, turns: list[Turn]
) -> None:
    chosen = window.select(turns, word_count)

    assert len(chosen) <= window.max_turns
    assert cost(chosen) <= window.token_budget


@given(memory_windows, conversations)
def test_the_selection_is_the_longest_suffix_that_fits(
    window: MemoryWindow, turns: list[Turn]
) -> None:
    chosen = window.select(turns, word_count)

    longest = max(
        (n for n in range(len(turns) + 1) if fits(window, turns[len(turns) - n :])), default=0
    )
    assert len(chosen) == longest


@given(conversations)
def test_a_window_of_zero_turns_remembers_nothing(turns: list[Turn]) -> None:
    assert MemoryWindow(max_turns=0, token_budget=10_000).select(turns, word_count) == []


@pytest.mark.parametrize("max_turns", [-1, MAX_REMEMBERED_TURNS + 1])
def test_a_turn_limit_outside_zero_to_thirty_is_refused(max_turns: int) -> None:
    with pytest.raises(ValueError, match="memory keeps"):
        from_settings(MemoryWindow, max_turns=max_turns)


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValueError, match="budget"):
        from_settings(MemoryWindow, token_budget=-1)
