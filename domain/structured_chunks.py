"""Chunks that follow the text's structure: cut between blocks, labelled with their section.

A page's blocks (`text_blocks`) fill chunks of at most `policy.size` tokens, in order. A chunk
ends before a heading once it holds a quarter of that (small subsections, such as the entries
of an API reference, share a chunk rather than each making a crumb), and before any block
that would take it over the size. A block is cut only when it is larger than a chunk on its
own: prose between sentences (the next piece repeats up to `policy.overlap` tokens of
sentences), lists and tables between lines; a code block stays whole up to
`CODE_BLOCK_LIMIT` chunks' worth, and past that is cut between lines, each piece fenced again.
Chunks never cross pages: the trail of headings does, so a page that continues a section is
labelled with it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

from askdocs.domain.chunking import ChunkingPolicy
from askdocs.domain.text_blocks import Block, BlockKind, parse_blocks

CODE_BLOCK_LIMIT = 4
"""A code block up to this many times the chunk size is never cut."""
SECTION_SEPARATOR = " > "
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
CountTokens = Callable[[str], int]


@dataclasses.dataclass(frozen=True, slots=True)
class ChunkDraft:
    """A chunk's text before it has an id, with the headings it sits under."""

    text: str
    section: str
    token_count: int


HeadingTrail = tuple[tuple[int, str], ...]
"""The headings above the current position, outermost first, each with its level."""


def section_label(trail: HeadingTrail) -> str:
    """The trail as one line: `Installing > From source`."""
    return SECTION_SEPARATOR.join(text for _, text in trail)


def _deeper(trail: HeadingTrail, level: int, text: str) -> HeadingTrail:
    """The trail under a new heading: the headings above its level stay, save a numbered
    one whose number does not lead to the new heading's ("10. Example Licenses" is no
    parent of "9.2 Users and groups": the chapter between went unrecognised)."""
    number = _number(text)
    kept = (
        entry
        for entry in trail
        if entry[0] < level and (not number or _leads_to(_number(entry[1]), number))
    )
    return (*kept, (level, text))


_SECTION_NUMBER = re.compile(r"(\d+(?:\.\d+)*)\.?\s")


def _number(heading: str) -> tuple[str, ...]:
    """The section number a heading starts with (`9.2.2 UID and GID` -> 9, 2, 2), if any."""
    match = _SECTION_NUMBER.match(heading)
    return tuple(match.group(1).split(".")) if match else ()


def _leads_to(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """Whether a heading numbered `outer` may hold one numbered `inner` (unnumbered ones may
    hold anything)."""
    return not outer or (len(outer) < len(inner) and inner[: len(outer)] == outer)


def chunk_page(
    text: str, count: CountTokens, policy: ChunkingPolicy, trail: HeadingTrail = ()
) -> tuple[list[ChunkDraft], HeadingTrail]:
    """The chunks of one page, and the heading trail at its end (for the next page)."""
    drafts: list[ChunkDraft] = []
    parts: list[str] = []
    size = 0
    section = section_label(trail)
    content = False  # whether the chunk holds more than headings

    def flush() -> None:
        nonlocal parts, size, content
        if parts:
            joined = "\n\n".join(parts)
            drafts.append(ChunkDraft(joined, section, count(joined)))
        parts, size, content = [], 0, False

    previous: Block | None = None
    for block in parse_blocks(text):
        tokens = count(block.text)
        if block.kind is BlockKind.HEADING:
            if content and size >= policy.size // 4:
                flush()
            trail = _deeper(trail, block.level, block.heading)
            if not parts:
                section = section_label(trail)
        if parts and _overfills(parts, block.text, size + tokens, count, policy.size):
            introduction = _introduction(previous, block, count, policy)
            flush()
            if introduction:
                parts, size = [introduction], count(introduction)
        previous = block
        if not parts:
            section = section_label(trail)
        if tokens <= policy.size or (
            block.kind is BlockKind.CODE and tokens <= CODE_BLOCK_LIMIT * policy.size
        ):
            parts.append(block.text)
            size += tokens
            content = content or block.kind is not BlockKind.HEADING
            continue
        for piece in _pieces(block, count, policy):
            flush()
            parts, size, content = [piece], count(piece), True
    flush()
    return drafts, trail


def _introduction(
    previous: Block | None, block: Block, count: CountTokens, policy: ChunkingPolicy
) -> str:
    """The sentence introducing code ("To list them, run:") that ends `previous`, when
    `block` is that code and starts a new chunk; else empty. The next chunk begins with it
    again: quoted or found without it, the code says what it does to no one."""
    if previous is None or previous.kind is not BlockKind.PARAGRAPH:
        return ""
    if block.kind is not BlockKind.CODE:
        return ""
    last = _SENTENCE_END.split(previous.text.strip())[-1]
    if not last.endswith(":") or count(last) > policy.size // 4:
        return ""
    return last


def _overfills(
    parts: list[str],
    text: str,
    estimate: int,
    count: CountTokens,
    size: int,
    joiner: str = "\n\n",
) -> bool:
    """Whether `text` joined to `parts` exceeds `size` tokens; the sum of the counts is exact
    but for the joins, so the joined text is only counted near the limit."""
    if estimate + 2 * len(parts) <= size:
        return False
    return estimate > size or count(joiner.join([*parts, text])) > size


def _pieces(block: Block, count: CountTokens, policy: ChunkingPolicy) -> Iterator[str]:
    """A block larger than a chunk, cut where its kind allows."""
    if block.kind is BlockKind.CODE:
        for run in _packed(block.code.split("\n"), "\n", count, policy.size - 4, 0):
            yield f"```\n{run}\n```"
    elif block.kind is BlockKind.PARAGRAPH:
        sentences = _SENTENCE_END.split(block.text)
        yield from _packed(sentences, " ", count, policy.size, policy.overlap)
    else:
        yield from _packed(block.text.split("\n"), "\n", count, policy.size, 0)


def _packed(
    units: list[str], joiner: str, count: CountTokens, size: int, overlap: int
) -> Iterator[str]:
    """Runs of whole units of at most `size` tokens; a unit larger than that is cut by words.

    Each run after the first starts with the last units of the one before, up to `overlap`
    tokens of them, so a sentence cut from its predecessor keeps some context.
    """
    run: list[str] = []
    tokens = 0
    for unit in (piece for u in units for piece in _fitting(u, count, size)):
        needed = count(unit)
        if run and _overfills(run, unit, tokens + needed, count, size, joiner):
            yield joiner.join(run)
            carried: list[str] = []
            kept = 0
            for previous in reversed(run):
                kept += count(previous)
                if kept > overlap or kept + needed > size:
                    break
                carried.insert(0, previous)
            run, tokens = carried, sum(count(c) for c in carried)
        run.append(unit)
        tokens += needed
    if run:
        yield joiner.join(run)


def _fitting(unit: str, count: CountTokens, size: int) -> Iterator[str]:
    """`unit` itself, or cut between words (or characters) into pieces of at most `size`."""
    if count(unit) <= size:
        yield unit
        return
    words = unit.split(" ")
    if len(words) == 1:
        step = max(1, len(unit) // max(2, count(unit) // max(1, size // 2)))
        for start in range(0, len(unit), step):
            yield from _fitting(unit[start : start + step], count, size)
        return
    half = len(words) // 2
    yield from _fitting(" ".join(words[:half]), count, size)
    yield from _fitting(" ".join(words[half:]), count, size)
