"""Running headers and footers: the lines a document repeats at the top or bottom of its pages.

Repeated on every page, a header ("Chapter 3: Basic Shell Features 6") lands in every chunk
and outweighs the words that tell pages apart. Lines are compared with their numbers masked,
so "Page 3" and "Page 4" are one line. A line is running when it sits among the first or
last `EDGE_LINES` lines of at least `MIN_REPEATS` pages and of at least `MIN_SHARE` of the
pages from the first to the last of them (or of the odd or even ones, for books that head
left and right pages differently): a document-wide header, or a chapter's. Bare page numbers
at an edge go too.
"""

from __future__ import annotations

import collections
import re

from askdocs.adapters.parsing.pdf_lines import Line

MIN_PAGES = 4
MIN_REPEATS = 3
MIN_SHARE = 0.6
EDGE_LINES = 2
# Longer than this is text, even when every page repeats it: a header fits on one short line.
MAX_RUNNING_CHARS = 150
_NUMBER = re.compile(r"\d+")
_ROMAN_PAGE_NUMBER = re.compile(
    r"^(?=[ivxlc])(?:c[dm]|d?c{0,3})(?:x[cl]|l?x{0,3})(?:i[vx]|v?i{0,3})$", re.I
)
_SPACE = re.compile(r"\s+")
_PAGE_DIGITS = 5


def drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """`pages` without their running headers and footers; each page stays in its place."""
    if len(pages) < MIN_PAGES:
        return pages
    edges = [_edge_keys(lines) for lines in pages]
    found_on: dict[str, list[int]] = collections.defaultdict(list)
    for index, keys in enumerate(edges):
        for key in set(keys.values()):
            found_on[key].append(index)
    running = {key for key, indexes in found_on.items() if _is_running(indexes)}
    dropped = _page_numbers(pages, edges) | {
        (index, at)
        for index, keys in enumerate(edges)
        for at, key in keys.items()
        if key in running
    }
    kept = [
        [line for at, line in enumerate(lines) if (index, at) not in dropped]
        for index, lines in enumerate(pages)
    ]
    # A document of nothing but repeated lines (a test sheet, a form) is that text, not noise.
    return kept if any(line.text for lines in kept for line in lines) else pages


def _page_numbers(pages: list[list[Line]], edges: list[dict[int, str]]) -> set[tuple[int, int]]:
    """Bare numbers at a page's edge that count pages: each one more than on the page before.

    They escape the rule for running lines when only some pages print them alone (a
    chapter's first page, while the others carry them in the header line).
    """
    found = [
        (index, at, int(pages[index][at].text) - index)
        for index, keys in enumerate(edges)
        for at in keys
        if pages[index][at].text.isdecimal() and len(pages[index][at].text) <= _PAGE_DIGITS
    ]
    offsets = collections.Counter(offset for _, _, offset in found)
    return {(index, at) for index, at, offset in found if offsets[offset] >= MIN_REPEATS}


def _edge_keys(lines: list[Line]) -> dict[int, str]:
    """The comparison key of each of the first and last lines with text, by position."""
    filled = [at for at, line in enumerate(lines) if line.text]
    edge = filled[:EDGE_LINES] + filled[-EDGE_LINES:]
    return {at: _key(lines[at].text) for at in edge if len(lines[at].text) <= MAX_RUNNING_CHARS}


def _key(text: str) -> str:
    text = _SPACE.sub(" ", text)
    return "#" if _ROMAN_PAGE_NUMBER.match(text) else _NUMBER.sub("#", text)


def _is_running(indexes: list[int]) -> bool:
    if len(indexes) < MIN_REPEATS:
        return False
    span = indexes[-1] - indexes[0] + 1
    if len(indexes) >= MIN_SHARE * span:
        return True
    one_side = len({index % 2 for index in indexes}) == 1
    return one_side and len(indexes) >= MIN_SHARE * ((span + 1) // 2)
