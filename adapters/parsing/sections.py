"""Unpaginated text cut into sections that stay put when the text around them is edited.

A section ends after a paragraph when the section holds at least `MIN_SECTION_CHARS` and the
paragraph's own digest marks it as an anchor (about one paragraph in four), or when the next
paragraph would take it over `MAX_SECTION_CHARS`. Anchors depend on a paragraph's text alone,
so after an edit the cuts fall back into step at the next anchor, and only the sections the
edit touched get new text, hence new digests, and need new chunks and embeddings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from askdocs.domain.documents import Page

MAX_SECTION_CHARS = 4000
MIN_SECTION_CHARS = 2000
_ANCHOR_ONE_IN = 4
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
_SEPARATOR = "\n\n"


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
    for paragraph in _BLANK_LINES.split(text.strip()):
        if not paragraph.strip():
            continue
        if len(paragraph) <= MAX_SECTION_CHARS:
            yield paragraph
        else:
            yield from (run for run in _split_long(paragraph) if run.strip())


def _split_long(paragraph: str) -> Iterator[str]:
    """A paragraph over the limit in runs of whole lines, or of characters for a long line."""
    run = ""
    for line in paragraph.split("\n"):
        while len(line) > MAX_SECTION_CHARS:
            if run:
                yield run
                run = ""
            yield line[:MAX_SECTION_CHARS]
            line = line[MAX_SECTION_CHARS:]
        if run and len(run) + 1 + len(line) > MAX_SECTION_CHARS:
            yield run
            run = line
        else:
            run = f"{run}\n{line}" if run else line
    yield run


def _is_anchor(piece: str) -> bool:
    digest = hashlib.blake2b(piece.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _ANCHOR_ONE_IN == 0
