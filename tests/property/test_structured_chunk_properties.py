"""Properties of structure-aware chunks: nothing lost, code and rows never cut, bounded size."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from askdocs.adapters.tokenizers import TiktokenTokenizer
from askdocs.domain.chunking import ChunkingPolicy
from askdocs.domain.structured_chunks import CODE_BLOCK_LIMIT, chunk_page
from askdocs.domain.text_blocks import BlockKind, parse_blocks
from tests.support.settings_wiring import from_settings

TOKENIZER = from_settings(TiktokenTokenizer)
words = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=60).map(str.strip).filter(bool)
sentences = st.lists(words, min_size=1, max_size=30).map(lambda ws: ". ".join(ws) + ".")


@st.composite
def blocks(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["heading", "paragraph", "code", "item", "row"]))
    if kind == "heading":
        return "#" * draw(st.integers(1, 4)) + " " + draw(words)
    if kind == "code":
        lines = draw(st.lists(words.map(lambda w: f"x = {w!r}"), min_size=1, max_size=40))
        return "```\n" + "\n".join(lines) + "\n```"
    if kind == "item":
        return "- " + draw(words)
    if kind == "row":
        return "| " + draw(words) + " | " + draw(words) + " |"
    return draw(sentences)


pages = st.lists(blocks(), min_size=0, max_size=25).map("\n\n".join)
policies = st.builds(
    lambda size, share: ChunkingPolicy(size=size, overlap=int(size * share)),
    st.integers(min_value=24, max_value=300),
    st.floats(min_value=0, max_value=0.3),
)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.replace("```", " "))


@settings(max_examples=150, deadline=None)
@given(pages, policies)
def test_every_word_of_the_page_lands_in_a_chunk_in_order(
    text: str, policy: ChunkingPolicy
) -> None:
    drafts, _ = chunk_page(text, TOKENIZER.count, policy)

    chunked = [w for d in drafts for w in _words(d.text)]
    # Overlap repeats words, so the page's words are a subsequence of the chunks' words.
    remaining = iter(chunked)
    assert all(any(w == c for c in remaining) for w in _words(text))


@settings(max_examples=150, deadline=None)
@given(pages, policies)
def test_code_blocks_and_table_rows_within_the_limit_are_never_cut(
    text: str, policy: ChunkingPolicy
) -> None:
    drafts, _ = chunk_page(text, TOKENIZER.count, policy)

    for block in parse_blocks(text):
        whole = block.kind is BlockKind.TABLE_ROW and TOKENIZER.count(block.text) <= policy.size
        whole |= block.kind is BlockKind.CODE and (
            TOKENIZER.count(block.text) <= CODE_BLOCK_LIMIT * policy.size
        )
        if whole:
            assert any(block.text in d.text for d in drafts), block.text


@settings(max_examples=150, deadline=None)
@given(pages, policies)
def test_chunks_stay_within_the_size_unless_they_hold_one_whole_code_block(
    text: str, policy: ChunkingPolicy
) -> None:
    drafts, _ = chunk_page(text, TOKENIZER.count, policy)

    for draft in drafts:
        if draft.token_count > policy.size:
            assert draft.text.startswith("```")
            assert draft.text.endswith("```")
            assert draft.token_count <= CODE_BLOCK_LIMIT * policy.size + 8
