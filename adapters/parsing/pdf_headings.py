"""Which lines of a PDF page are headings, and how deep.

A numbered heading ("3.1.2 Quoting") is as deep as its number; set larger or bold than the
body where the font is known, short and without a period after its number where it is not
("1. Apples" is a list item then). An unnumbered line is a heading only when set clearly
larger than the body. A line ending in a number is a table-of-contents entry, not a heading.
"""

from __future__ import annotations

import re

from askdocs.adapters.parsing.pdf_layout import Layout
from askdocs.adapters.parsing.pdf_lines import Line

MAX_HEADING_CHARS = 90
NUMBERED_SIZE = 1.1  # of the body's size, for a numbered heading that is not bold
UNNUMBERED_SIZE = 1.3
TOP_LEVEL_SIZE = 1.7
SHORT_UNHINTED = 0.6  # of a full line, for a numbered heading when the font is not known
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,5})(\.?)\s+(\S)")
_TRAILING_NUMBER = re.compile(r"\s\d+$")
_MIN_LETTERS = 3
_LETTER = re.compile(r"[^\W\d_]")


def heading_level(line: Line, layout: Layout) -> int:
    """The depth of `line` as a heading (1 for the top level), 0 if it is none."""
    text = line.text
    if len(text) > MAX_HEADING_CHARS or text[-1] in ".,;:":
        return 0
    numbered = _NUMBERED.match(text)
    depth = numbered.group(1).count(".") + 1 if numbered and numbered.group(3).isupper() else 0
    level = 0
    if line.size and layout.body_size:
        ratio = line.size / layout.body_size
        if depth and (ratio >= NUMBERED_SIZE or line.bold):
            level = depth
        elif not depth and ratio >= UNNUMBERED_SIZE:
            level = 1 if ratio >= TOP_LEVEL_SIZE else 2
    elif depth and numbered and not numbered.group(2):
        level = depth if len(text) <= SHORT_UNHINTED * layout.width else 0
    if not level or _TRAILING_NUMBER.search(text) or len(_LETTER.findall(text)) < _MIN_LETTERS:
        return 0
    return level
