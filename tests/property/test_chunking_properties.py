"""Properties of token windows: full coverage, bounded size, exact overlap."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from askdocs.adapters.tokenizers import TiktokenTokenizer
from askdocs.domain.chunking import ChunkingPolicy, TokenWindow
from askdocs.domain.errors import InvalidChunkingPolicy
from tests.support.settings_wiring import from_settings

token_counts = st.integers(min_value=0, max_value=5000)


@st.composite
def policies(draw: st.DrawFn, max_size: int = 600) -> ChunkingPolicy:
    size = draw(st.integers(min_value=1, max_value=max_size))
    overlap = draw(st.integers(min_value=0, max_value=size - 1))
    return ChunkingPolicy(size=size, overlap=overlap)


@given(policies(), token_counts)
def test_windows_cover_every_token_in_order(policy: ChunkingPolicy, count: int) -> None:
    windows = policy.windows(count)

    if count == 0:
        assert windows == []
        return
    assert windows[0].start == 0
    assert windows[-1].end == count
    assert all(a.start < b.start for a, b in itertools.pairwise(windows))
    assert all(a.end < b.end for a, b in itertools.pairwise(windows))
    # No gap: each window starts no later than the previous one ended.
    assert all(b.start <= a.end for a, b in itertools.pairwise(windows))
    covered = {i for w in windows for i in range(w.start, w.end)}
    assert covered == set(range(count))


@given(policies(), token_counts)
def test_no_window_is_empty_or_larger_than_the_size(policy: ChunkingPolicy, count: int) -> None:
    assert all(1 <= w.length <= policy.size for w in policy.windows(count))


@given(policies(), token_counts)
def test_every_window_but_the_last_is_full(policy: ChunkingPolicy, count: int) -> None:
    assert all(w.length == policy.size for w in policy.windows(count)[:-1])


@given(policies(), token_counts)
def test_consecutive_windows_share_exactly_the_overlap(policy: ChunkingPolicy, count: int) -> None:
    windows = policy.windows(count)

    for previous, window in itertools.pairwise(windows):
        assert window.start == previous.start + policy.stride
        assert previous.end - window.start == policy.overlap


@given(policies(), st.integers(min_value=1, max_value=5000))
def test_the_number_of_windows_is_the_fewest_that_reach_the_end(
    policy: ChunkingPolicy, count: int
) -> None:
    windows = policy.windows(count)

    # One window fits when the page does; otherwise each further window adds `stride` tokens.
    expected = 1 if count <= policy.size else 1 + -(-(count - policy.size) // policy.stride)
    assert len(windows) == expected


@given(token_counts)
def test_a_window_as_large_as_the_page_is_the_whole_page(count: int) -> None:
    policy = ChunkingPolicy(size=max(count, 1), overlap=0)

    assert policy.windows(count) == ([TokenWindow(0, count)] if count else [])


@given(st.integers(max_value=0), st.integers(min_value=0, max_value=10))
def test_a_size_below_one_is_refused(size: int, overlap: int) -> None:
    with pytest.raises(InvalidChunkingPolicy):
        ChunkingPolicy(size=size, overlap=overlap)


@given(st.data())
def test_an_overlap_as_large_as_the_size_is_refused(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=10_000))
    overlap = data.draw(st.integers(min_value=size, max_value=size + 10_000))

    with pytest.raises(InvalidChunkingPolicy):
        ChunkingPolicy(size=size, overlap=overlap)


@given(st.integers(min_value=1, max_value=10_000), st.integers(max_value=-1))
def test_a_negative_overlap_is_refused(size: int, overlap: int) -> None:
    with pytest.raises(InvalidChunkingPolicy):
        ChunkingPolicy(size=size, overlap=overlap)


_TOKENIZER = from_settings(TiktokenTokenizer)
page_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # lone surrogates are not UTF-8
    max_size=1500,
)


@given(page_texts, policies(max_size=64))
def test_windows_minus_their_overlap_reassemble_the_page(text: str, policy: ChunkingPolicy) -> None:
    tokens = _TOKENIZER.encode(text)
    windows = policy.windows(len(tokens))

    reassembled: list[int] = []
    for ordinal, window in enumerate(windows):
        start = window.start if ordinal == 0 else window.start + policy.overlap
        reassembled.extend(tokens[start : window.end])

    assert reassembled == tokens
    assert _TOKENIZER.decode(reassembled) == text
