"""Chunks follow headings, keep code whole, and carry the trail of headings across pages."""

from __future__ import annotations

import pytest

from askdocs.adapters.tokenizers import TiktokenTokenizer
from askdocs.domain.chunking import Chunk, ChunkingPolicy
from askdocs.domain.structured_chunks import chunk_page
from askdocs.domain.text_blocks import BlockKind, parse_blocks
from tests.support.settings_wiring import from_settings

COUNT = from_settings(TiktokenTokenizer).count
PAGE = """# Installing

Prose about installing, long enough to stand on its own as the content of a section here.
It wraps over a second line.

## From source

- first, fetch the sources
- then build them
  with make

```
./configure --prefix=/usr

make install
```

| option | meaning |
"""


def test_blocks_are_headings_paragraphs_items_code_and_rows_in_order() -> None:
    kinds = [(b.kind, b.level) for b in parse_blocks(PAGE)]

    assert kinds == [
        (BlockKind.HEADING, 1),
        (BlockKind.PARAGRAPH, 0),
        (BlockKind.HEADING, 2),
        (BlockKind.LIST_ITEM, 0),
        (BlockKind.LIST_ITEM, 0),
        (BlockKind.CODE, 0),
        (BlockKind.TABLE_ROW, 0),
    ]
    code = parse_blocks(PAGE)[5]
    assert code.code == "./configure --prefix=/usr\n\nmake install"  # a blank line inside stays
    assert parse_blocks(PAGE)[4].text == "- then build them\nwith make"


def test_a_heading_starts_a_chunk_once_the_chunk_has_content_and_labels_it() -> None:
    drafts, trail = chunk_page(PAGE, COUNT, ChunkingPolicy(size=40, overlap=0))

    assert [d.section for d in drafts] == ["Installing", "Installing > From source"]
    assert drafts[1].text.startswith("## From source")
    assert "./configure --prefix=/usr\n\nmake install" in drafts[1].text
    assert trail == ((1, "Installing"), (2, "From source"))


def test_a_page_continuing_a_section_is_labelled_with_the_trail_of_the_page_before() -> None:
    _, trail = chunk_page(PAGE, COUNT, ChunkingPolicy(size=40, overlap=0))

    drafts, _ = chunk_page(
        "More text on the next page.", COUNT, from_settings(ChunkingPolicy), trail
    )

    assert drafts[0].section == "Installing > From source"


def test_a_paragraph_larger_than_a_chunk_is_cut_between_sentences_with_overlap() -> None:
    text = " ".join(f"Sentence number {n} says something." for n in range(40))

    drafts, _ = chunk_page(text, COUNT, ChunkingPolicy(size=50, overlap=10))

    assert len(drafts) > 2
    assert all(d.token_count <= 50 for d in drafts)
    assert all(d.text.endswith("says something.") for d in drafts)
    assert drafts[1].text.split(".")[0] in drafts[0].text  # the overlap repeats a sentence


def test_an_oversized_code_block_is_cut_between_lines_and_fenced_again() -> None:
    code = "```\n" + "\n".join(f"line_{n} = compute({n})" for n in range(400)) + "\n```"

    drafts, _ = chunk_page(code, COUNT, ChunkingPolicy(size=64, overlap=8))

    assert len(drafts) > 1
    for draft in drafts:
        assert draft.text.startswith("```\n")
        assert draft.text.endswith("\n```")
        assert all(line.startswith(("line_", "```")) for line in draft.text.split("\n"))


def test_code_starting_a_chunk_begins_with_the_sentence_that_introduces_it() -> None:
    prose = " ".join(f"Sentence number {n} says something." for n in range(8))
    code = "```\n" + "\n".join(f"snapshot_{n} = take({n})" for n in range(12)) + "\n```"
    page = f"{prose} To see the largest allocations, run:\n\n{code}\n\nAfter the code."

    drafts, _ = chunk_page(page, COUNT, ChunkingPolicy(size=80, overlap=8))

    with_code = next(d for d in drafts if "snapshot_0" in d.text)
    assert with_code.text.startswith("To see the largest allocations, run:\n\n```")
    assert drafts[0].text.endswith("To see the largest allocations, run:")


def test_a_chunk_embeds_its_section_with_its_text() -> None:
    chunk = Chunk("c", "d", "p", 0, "Remove common leading whitespace.", 5, "textwrap > dedent()")
    bare = Chunk("c", "d", "p", 0, "Some text.", 3)

    assert chunk.embedded_text == "textwrap > dedent()\n\nRemove common leading whitespace."
    assert bare.embedded_text == "Some text."


def test_a_numbered_heading_leaves_the_trail_of_a_numbered_one_that_cannot_hold_it() -> None:
    # The chapter "9 Files" went unrecognised: "10. Example Licenses" is no parent of 9.2.
    page = (
        "# 10. Example Licenses\n\nGPL.\n\n## 9.2 Users and groups\n\nIds.\n\n"
        "### 9.2.2 Classes\n\nNobody."
    )

    drafts, trail = chunk_page(page, COUNT, ChunkingPolicy(size=4, overlap=0))

    assert drafts[-1].section == "9.2 Users and groups > 9.2.2 Classes"
    assert trail == ((2, "9.2 Users and groups"), (3, "9.2.2 Classes"))


def test_unnumbered_headings_hold_numbered_ones() -> None:
    page = "# Policy Manual\n\n## 9.2 Users\n\nIds.\n\n### Notes\n\nMore."

    drafts, _ = chunk_page(page, COUNT, ChunkingPolicy(size=4, overlap=0))

    assert drafts[-1].section == "Policy Manual > 9.2 Users > Notes"


def _sentence_of(tokens: int) -> str:
    """A sentence ending in a colon that counts exactly `tokens` tokens."""
    for words in range(tokens):
        sentence = "Run" + " this" * words + ":"
        if COUNT(sentence) == tokens:
            return sentence
    raise AssertionError(f"no sentence of {tokens} tokens")


def _chunk_starting_the_code(before: str) -> str:
    code = "```\n" + "\n".join(f"snapshot_{n} = take({n})" for n in range(12)) + "\n```"
    prose = " ".join(f"Sentence number {n} says something." for n in range(8))
    drafts, _ = chunk_page(f"{prose}\n\n{before}\n\n{code}", COUNT, ChunkingPolicy(80, 8))
    return next(d.text for d in drafts if "snapshot_0" in d.text)


def test_an_introduction_as_long_as_a_quarter_of_a_chunk_still_leads_its_code() -> None:
    introduction = _sentence_of(80 // 4)

    assert _chunk_starting_the_code(introduction).startswith(f"{introduction}\n\n```")


@pytest.mark.parametrize(
    "before",
    [
        "- a list item that ends as if it introduced the code:",
        "A sentence that does not introduce the code.",
        _sentence_of(80 // 4 + 1),
    ],
    ids=["after a list", "no colon", "too long"],
)
def test_code_after_anything_but_a_short_introduction_starts_its_chunk_bare(before: str) -> None:
    assert _chunk_starting_the_code(before).startswith("```\n")


def test_a_fence_line_with_text_after_the_marker_does_not_close_the_block() -> None:
    (code,) = parse_blocks("```\nprint(1)\n```x\nprint(2)\n```")

    assert code.text == "```\nprint(1)\n```x\nprint(2)\n```"


def test_an_unclosed_fence_runs_to_the_end_of_the_page() -> None:
    blocks = parse_blocks("Before.\n\n```\nprint(1)\nprint(2)")

    assert [(b.kind, b.text) for b in blocks] == [
        (BlockKind.PARAGRAPH, "Before."),
        (BlockKind.CODE, "```\nprint(1)\nprint(2)"),
    ]


def test_a_heading_right_after_a_list_item_is_not_part_of_it() -> None:
    blocks = parse_blocks("- fetch the sources\n# Building")

    assert [(b.kind, b.text) for b in blocks] == [
        (BlockKind.LIST_ITEM, "- fetch the sources"),
        (BlockKind.HEADING, "# Building"),
    ]
