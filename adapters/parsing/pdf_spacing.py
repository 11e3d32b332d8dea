"""Spaces between words that pypdf lost, put back from pdfium's reading of the same page.

Justified text is often set without space characters: the words are placed apart, and an
engine must infer the spaces from the gaps. pypdf misses many of them on some documents
(Debian's policy manual reads "Thecorrespondinggidreferstothegroup nogroup"), which no search
can match; pdfium reads the same page with its spaces. pypdf's lines are kept, for the layout
hints they carry, and given the spaces pdfium saw between the same characters.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from askdocs.adapters.parsing.pdf_lines import Line

_GLUED_WORD = re.compile(r"[^\W\d_]{22,}")
GLUED_WORDS_PER_PAGE = 3
"""Pages with at least this many runs of 22 or more letters are taken as glued: English
words that long are rare, a few on a page almost never."""
_RESYNC_CHARS = 4
_RESYNC_WINDOW = 64


def is_glued(lines: list[Line]) -> bool:
    """Whether a page's text looks like words run together."""
    return sum(len(_GLUED_WORD.findall(line.text)) for line in lines) >= GLUED_WORDS_PER_PAGE


def respaced(lines: list[Line], reference: str) -> list[Line]:
    """`lines` with a space added between two characters wherever `reference` (another
    engine's text of the page) has white space between the same two characters.

    Only spaces are added: text the reference lacks or reads differently (a ligature) is
    kept as it is, and the two readings are matched up again a few characters later.
    """
    ref_chars, gap_before = _characters(reference)
    cursor = 0
    result: list[Line] = []
    for line in lines:
        line_text, cursor, moved = _respace(line.text, ref_chars, gap_before, cursor)
        starts = tuple((moved[at], x) for at, x in line.starts if at < len(moved))
        result.append(dataclasses.replace(line, text=line_text, starts=starts))
    return result


def _characters(text: str) -> tuple[str, list[bool]]:
    """The text's characters without white space (ligatures spelt out, as they are matched),
    and whether white space stood before each."""
    chars: list[str] = []
    gap_before: list[bool] = []
    gap = False
    for char in unicodedata.normalize("NFKC", text):
        if char.isspace():
            gap = True
            continue
        chars.append(char)
        gap_before.append(gap)
        gap = False
    return "".join(chars), gap_before


def _respace(
    text: str, ref_chars: str, gap_before: list[bool], cursor: int
) -> tuple[str, int, list[int]]:
    """The line respaced, where the reference reading stands after it, and where each of
    the line's characters moved to."""
    out: list[str] = []
    moved: list[int] = []
    for index, char in enumerate(text):
        if not char.isspace():
            found = _match(text, index, ref_chars, cursor)
            if found is not None:
                if gap_before[found] and out and not out[-1].isspace():
                    out.append(" ")
                cursor = found + len(_spelt(char))
        moved.append(len(out))
        out.append(char)
    return "".join(out), cursor, moved


def _match(text: str, index: int, ref_chars: str, cursor: int) -> int | None:
    """Where `text[index]` stands in the reference, looking from `cursor` on."""
    if ref_chars.startswith(_spelt(text[index]), cursor):
        return cursor
    # Out of step: find the next few characters of the line a little further on.
    ahead = _spelt("".join(text[index:].split()))[:_RESYNC_CHARS]
    found = ref_chars.find(ahead, cursor, cursor + _RESYNC_WINDOW + len(ahead))
    return found if found >= 0 and len(ahead) == _RESYNC_CHARS else None


def _spelt(text: str) -> str:
    """`text` as matched: "ﬁ" is "fi" whichever engine read a ligature as one character."""
    return unicodedata.normalize("NFKC", text)
