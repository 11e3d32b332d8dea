"""Unpaginated text cut into sections that stay put when the text around them is edited.

A section ends after a paragraph when the section holds at least `MIN_SECTION_CHARS` and the
paragraph's own digest marks it as an anchor (about one paragraph in four), or when the next
paragraph would take it over `MAX_SECTION_CHARS`. Anchors depend on a paragraph's text alone,
so after an edit the cuts fall back into step at the next anchor, and only the sections the
edit touched get new text, hence new digests, and need new chunks and embeddings.

A fenced code block counts as one paragraph, blank lines inside it included, so no cut falls
inside it; one longer than a section is cut at lines, each part fenced again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from askdocs.domain.documents import Page

MAX_SECTION_CHARS = 4000
MIN_SECTION_CHARS = 2000
_ANCHOR_ONE_IN = 4
_BLANK_LINES = re.compile(r"(\n[^\S\n]*\n\s*)")
_SEPARATOR = "\n\n"
_FENCE_OPENS = re.compile(r"^[ \t]*(```|~~~)")


def section_pages(text: str) -> tuple[Page, ...]:
    """The sections of `text` as pages numbered from 1; a text with no words gives none."""
    return tuple(Page(number=n, text=s) for n, s in enumerate(split_sections(text), start=1))


def split_sections(text: str) -> list[str]:
    """Sections of at most `MAX_SECTION_CHARS`, cut at blank lines where the text allows."""
    sections: list[str] = []
    current: list[str] = []
    size = 0
    for piece in _pieces(text):
        added = len(piece) + (len(_SEPARATOR) if current else 0)
        if current and size + added > MAX_SECTION_CHARS:
            sections.append(_SEPARATOR.join(current))
            current, size, added = [], 0, len(piece)
        current.append(piece)
        size += added
        if size >= MIN_SECTION_CHARS and _is_anchor(piece):
            sections.append(_SEPARATOR.join(current))
            current, size = [], 0
    if current:
        sections.append(_SEPARATOR.join(current))
    return sections


def _pieces(text: str) -> Iterator[str]:
    for paragraph in _paragraphs(text.strip()):
        if not paragraph.strip():
            continue
        if len(paragraph) <= MAX_SECTION_CHARS:
            yield paragraph
        elif (fence := _FENCE_OPENS.match(paragraph)) and _is_closed(paragraph, fence.group(1)):
            yield from _split_code_block(paragraph, fence.group(1))
        else:
            yield from (run for run in _split_long(paragraph) if run.strip())


def _paragraphs(text: str) -> Iterator[str]:
    """Paragraphs between blank lines, a fenced code block whole with its blank lines."""
    parts = _BLANK_LINES.split(text)
    paragraph = parts[0]
    fence = _fence_left_open(None, paragraph)
    for separator, part in zip(parts[1::2], parts[2::2], strict=True):
        if fence:
            # The separator keeps the blank lines, and the next line's indentation, verbatim.
            paragraph += separator + part
        else:
            yield paragraph
            paragraph = part
        fence = _fence_left_open(fence, part)
    yield paragraph


def _fence_left_open(fence: str | None, text: str) -> str | None:
    """The fence marker open after `text`, given the one open before it."""
    for line in text.split("\n"):
        if fence is None:
            if opening := _FENCE_OPENS.match(line):
                fence = opening.group(1)
        elif line.strip() == fence:
            fence = None
    return fence


def _is_closed(paragraph: str, marker: str) -> bool:
    lines = paragraph.split("\n")
    return len(lines) > 1 and lines[-1].strip() == marker


def _split_code_block(block: str, marker: str) -> Iterator[str]:
    """A code block over the limit in runs of whole lines, each fenced again."""
    inner = block.split("\n")[1:-1]
    room = MAX_SECTION_CHARS - 2 * (len(marker) + 1)
    for run in _split_long("\n".join(inner), limit=room):
        yield f"{marker}\n{run}\n{marker}"


def _split_long(paragraph: str, *, limit: int = MAX_SECTION_CHARS) -> Iterator[str]:
    """A paragraph over `limit` in runs of whole lines, or of characters for a long line."""
    run = ""
    for line in paragraph.split("\n"):
        while len(line) > limit:
            if run:
                yield run
                run = ""
            yield line[:limit]
            line = line[limit:]
        if run and len(run) + 1 + len(line) > limit:
            yield run
            run = line
        else:
            run = f"{run}\n{line}" if run else line
    yield run


def _is_anchor(piece: str) -> bool:
    digest = hashlib.blake2b(piece.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _ANCHOR_ONE_IN == 0
