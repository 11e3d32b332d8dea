"""The lines of a PDF page as an engine reads them, with the layout hints the cleanup uses.

pypdf reports each run of text it extracts to a visitor, with its font and position; the runs
joined are exactly the page's text, so each line learns where it starts, its font size, and
how much of it is bold or fixed-pitch. pdfium's text comes without hints.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from typing import Any

from pypdf import PageObject

from askdocs.adapters.parsing.decoding import unify_newlines
from askdocs.adapters.parsing.pdf_fonts import FontFacts, font_facts

_BOLD_SHARE = 0.8
_NEW_LINE_EM = 0.9


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One line of a page, without surrounding space.

    `x` is its left edge in points (None when unknown), `size` the font size of most of its
    characters (0 when unknown), `mono` the share of them set in a fixed-pitch font (None when
    unknown), `char_width` a fixed-pitch character's width in points, `starts` the offsets in
    `text` where a run of text begins, with its left edge.
    """

    text: str
    x: float | None = None
    size: float = 0.0
    mono: float | None = None
    bold: bool = False
    char_width: float = 0.0
    starts: tuple[tuple[int, float], ...] = ()

    def without_prefix(self, length: int) -> Line:
        """The line without its first `length` characters, starting where its rest starts.

        The prefix (a line number) is taken for not fixed-pitch: the rest's share of
        fixed-pitch characters is the line's, counted over the rest alone.
        """
        rest = self.text[length:]
        offset = length + len(rest) - len(rest.lstrip())
        starts = tuple((at - offset, x) for at, x in self.starts if at >= offset)
        x = starts[0][1] if starts and starts[0][0] == 0 else None
        mono = self.mono
        if mono is not None:
            mono = min(1.0, mono * _visible(self.text) / max(_visible(rest), 1))
        return dataclasses.replace(self, text=rest.strip(), x=x, mono=mono, starts=starts)


def _visible(text: str) -> int:
    return len(text) - text.count(" ")


def plain_lines(text: str) -> list[Line]:
    """Lines of text that came without layout hints."""
    return [Line(line.strip()) for line in unify_newlines(text).split("\n")]


def pypdf_lines(page: PageObject) -> list[Line]:
    """The lines of a page as pypdf extracts them, with their layout hints."""
    reader = _LineReader()
    page.extract_text(visitor_text=reader.visit)
    reader.end_line()
    return reader.lines


class _LineReader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._fonts: dict[int, tuple[Any, FontFacts]] = {}
        self._begin()

    def _begin(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._starts: list[tuple[int, float]] = []
        self._chars = self._mono = self._bold = 0
        self._sizes: collections.Counter[float] = collections.Counter()
        self._char_width = 0.0
        self._y: float | None = None

    def visit(self, text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        facts = self._facts(font)
        # Where the run starts on the page, and its size there: the text matrix through the CTM.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        size = round(
            size * math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]), 1
        )
        # pypdf joins a run set lower on the page to the line before now and then (a listing's
        # line number in a smaller font); a new baseline is a new line.
        moved = self._y is not None and abs(y - self._y) > _NEW_LINE_EM * size > 0
        if moved and self._parts and text.strip() and not text.startswith("\n"):
            self.end_line()
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.end_line()
            if piece:
                # After a line break inside a run, where the new line starts is not known.
                self._add(piece, facts, x if index == 0 else None, size)
                self._y = y if index == 0 else None

    def _add(self, piece: str, facts: FontFacts, x: float | None, size: float) -> None:
        chars = _visible(piece)
        if chars and x is not None:
            self._starts.append((self._length + len(piece) - len(piece.lstrip(" ")), x))
        self._parts.append(piece)
        self._length += len(piece)
        self._chars += chars
        self._sizes[size] += chars
        if facts.monospace:
            self._mono += chars
            self._char_width = self._char_width or facts.width_em * size
        if facts.bold:
            self._bold += chars

    def end_line(self) -> None:
        # A stray carriage return inside a run is no line break of the page's.
        raw = unify_newlines("".join(self._parts)).replace("\n", " ")
        lead = len(raw) - len(raw.lstrip())
        starts = tuple((at - lead, x) for at, x in self._starts if at >= lead)
        self.lines.append(
            Line(
                text=raw.strip(),
                x=starts[0][1] if starts and starts[0][0] == 0 else None,
                size=self._sizes.most_common(1)[0][0] if self._sizes else 0.0,
                mono=self._mono / self._chars if self._chars else None,
                bold=self._bold >= _BOLD_SHARE * self._chars > 0,
                char_width=self._char_width,
                starts=starts,
            )
        )
        self._begin()

    def _facts(self, font: Any) -> FontFacts:
        # Keyed by identity, the font held alongside so that its id cannot be reused.
        known = self._fonts.get(id(font))
        if known is None:
            known = self._fonts[id(font)] = (font, font_facts(font))
        return known[1]
