"""One PDF page's lines as page Markdown: prose reflowed into paragraphs, code kept whole.

A prose paragraph ends after a line much shorter than a full one, before a line indented
past the one above it (a new paragraph's first line), and before a heading, list item, code
or blank line. A word hyphenated at a line's end (`exam-` / `ple`, lowercase on both sides)
is joined. Code lines are kept as they are, in one fenced block, indented as the page sets
them. Table-of-contents dot leaders are cut to a space.
"""

from __future__ import annotations

import dataclasses
import enum
import re

from askdocs.adapters.parsing.page_markdown import code_block, heading, join_blocks, one_line
from askdocs.adapters.parsing.pdf_code import is_code, strip_line_numbers
from askdocs.adapters.parsing.pdf_headings import heading_level
from askdocs.adapters.parsing.pdf_layout import Layout
from askdocs.adapters.parsing.pdf_lines import Line

SHORT_LINE = 0.7  # of a full line: shorter ends a paragraph
INDENT_EM = 0.8  # a line this much further right than the one above starts a paragraph
_MAX_INDENT = 40
_LEADER = re.compile(r"[ \t]*(?:(?:[.·][ \t]*){4,}|(?:…[ \t]*){2,})")
_HYPHENATED = re.compile(r"[a-z]-$")
# Bullets, hyphen bullets, the asterisk operator and the en dash (LaTeX's second level).
_BULLET = re.compile(r"^[•◦▪●∙‣\u2043\u2217\u2013-]\s+(?=\S)")
_ORDERED = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")


class _Kind(enum.Enum):
    BLANK = enum.auto()
    CODE = enum.auto()
    HEADING = enum.auto()
    ITEM = enum.auto()
    PROSE = enum.auto()


def page_markdown(lines: list[Line], layout: Layout) -> str:
    """The page Markdown of one page's lines."""
    # Leaders first: a table of contents' lines are short without them, so each ends a paragraph.
    lines = [_without_leaders(line) if _LEADER.search(line.text) else line for line in lines]
    lines, listing = strip_line_numbers(lines, font_tells=layout.font_tells)
    classified = [_kind(at, line, listing, layout) for at, line in enumerate(lines)]
    kinds = [kind for kind, _ in classified]
    levels = [level for _, level in classified]
    if not layout.font_tells:
        _absorb_lone_lines(kinds)
    blocks: list[str] = []
    at = 0
    while at < len(lines):
        kind = kinds[at]
        if kind is _Kind.CODE:
            end = _code_end(kinds, at)
            blocks.append(_code(lines[at:end], numbered=listing & set(range(at, end)), start=at))
        elif kind is _Kind.HEADING:
            end = at + 1
            blocks.append(heading(levels[at], lines[at].text))
        elif kind is _Kind.BLANK:
            end = at + 1
        else:
            end = _paragraph_end(lines, kinds, at, layout)
            blocks.append(_paragraph(lines[at:end], kind, reflow=bool(layout.width)))
        at = end
    return join_blocks(blocks)


def _kind(at: int, line: Line, listing: set[int], layout: Layout) -> tuple[_Kind, int]:
    """What a line is, and its depth if it is a heading."""
    if not line.text:
        return _Kind.BLANK, 0
    if at in listing or is_code(line, font_tells=layout.font_tells):
        return _Kind.CODE, 0
    if level := heading_level(line, layout):
        return _Kind.HEADING, level
    if _BULLET.match(line.text) or _ORDERED.match(line.text):
        return _Kind.ITEM, 0
    return _Kind.PROSE, 0


def _absorb_lone_lines(kinds: list[_Kind]) -> None:
    """Without fonts, one line between two code lines is taken for code too: a comment, say."""
    for at in range(1, len(kinds) - 1):
        if kinds[at] in (_Kind.PROSE, _Kind.ITEM) and kinds[at - 1] is kinds[at + 1] is _Kind.CODE:
            kinds[at] = _Kind.CODE


def _code_end(kinds: list[_Kind], at: int) -> int:
    """The end of the code block starting at `at`; blank lines inside it belong to it."""
    end = at
    for index in range(at, len(kinds)):
        if kinds[index] is _Kind.CODE:
            end = index + 1
        elif kinds[index] is not _Kind.BLANK:
            break
    return end


def _code(lines: list[Line], *, numbered: set[int], start: int) -> str:
    # Indents count from the listing's own left edge when it has numbers: lines set between
    # them (comments, say) may start left of it.
    measured = [line for at, line in enumerate(lines, start) if at in numbered] or lines
    left = min((line.x for line in measured if line.x is not None and line.text), default=0.0)
    texts = []
    for line in lines:
        width = line.char_width or 0.6 * line.size
        indent = round((line.x - left) / width) if line.x is not None and width else 0
        texts.append(" " * min(max(indent, 0), _MAX_INDENT) + line.text)
    return code_block(texts)


def _paragraph_end(lines: list[Line], kinds: list[_Kind], at: int, layout: Layout) -> int:
    end = at + 1
    while end < len(lines) and kinds[end] is _Kind.PROSE:
        if _ends_paragraph(lines[end - 1], lines[end], layout, in_item=kinds[at] is _Kind.ITEM):
            break
        end += 1
    return end


def _ends_paragraph(above: Line, below: Line, layout: Layout, *, in_item: bool) -> bool:
    if _HYPHENATED.search(above.text) and below.text[:1].islower():
        return False
    if not layout.width:
        return False
    if len(above.text) < SHORT_LINE * layout.width:
        return True
    if above.x is None or below.x is None or not above.size:
        return False
    step = (below.x - above.x) / above.size
    if in_item:
        # An item's later lines hang under its text, right of its mark; a line back left of
        # them has left the item.
        return step <= -INDENT_EM
    return step >= INDENT_EM


def _paragraph(lines: list[Line], kind: _Kind, *, reflow: bool) -> str:
    # Without reflow, a paragraph keeps its line breaks: they may be meant.
    separator = " " if reflow else "\n"
    text = _item_marked(lines[0].text) if kind is _Kind.ITEM else lines[0].text
    for line in lines[1:]:
        below = line.text
        if _HYPHENATED.search(text) and below[:1].islower():
            text = text[:-1] + below
        else:
            text = f"{text}{separator}{below}"
    return "\n".join(one_line(part) for part in text.split("\n"))


def _item_marked(text: str) -> str:
    if ordered := _ORDERED.match(text):
        return f"{ordered.group(1)}. {text[ordered.end() :]}"
    bullet = _BULLET.match(text)
    return f"- {text[bullet.end() :]}" if bullet else text


def _without_leaders(line: Line) -> Line:
    # Offsets into the text no longer hold once it is shortened.
    return dataclasses.replace(line, text=_LEADER.sub(" ", line.text).strip(), starts=())
